package rw.intake.storage.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.storage.RecordEdit;
import rw.intake.storage.StorageException;
import rw.intake.storage.UploadAlreadyCommittedException;
import rw.intake.storage.UploadTotals;
import rw.intake.storage.UserQuery;
import rw.intake.storage.UserStore;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * Commits in one transaction: look up which of the valid NIDs are registered already (a chunk of NIDs a statement),
 * then insert the records (one COPY on PostgreSQL, batches elsewhere), those found turned into conflicts. A unique key
 * is the guarantee: {@code users.registered_nid} on MariaDB, {@code registered_nids.nid} on PostgreSQL and H2 (written
 * last, sorted, by the writer; see PostgreSQL's V2 and H2's V4 migrations). A commit that loses a race for a NID
 * against a concurrent commit fails on it, rolls back and starts again, then asking the database about every NID.
 * Otherwise look-ups ask only about the NIDs that the {@link NidPrefilter} cannot rule out.
 *
 * <p>On PostgreSQL a large upload (from {@code partitionFrom} records) is written into a table of its own through two
 * connections and published as a partition of {@code users} by a short transaction ({@link PartitionLoad}); the
 * guarantees are the same, the transaction that makes any of it visible being the one that registers its NIDs.
 */
final class JdbiUserStore implements UserStore, AutoCloseable {

    /** Records per insert batch, and NIDs per look-up statement, by default. */
    static final int DEFAULT_CHUNK = 5000;
    /** Bound parameters per NID look-up at most (MariaDB, which has no arrays: an IN list). */
    static final int LOOKUP = 1000;
    /** Attempts of a commit that lost a race for a NID (or a deadlock) before giving up. */
    static final int MAX_ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(JdbiUserStore.class);

    private static final String UPLOAD_EXISTS = """
        SELECT COUNT(*) FROM uploads WHERE id = :id""";
    private static final String UPLOAD_SEQ = """
        SELECT seq FROM uploads WHERE id = :id""";
    private static final String INSERT_UPLOAD = """
        INSERT INTO uploads (id, owner, file_name, records, valid_records, invalid_records, with_warnings, blank_rows,
                             commit_mode, committed, skipped, conflicts, committed_at<seqColumn>)
        VALUES (:id, :owner, :fileName, :records, :valid, :invalid, :withWarnings, :blankRows,
                :mode, 0, 0, 0, :committedAt<seqValue>)""";
    /** PostgreSQL: the next {@code uploads.seq}, taken before the commit's transaction when the upload gets a partition. */
    private static final String NEXT_UPLOAD_SEQ = """
        SELECT nextval(pg_get_serial_sequence('uploads', 'seq'))""";
    private static final String H2_COMMIT_LOCK = """
        SELECT id FROM commit_lock WHERE id = 1 FOR UPDATE""";
    private static final String UPDATE_UPLOAD = """
        UPDATE uploads SET committed = :committed, skipped = :skipped, conflicts = :conflicts WHERE id = :id""";
    private static final String INSERT_EDIT = """
        INSERT INTO record_edits (upload_id, "row_number", field, old_value, new_value, account, edited_at)
        VALUES (:uploadId, :row, :field, :oldValue, :newValue, :account, :at)""";
    private static final String REGISTERED = """
        SELECT registered_nid FROM users WHERE registered_nid IN (<nids>)""";
    /**
     * One statement for any number of NIDs, one plan, one round trip, by the key (PostgreSQL and H2, where the
     * registered NIDs have a table of their own, as numbers).
     */
    private static final String REGISTERED_NIDS_ANY = """
        SELECT nid FROM registered_nids WHERE nid = ANY(?)""";
    private static final String SELECT_USERS = """
        SELECT u.id, u.upload_id, u."row_number", u.names, u.nid, u.phone_number, u.gender, u.email, u.valid,
               u.nid_valid, u.phone_valid, u.email_valid, u.names_valid, u.gender_valid, u.errors, u.committed_at
        FROM users u""";
    private static final String COUNT_USERS = """
        SELECT COUNT(*) FROM users u""";
    private static final String JOIN_UPLOADS = " JOIN uploads p ON p.seq = u.upload_seq";
    private static final String OWNER_SEQS = """
        SELECT seq FROM uploads WHERE owner = :owner""";
    /** Commit order, then sheet order: the order of the (upload_seq, row_number) key. */
    private static final String ORDER_PAGE = " ORDER BY u.upload_seq, u.\"row_number\" LIMIT :limit OFFSET :offset";

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final UserWriter writer;
    private final int chunkSize;
    /** On H2, commits through this store wait here rather than on the commit_lock row, whose wait times out. */
    private final Lock h2Commits;
    private final NidPrefilter prefilter;
    /** Rows from which a commit goes into a partition of its own (PostgreSQL, {@link PartitionLoad}); 0 for never. */
    private final long partitionFrom;
    /** Commits into partitions of their own, one at a time: each takes two connections and both cores. */
    private final Semaphore partitionCommits = new Semaphore(1, true);
    /** Set when a failed commit could not drop its table (the database had gone away): {@link #sweepLeftTables}. */
    private final AtomicBoolean tablesLeft = new AtomicBoolean();

