package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which NIDs may be registered, in memory: a {@link NidBloom} of every {@code users.registered_nid}, so that a look-up
 * asks the database only about the NIDs the filter cannot rule out. The database stays the authority: a NID the filter
 * lets through is confirmed there (a row deleted by hand is simply not found), and a commit that still fails on the
 * key of registered NIDs retries with the filter bypassed.
 *
 * <p>Other writers (another server on the same database) are caught up before each answer: every commit inserts an
 * {@code uploads} row in its transaction, so when {@code COUNT(*)} of uploads differs from the uploads this filter has
 * seen, the ids are read and the registered NIDs of the new uploads loaded (by the {@code (upload_seq, row_number)}
 * index). This process's own commits add their NIDs directly after they commit.
 *
 * <p>The first load (a scan of {@code registered_nid}) runs on a background thread; until it is done look-ups go to the
 * database for every NID. When more NIDs than planned are in the filter it is rebuilt twice as large the same way,
 * in the background, while the old one keeps answering (with more false positives, never a wrong answer).
 */
final class NidPrefilter implements AutoCloseable {

    /** The smallest filter planned for: a million NIDs, 1.25 MB. */
    static final long MIN_CAPACITY = 1L << 20;

    private static final int FETCH = 10_000;
    private static final int IDS_PER_QUERY = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(NidPrefilter.class);
    private static final String COUNT_UPLOADS = "SELECT COUNT(*) FROM uploads";
    private static final String UPLOAD_IDS = "SELECT id FROM uploads";
    /** Rows in users at most (hand-inserted ones aside): the first filter is planned for 1.5 times that. */
    private static final String COMMITTED_ROWS = "SELECT COALESCE(SUM(committed), 0) FROM uploads";

    private static final String ALL_REGISTERED = "SELECT registered_nid FROM users WHERE registered_nid IS NOT NULL";
    private static final String SEQS_OF_UPLOADS = "SELECT seq FROM uploads WHERE id IN (<ids>)";
    /**
     * One upload's registered NIDs, its seq bound as a value: PostgreSQL then plans each partition of users with its
     * own statistics (one upload_seq each) and reads only the one that holds the upload, where a join on uploads
     * would read them all.
     */
    private static final String REGISTERED_OF_UPLOAD =
            "SELECT registered_nid FROM users WHERE upload_seq = :seq AND registered_nid IS NOT NULL";

    private final Jdbi jdbi;
    private final long minCapacity;
    /** Guards the current state's adds and upload set, and {@link #loader}. */
    private final Object lock = new Object();
    /** Null until the first load is done. */
    private volatile State state;

    private Thread loader;
    private volatile boolean closed;

    NidPrefilter(Jdbi jdbi) {
        this(jdbi, MIN_CAPACITY);
    }

    /** A filter planned for at least {@code minCapacity} NIDs (tests make it small, to see it grow). */
    NidPrefilter(Jdbi jdbi, long minCapacity) {
        this.jdbi = jdbi;
        this.minCapacity = minCapacity;
    }

    /** Starts the first load in the background. */
    void start() {
        synchronized (lock) {
            startLoad(minCapacity);
        }
    }

    /** The NIDs the current filter is planned for; 0 before the first load. */
    long plannedCapacity() {
        State s = state;
        return s == null ? 0 : s.bloom.capacity();
    }

    /** Waits for a load in progress (tests, and close). */
    void awaitLoad() throws InterruptedException {
        Thread running;
        synchronized (lock) {
            running = loader;
        }
        if (running != null) {
            running.join();
        }
    }

    /** The filter as this process's commits and the last catch-up left it, or null while it is not loaded yet. */
    Snapshot current() {
        return state;
    }