    JdbiUserStore(Jdbi jdbi, Dialect dialect, UserWriter writer, int chunkSize, long partitionFrom) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.writer = writer;
        this.chunkSize = chunkSize;
        this.partitionFrom = partitionFrom;
        this.h2Commits = dialect == Dialect.H2 ? new ReentrantLock() : null;
        this.prefilter = new NidPrefilter(jdbi);
    }

    /** Drops what unfinished commits of a stopped process left (PostgreSQL); starts loading the registered-NID filter. */
    void start() {
        if (dialect == Dialect.POSTGRESQL) {
            try {
                PartitionLoad.dropOrphans(jdbi);
            } catch (JdbiException e) {
                LOG.warn("could not look for the tables of unfinished commits; the next start tries again: {}", e.getMessage());
            }
        }
        prefilter.start();
    }

    /**
     * Drops the tables that failed commits of this process could not drop at once, if there are any (PostgreSQL):
     * called before each commit into a partition and by {@link JdbiStorage#ping}, so they go soon after the database
     * is back. If the database is still away, they stay marked.
     */
    void sweepLeftTables() {
        if (tablesLeft.getAndSet(false)) {
            try {
                PartitionLoad.dropOrphans(jdbi);
            } catch (JdbiException e) {
                tablesLeft.set(true);
                throw e;
            }
        }
    }

    NidPrefilter prefilter() {
        return prefilter;
    }

    @Override
    public void close() {
        prefilter.close();
    }

    @Override
    public CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records, IntConsumer conflictRows) {
        if (request.uploadId().isEmpty() || request.uploadId().length() > 64) {
            throw new IllegalArgumentException("uploadId must have 1 to 64 characters: " + request.uploadId());
        }
        Exception lastRace = null;
        boolean bypass = false;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (h2Commits != null) {
                h2Commits.lock();
            }
            try {
                Counts counts = new Counts(bypass);
                Phases phases = counts.phases;
                CommitResult result = ownPartition(request) ? commitInPartition(request, records, counts)
                    : jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> commitOnce(h, request, records, counts));
                phases.commit = System.nanoTime() - phases.end;
                prefilter.committed(request.uploadId(), counts.keys, counts.keyCount);
                for (int i = 0; i < counts.conflictCount; i++) {
                    conflictRows.accept(counts.conflictRows[i]);
                }
                if (LOG.isDebugEnabled()) {
                    LOG.debug("commit of {} ({} records): {}", request.uploadId(), result.committed() + result.skipped(), phases);
                }
                return result;
            } catch (JdbiException | SQLException e) {
                SQLException sql = sqlCause(e);
                if (sql == null || !(dialect.isNidRace(sql) || dialect.isTransient(sql))) {
                    throw new StorageException("commit of upload " + request.uploadId() + " failed: " + e.getMessage(), e);
                }
                lastRace = e;
                // A NID the filter did not know (written by other means, or just now by another process): ask about all.
                bypass |= dialect.isNidRace(sql);
            } finally {
                if (h2Commits != null) {
                    h2Commits.unlock();
                }
            }
        }
        throw new StorageException("commit of upload " + request.uploadId() + " lost " + MAX_ATTEMPTS
            + " races for its NIDs against concurrent commits (or holds a valid NID twice)", lastRace);
    }

    private CommitResult commitOnce(Handle h, CommitRequest request, Iterable<ValidatedRecord> records, Counts counts)
        throws SQLException {
        Phases phases = counts.phases;
        long start = System.nanoTime();
        if (dialect == Dialect.H2) {
            h.createQuery(H2_COMMIT_LOCK).mapTo(Integer.class).one();
        }
        Instant committedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (uploadExists(h, request.uploadId())) {
            throw new UploadAlreadyCommittedException(request.uploadId());
        }
        long uploadSeq = insertUpload(h, request, committedAt, null);
        long caughtUp = System.nanoTime();
        phases.upload = caughtUp - start;
        counts.filter = counts.bypass ? null : prefilter.caughtUp(h, request.uploadId());
        BitSet registered = registeredRecords(h, records, counts.filter);
        long looked = System.nanoTime();
        phases.lookup = looked - caughtUp;
        try (UserWriter.Sink sink = writer.open(h, request.uploadId(), uploadSeq, committedAt)) {
            writeRows(sink, records, request.mode(), counts, (chunk, first) -> registered.get(first, first + chunk.size()));
        }
        writeEdits(h, request);
        return updateUpload(h, request, counts, committedAt);
    }

    /** Whether the commit goes into a partition of its own: a large upload, on PostgreSQL with COPY. */
    private boolean ownPartition(CommitRequest request) {
        UploadTotals t = request.totals();
        return partitionFrom > 0 && (request.mode() == CommitMode.VALID ? t.valid() : t.records()) >= partitionFrom;
    }

    /**
     * Commits into a partition of its own ({@link PartitionLoad}): the upload's seq, the look-ups and the load come
     * before the commit's transaction, which inserts the uploads row, registers the NIDs and attaches the partition.
     */
    private CommitResult commitInPartition(CommitRequest request, Iterable<ValidatedRecord> records, Counts counts)
        throws SQLException {
        Phases phases = counts.phases;
        partitionCommits.acquireUninterruptibly();
        try (Handle h = jdbi.open()) {
            sweepLeftTables();
            long start = System.nanoTime();
            Instant committedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (uploadExists(h, request.uploadId())) {
                throw new UploadAlreadyCommittedException(request.uploadId());
            }
            long uploadSeq = h.createQuery(NEXT_UPLOAD_SEQ).mapTo(Long.class).one();
            long caughtUp = System.nanoTime();
            phases.upload = caughtUp - start;
            counts.filter = counts.bypass ? null : prefilter.caughtUp(h, null);
            phases.lookup = System.nanoTime() - caughtUp;
            try (PartitionLoad load = PartitionLoad.create(jdbi, h, uploadSeq, () -> tablesLeft.set(true))) {
                try (UserWriter.Sink sink = load.sink(request.uploadId(), committedAt)) {
                    writeRows(sink, records, request.mode(), counts, (chunk, first) -> lookUp(h, chunk, counts));
                }
                long attach = System.nanoTime();
                CommitResult result = h.inTransaction(TransactionIsolationLevel.READ_COMMITTED, t -> {
                    insertUpload(t, request, committedAt, uploadSeq);
                    writeEdits(t, request);
                    load.attach(counts.keys, counts.keyCount);
                    return updateUpload(t, request, counts, committedAt);
                });
                load.published();
                phases.attach = System.nanoTime() - attach;
                return result;
            }
        } finally {
            partitionCommits.release();
        }
    }

    /**
     * Writes the rows of the records through the sink, a chunk at a time, then finishes it with the NIDs they
     * register. {@code lookup} says which records of a chunk have a registered NID: from look-ups made before the
     * first insert, or made there, chunk by chunk, when the sink's inserts run on other connections
     * ({@link PartitionLoad}).
     */
    private void writeRows(UserWriter.Sink sink, Iterable<ValidatedRecord> records, CommitMode mode, Counts counts,
        ChunkLookup lookup) throws SQLException {
        long start = System.nanoTime();
        long lookups = counts.phases.lookup;
        List<ValidatedRecord> chunk = new ArrayList<>(chunkSize);
        List<UserRow> rows = new ArrayList<>(chunkSize);
        int first = 0;
        for (ValidatedRecord r : records) {
            chunk.add(r);
            if (chunk.size() == chunkSize) {
                first = writeChunk(sink, chunk, first, mode, rows, counts, lookup);
            }
        }
        writeChunk(sink, chunk, first, mode, rows, counts, lookup);
        long finish = System.nanoTime();
        counts.phases.rows = finish - start - counts.phases.insert - (counts.phases.lookup - lookups);
        sink.finish(counts.keys, counts.keyCount);
        counts.phases.registered = System.nanoTime() - finish;
    }

    /** Writes the chunk, whose first record is at position {@code first}; returns the position after it. */
    private static int writeChunk(UserWriter.Sink sink, List<ValidatedRecord> chunk, int first, CommitMode mode, List<UserRow> rows,
        Counts counts, ChunkLookup lookup) throws SQLException {
        BitSet registered = lookup.registered(chunk, first);
        for (int i = 0; i < chunk.size(); i++) {
            add(chunk.get(i), registered.get(i), mode, rows, counts);
        }
        write(sink, rows, counts);
        int next = first + chunk.size();
        chunk.clear();
        return next;
    }

    /** {@link #registeredRecords} of a chunk, its time counted in the look-ups' phase. */
    private BitSet lookUp(Handle h, List<ValidatedRecord> chunk, Counts counts) throws SQLException {
        long start = System.nanoTime();
        BitSet registered = registeredRecords(h, chunk, counts.filter);
        counts.phases.lookup += System.nanoTime() - start;
        return registered;
    }

    /** Which records of a chunk (by position in it) are valid with a NID registered already. */
    @FunctionalInterface
    private interface ChunkLookup {
        BitSet registered(List<ValidatedRecord> chunk, int first) throws SQLException;
    }

    /** Inserts the request's record edits (the uploads row is in already), a batch of {@link #chunkSize} at a time. */
    private void writeEdits(Handle h, CommitRequest request) {
        List<RecordEdit> edits = request.edits();
        for (int from = 0; from < edits.size(); from += chunkSize) {
            PreparedBatch batch = h.prepareBatch(INSERT_EDIT);
            for (RecordEdit e : edits.subList(from, Math.min(edits.size(), from + chunkSize))) {
                batch.bind("uploadId", request.uploadId()).bind("row", e.row()).bind("field", e.field())
                    .bind("oldValue", UserWriter.withoutNul(e.oldValue())).bind("newValue", UserWriter.withoutNul(e.newValue()))
                    .bind("account", e.account()).bind("at", e.at().truncatedTo(ChronoUnit.MICROS)).add();
            }
            batch.execute();
        }
    }

    /** Sets the uploads row's counts; the commit's result. */
    private CommitResult updateUpload(Handle h, CommitRequest request, Counts counts, Instant committedAt) {
        long update = System.nanoTime();
        long skipped = counts.skipped + request.excluded();
        h.createUpdate(UPDATE_UPLOAD).bind("committed", counts.committed).bind("skipped", skipped)
            .bind("conflicts", counts.conflictCount).bind("id", request.uploadId()).execute();
        counts.phases.end = System.nanoTime();
        counts.phases.upload += counts.phases.end - update;
        return new CommitResult(request.uploadId(), counts.committed, skipped, counts.conflictCount, committedAt);
    }

    /** Inserts the uploads row, with the given {@code seq} unless null; returns its {@code seq}. */
    private long insertUpload(Handle h, CommitRequest request, Instant committedAt, Long seq) {
        UploadTotals t = request.totals();
        String insert = INSERT_UPLOAD.replace("<seqColumn>", seq == null ? "" : ", seq").replace("<seqValue>", seq == null ? "" : ", :seq");
        try {
            Update update = h.createUpdate(insert).bind("id", request.uploadId()).bind("owner", request.owner())
                .bind("fileName", request.fileName()).bind("records", t.records()).bind("valid", t.valid())
                .bind("invalid", t.invalid()).bind("withWarnings", t.withWarnings()).bind("blankRows", t.blankRows())
                .bind("mode", request.mode().name().toLowerCase(Locale.ROOT)).bind("committedAt", committedAt);
            if (seq != null) {
                update.bind("seq", seq.longValue());
            }
            update.execute();
        } catch (JdbiException e) {
            SQLException sql = sqlCause(e);
            if (sql != null && dialect.isUniqueViolation(sql)) {
                // A concurrent commit of the same upload won.
                throw new UploadAlreadyCommittedException(request.uploadId());
            }
            throw e;
        }
        return seq != null ? seq : h.createQuery(UPLOAD_SEQ).bind("id", request.uploadId()).mapTo(Long.class).one();
    }

    private static boolean uploadExists(Handle h, String uploadId) {
        return h.createQuery(UPLOAD_EXISTS).bind("id", uploadId).mapTo(Long.class).one() > 0;
    }

    /**
     * Which records (by position) are valid with a NID registered already: asks the database, a chunk at a time, about
     * the NIDs that the filter (if any) cannot rule out. All look-ups come before the first insert, so that the
     * inserts can stream (one COPY on PostgreSQL), unless the inserts run on other connections.
     */
    private BitSet registeredRecords(Handle h, Iterable<ValidatedRecord> records, NidPrefilter.Snapshot filter)
        throws SQLException {
        BitSet registered = new BitSet();
        List<String> ask = new ArrayList<>();
        int[] positions = new int[chunkSize];
        int index = 0;
        for (ValidatedRecord r : records) {
            String nid = UserRow.registeredNid(r);
            if (nid != null && (filter == null || filter.mightContain(NidBloom.key(nid)))) {
                positions[ask.size()] = index;
                ask.add(nid);
                if (ask.size() == chunkSize) {
                    markRegistered(h, ask, positions, registered);
                }
            }
            index++;
        }
        markRegistered(h, ask, positions, registered);
        return registered;
    }

    /** Asks about {@code ask} (the NIDs of the records at {@code positions}), marks the registered ones, clears ask. */
    private void markRegistered(Handle h, List<String> ask, int[] positions, BitSet registered) throws SQLException {
        if (!ask.isEmpty()) {
            Set<String> found = registeredAmong(h, dialect, ask);
            for (int i = 0; i < ask.size(); i++) {
                if (found.contains(ask.get(i))) {
                    registered.set(positions[i]);
                }
            }
        }
        ask.clear();
    }

    /** Adds the record's row (unless skipped), a conflict if its NID is {@code registered} already. */
    private static void add(ValidatedRecord r, boolean registered, CommitMode mode, List<UserRow> rows, Counts counts) {
        ValidatedRecord record = r;
        if (registered) {
            record = BatchValidator.alreadyRegistered(r);
            counts.conflicted(r.row());
        }
        if (mode == CommitMode.VALID && !record.valid()) {
            counts.skipped++;
            return;
        }
        UserRow row = UserRow.of(record);
        rows.add(row);
        counts.committed++;
        if (row.registeredNid() != null) {
            counts.registers(NidBloom.key(row.registeredNid())); // a valid NID's key is its number
        }
    }

    private static void write(UserWriter.Sink sink, List<UserRow> rows, Counts counts) throws SQLException {
        if (!rows.isEmpty()) {
            long start = System.nanoTime();
            sink.write(rows);
            counts.phases.insert += System.nanoTime() - start;
            rows.clear();
        }
    }

    @Override
    public Set<String> registeredAmong(Collection<String> nids) {
        if (nids.isEmpty()) {
            return Set.of();
        }
        try {
            return jdbi.withHandle(h -> {
                NidPrefilter.Snapshot filter = prefilter.caughtUp(h, null);
                Collection<String> ask = filter == null ? nids : filter.candidates(nids);
                return ask.isEmpty() ? Set.<String>of() : registeredAmong(h, dialect, ask);
            });
        } catch (JdbiException | SQLException e) {
            throw new StorageException("look-up of registered NIDs failed: " + e.getMessage(), e);
        }
    }

    private static Set<String> registeredAmong(Handle h, Dialect dialect, Collection<String> nids) throws SQLException {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(nids));
        if (dialect != Dialect.MARIADB) {
            // Only a NID of 16 digits not starting with 0 can be in registered_nids (it is a valid one), and its number
            // written out is the NID again.
            Object[] numbers = distinct.stream().mapToLong(NidBloom::number).filter(n -> n >= 1_000_000_000_000_000L)
                .boxed().toArray();
            return numbers.length == 0 ? new HashSet<>() : registeredNumbers(h.getConnection(), numbers);
        }
        Set<String> registered = new HashSet<>();
        for (int from = 0; from < distinct.size(); from += LOOKUP) {
            List<String> part = distinct.subList(from, Math.min(distinct.size(), from + LOOKUP));
            h.createQuery(REGISTERED).bindList("nids", part).mapTo(String.class).forEach(registered::add);
        }
        return registered;
    }

    /** Which of the numbers {@code registered_nids} holds (PostgreSQL and H2), written out. */
    private static Set<String> registeredNumbers(Connection c, Object[] numbers) throws SQLException {
        Set<String> registered = new HashSet<>();
        Array array = c.createArrayOf("bigint", numbers);
        try (PreparedStatement ps = c.prepareStatement(REGISTERED_NIDS_ANY)) {
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    registered.add(Long.toString(rs.getLong(1)));
                }
            }
        } finally {
            array.free();
        }
        return registered;
    }

    @Override
    public Page<CommittedUser> users(UserQuery query) {
        try {
            return jdbi.withHandle(h -> {
                // The upload's seq, and on PostgreSQL the partitions to read, are looked up first and bound as values:
                // with them the planner prunes users to the partitions that can hold the rows (see the storage README).
                Long seq = null;
                if (query.uploadId() != null) {
                    seq = h.createQuery(UPLOAD_SEQ).bind("id", query.uploadId()).mapTo(Long.class).findOne().orElse(null);
                    if (seq == null) {
                        return new Page<CommittedUser>(List.of(), query.page(), query.size(), 0);
                    }
                }
                List<Long> parts = null;
                if (dialect == Dialect.POSTGRESQL) {
                    if (seq != null) {
                        parts = List.of(0L, seq);
                    } else if (query.owner() != null) {
                        parts = new ArrayList<>(List.of(0L));
                        parts.addAll(h.createQuery(OWNER_SEQS).bind("owner", query.owner()).mapTo(Long.class).list());
                    }
                }
                String where = where(query, seq != null, parts != null);
                long total = filters(h.createQuery(COUNT_USERS + where), query, seq, parts).mapTo(Long.class).one();
                List<CommittedUser> items = filters(h.createQuery(SELECT_USERS + where + ORDER_PAGE), query, seq, parts)
                    .bind("limit", query.size()).bind("offset", (long) (query.page() - 1) * query.size())
                    .map((rs, ctx) -> user(rs)).list();
                return new Page<>(items, query.page(), query.size(), total);
            });
        } catch (JdbiException e) {
            throw new StorageException("reading committed users failed: " + e.getMessage(), e);
        }
    }

    private static String where(UserQuery query, boolean bySeq, boolean byParts) {
        StringBuilder where = new StringBuilder(query.owner() == null ? "" : JOIN_UPLOADS);
        String and = " WHERE ";
        if (bySeq) {
            where.append(and).append("u.upload_seq = :seq");
            and = " AND ";
        }
        if (byParts) {
            where.append(and).append("u.part_seq = ANY(:parts)");
            and = " AND ";
        }
        if (query.valid() != null) {
            // Two fixed predicates rather than a parameter: PostgreSQL uses its partial index only for "NOT u.valid".
            where.append(and).append(query.valid() ? "u.valid" : "NOT u.valid");
            and = " AND ";
        }
        if (query.owner() != null) {
            where.append(and).append("p.owner = :owner");
        }
        return where.toString();
    }

    private static Query filters(Query q, UserQuery query, Long seq, List<Long> parts) {
        if (seq != null) {
            q.bind("seq", seq.longValue());
        }
        if (parts != null) {
            q.bindArray("parts", Long.class, parts);
        }
        if (query.owner() != null) {
            q.bind("owner", query.owner());
        }
        return q;
    }

    private static CommittedUser user(ResultSet rs) throws SQLException {
        return new CommittedUser(rs.getLong("id"), rs.getString("upload_id"), rs.getInt("row_number"), rs.getString("names"),
            rs.getString("nid"), rs.getString("phone_number"), rs.getString("gender"), rs.getString("email"),
            rs.getBoolean("valid"), rs.getBoolean("nid_valid"), rs.getBoolean("phone_valid"), rs.getBoolean("email_valid"),
            rs.getBoolean("names_valid"), rs.getBoolean("gender_valid"), ViolationsJson.read(rs.getString("errors")),
            rs.getTimestamp("committed_at").toInstant());
    }

    @Override
    public boolean isCommitted(String uploadId) {
        try {
            return jdbi.withHandle(h -> uploadExists(h, uploadId));
        } catch (JdbiException e) {
            throw new StorageException("reading upload " + uploadId + " failed: " + e.getMessage(), e);
        }
    }

    /** The first SQLException among the causes, or null. */
    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    /** One attempt's counts, and the keys of the NIDs it registers (added to the filter once committed). */
    private static final class Counts {
        final Phases phases = new Phases();
        /** Ask the database about every NID (after a lost race). */
        final boolean bypass;
        /** Null when bypassed or not loaded yet. */
        NidPrefilter.Snapshot filter;
        long committed;
        long skipped;
        long[] keys = new long[1024];
        int keyCount;
        /** Rows of the records that became conflicts, in row order: the conflicts are {@code conflictCount}. */
        int[] conflictRows = new int[16];
        int conflictCount;

        Counts(boolean bypass) {
            this.bypass = bypass;
        }

        void registers(long key) {
            if (keyCount == keys.length) {
                keys = Arrays.copyOf(keys, keyCount * 2);
            }
            keys[keyCount++] = key;
        }

        void conflicted(int row) {
            if (conflictCount == conflictRows.length) {
                conflictRows = Arrays.copyOf(conflictRows, conflictCount * 2);
            }
            conflictRows[conflictCount++] = row;
        }
    }

    /** Where a commit's time went (nanoseconds), logged at DEBUG for the benchmark. */
    private static final class Phases {
        long upload;
        long lookup;
        long rows;
        long insert;
        long registered;
        long attach;
        long end;
        long commit;

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                "uploads row %d ms, registered look-ups %d ms, rows/JSON %d ms, insert %d ms, registered NIDs %d ms,"
                    + " attach %d ms, commit %d ms",
                upload / 1_000_000, lookup / 1_000_000, rows / 1_000_000, insert / 1_000_000, registered / 1_000_000,
                attach / 1_000_000, commit / 1_000_000);
        }
    }
}