    /** Whether the first load is done. */
    boolean ready() {
        return state != null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            awaitLoad();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The filter, caught up with every upload committed before this call (another process's included), or null while
     * it is not loaded yet (then ask the database about every NID).
     *
     * @param h         a handle; inside a commit's transaction, the one holding its uploads row
     * @param ownUpload that uncommitted upload's id (visible to the handle, not counted), or null
     */
    Snapshot caughtUp(Handle h, String ownUpload) throws SQLException {
        State s = state;
        if (s == null) {
            return null;
        }
        long others = count(h.getConnection()) - (ownUpload == null ? 0 : 1);
        if (others == s.uploadCount) {
            return s;
        }
        synchronized (lock) {
            State current = state;
            List<String> ids = h.createQuery(UPLOAD_IDS).mapTo(String.class).list();
            if (ownUpload != null) {
                ids.remove(ownUpload);
            }
            List<String> fresh = new ArrayList<>();
            for (String id : ids) {
                if (!current.uploads.contains(id)) {
                    fresh.add(id);
                }
            }
            for (int from = 0; from < fresh.size(); from += IDS_PER_QUERY) {
                List<String> part = fresh.subList(from, Math.min(fresh.size(), from + IDS_PER_QUERY));
                for (long seq : h.createQuery(SEQS_OF_UPLOADS)
                        .bindList("ids", part)
                        .mapTo(Long.class)
                        .list()) {
                    h.createQuery(REGISTERED_OF_UPLOAD)
                            .bind("seq", seq)
                            .mapTo(String.class)
                            .forEach(nid -> current.bloom.add(NidBloom.key(nid)));
                }
            }
            if (ids.size() != current.uploads.size() + fresh.size()) {
                current.uploads.retainAll(new HashSet<>(ids)); // uploads deleted by hand
            }
            current.uploads.addAll(fresh);
            current.publish();
            if (!fresh.isEmpty() && LOG.isDebugEnabled()) {
                LOG.debug("registered-NID filter caught up with {} uploads of other writers", fresh.size());
            }
            growIfFull(current);
            return current;
        }
    }

    /** The NIDs of this process's commit, after it committed. */
    void committed(String uploadId, long[] keys, int count) {
        synchronized (lock) {
            State s = state;
            if (s == null) {
                return; // the load in progress reads them, or a catch-up will
            }
            for (int i = 0; i < count; i++) {
                s.bloom.add(keys[i]);
            }
            s.uploads.add(uploadId);
            s.publish();
            growIfFull(s);
        }
    }

    /** Adds a NID to the filter without the database: tests make a false positive with it. */
    void addForTest(String nid) {
        synchronized (lock) {
            state.bloom.add(NidBloom.key(nid));
            state.publish();
        }
    }

    private void growIfFull(State s) {
        if (s.bloom.keys() > s.bloom.capacity() && loader == null && !closed) {
            startLoad(2 * s.bloom.keys());
        }
    }

    /** Called under the lock. */
    private void startLoad(long capacity) {
        Thread t = new Thread(() -> load(capacity), "intake-nid-filter");
        t.setDaemon(true);
        loader = t;
        t.start();
    }

    private void load(long minCapacity) {
        long start = System.nanoTime();
        try (Handle h = jdbi.open()) {
            Set<String> uploads =
                    new HashSet<>(h.createQuery(UPLOAD_IDS).mapTo(String.class).list());
            long rows = h.createQuery(COMMITTED_ROWS).mapTo(Long.class).one();
            NidBloom bloom = new NidBloom(Math.max(minCapacity, rows + rows / 2));
            // Uploads committed after the ids were read may be scanned too (harmless); the catch-up loads them again.
            long scanned = h.inTransaction(tx -> scan(tx.getConnection(), bloom));
            if (scanned < 0) {
                return;
            }
            State s = new State(bloom, uploads);
            synchronized (lock) {
                s.publish();
                state = s;
                LOG.info(String.format(
                        Locale.ROOT,
                        "registered-NID filter loaded: %,d NIDs of %,d uploads in %d ms; planned for %,d NIDs, %.1f MB",
                        scanned,
                        uploads.size(),
                        (System.nanoTime() - start) / 1_000_000,
                        bloom.capacity(),
                        bloom.bytes() / 1e6));
            }
        } catch (RuntimeException | SQLException e) {
            if (!closed) {
                LOG.warn("loading the registered-NID filter failed (look-ups ask the database): {}", e.toString());
            }
        } finally {
            synchronized (lock) {
                loader = null;
                if (state != null) {
                    growIfFull(state);
                }
            }
        }
    }

    /** Adds every registered NID to the filter, streamed; -1 if the store closed meanwhile. */
    private long scan(Connection c, NidBloom bloom) throws SQLException {
        long scanned = 0;
        try (PreparedStatement ps = c.prepareStatement(ALL_REGISTERED)) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bloom.add(NidBloom.key(rs.getString(1)));
                    if (++scanned % FETCH == 0 && closed) {
                        return -1;
                    }
                }
            }
        }
        return scanned;
    }

    private static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT_UPLOADS);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The filter as a look-up sees it. */
    interface Snapshot {
        /**
         * The NIDs that may be registered, in order (repeats kept: the look-up drops them among the few let through,
         * where it costs less than a set of every NID): the others are not.
         */
        List<String> candidates(Collection<String> nids);

        /** Whether the NID may be registered. */
        boolean mightContain(long key);
    }

    private static final class State implements Snapshot {
        final NidBloom bloom;
        /** The uploads whose NIDs are in the filter (guarded by the lock). */
        final Set<String> uploads;
        /** Their number, written after the NIDs' bits: a reader that sees it sees them. */
        volatile int uploadCount;

        State(NidBloom bloom, Set<String> uploads) {
            this.bloom = bloom;
            this.uploads = uploads;
        }

        void publish() {
            uploadCount = uploads.size();
        }

        @Override
        public boolean mightContain(long key) {
            return bloom.mightContain(key);
        }

        @Override
        public List<String> candidates(Collection<String> nids) {
            List<String> maybe = new ArrayList<>();
            for (String nid : nids) {
                if (bloom.mightContain(NidBloom.key(nid))) {
                    maybe.add(nid);
                }
            }
            return maybe;
        }
    }
}
