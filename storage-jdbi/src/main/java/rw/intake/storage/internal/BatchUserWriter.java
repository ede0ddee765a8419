package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;

/**
 * JDBC batches of multi-row-rewritable inserts (PostgreSQL reWriteBatchedInserts, MariaDB bulk statements), bound
 * straight on the {@link PreparedStatement}: JDBI's per-argument type resolution cost a fifth of an H2 commit.
 */
final class BatchUserWriter implements UserWriter {

    private static final String INSERT =
            "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Registered NIDs per {@code INSERT ... SELECT FROM UNNEST(?)}: H2 caps an array at 65,536 elements. One
     * statement per 50,000 NIDs instead of one per NID took a quarter to a third off the phase (50,000-row commits).
     */
    private static final int REGISTER_CHUNK = 50_000;

    private final boolean dropNul;
    private final boolean registersSorted;
    /** Set by {@link #cancel}: every sink opened later fails at once. */
    private volatile boolean cancelled;
    /** The sinks open now, whose inserts {@link #cancel} stops. */
    private final Set<Cancellable> open = ConcurrentHashMap.newKeySet();
    /** Sinks stopped by {@link #cancel}: each failed, so its transaction rolls back. */
    private final AtomicInteger stopped = new AtomicInteger();

    /**
     * @param dropNul         whether NUL characters are written as U+2400 (PostgreSQL text cannot hold them)
     * @param registersSorted whether the writer inserts the registered NIDs into {@code registered_nids} itself,
     *                        sorted, after the users, while {@link H2RegisteredNids} stands aside (H2)
     */
    BatchUserWriter(boolean dropNul, boolean registersSorted) {
        this.dropNul = dropNul;
        this.registersSorted = registersSorted;
    }

    /**
     * Stops the commits writing through this writer (embedded H2, whose commit goes on when the pool closes its
     * connection: its statements run on the commit's thread, not in another process): a sink that has not finished
     * yet fails at its next step, its statement running now is cancelled, and a sink opened later fails at once, each
     * with a connection failure (the commit answers 503 {@code database.unavailable}). A sink that had finished is
     * left to commit. {@link #stopped()} then counts those that failed so.
     */
    void cancel() {
        cancelled = true;
        for (Cancellable sink : open) {
            sink.cancel();
        }
    }

    /** How many sinks failed because of {@link #cancel}. */
    int stopped() {
        return stopped.get();
    }

    /** A connection failure (the commit answers 503 {@code database.unavailable}), counted by {@link #stopped()}. */
    private SQLException cancelledFailure(SQLException cause) {
        stopped.incrementAndGet();
        return new Cancelled(cause);
    }

    /** The failure of a sink that {@link #cancel} stopped. */
    private static final class Cancelled extends SQLNonTransientConnectionException {
        private static final long serialVersionUID = 1L;

        Cancelled(SQLException cause) {
            super("the commit was cancelled: the database is closing", "08006", cause);
        }
    }

    @Override
    public Sink open(Handle handle, String uploadId, long uploadSeq, Instant committedAt) throws SQLException {
        if (cancelled) {
            throw cancelledFailure(null);
        }
        Timestamp at = Timestamp.from(committedAt);
        Connection connection = handle.getConnection();
        int deadline = SendDeadline.of(connection);
        PreparedStatement ps = connection.prepareStatement(INSERT);
        H2RegisteredNids.bulk(registersSorted);
        Cancellable sink = new Cancellable() {
            /** Set once {@link #finish} has returned: the commit goes on to its COMMIT, not cancelled. */
            private boolean finished;

            private boolean stop;
            /** The statement running now, which {@link #cancel} cancels. */
            private PreparedStatement running;

            @Override
            public synchronized void cancel() {
                if (finished || stop) {
                    return;
                }
                stop = true;
                if (running != null) {
                    try {
                        running.cancel();
                    } catch (SQLException e) {
                        // it fails at its next step all the same
                    }
                }
            }

            /** Throws if cancelled, else notes {@code statement} as running (null: none). */
            private synchronized void step(PreparedStatement statement) throws SQLException {
                if (stop) {
                    throw cancelledFailure(null);
                }
                running = statement;
            }

            /** The failure of a step: the cancellation if it was cancelled meanwhile. */
            private synchronized SQLException failed(SQLException e) {
                running = null;
                return stop && !(e instanceof Cancelled) ? cancelledFailure(e) : e;
            }

            @Override
            public void write(List<UserRow> rows) throws SQLException {
                step(ps);
                try {
                    insert(rows);
                } catch (SQLException e) {
                    throw failed(e);
                }
                step(null);
            }

            private void insert(List<UserRow> rows) throws SQLException {
                for (UserRow r : rows) {
                    ps.setString(1, text(uploadId));
                    ps.setLong(2, uploadSeq);
                    ps.setInt(3, r.row());
                    ps.setString(4, text(r.names()));
                    ps.setString(5, text(r.nid()));
                    ps.setString(6, text(r.phoneNumber()));
                    ps.setString(7, text(r.gender()));
                    ps.setString(8, text(r.email()));
                    ps.setBoolean(9, r.nidValid());
                    ps.setBoolean(10, r.phoneValid());
                    ps.setBoolean(11, r.emailValid());
                    ps.setBoolean(12, r.namesValid());
                    ps.setBoolean(13, r.genderValid());
                    ps.setBoolean(14, r.valid());
                    ps.setString(15, text(r.errors()));
                    ps.setTimestamp(16, at);
                    if (r.registeredNid() == null) {
                        ps.setNull(17, Types.VARCHAR);
                    } else {
                        ps.setString(17, text(r.registeredNid()));
                    }
                    ps.addBatch();
                }
                SendDeadline.run(connection, deadline, ps::executeBatch);
            }

            @Override
            public void finish(long[] nids, int count) throws SQLException {
                if (registersSorted) {
                    try {
                        register(nids, count);
                    } catch (SQLException e) {
                        throw failed(e);
                    }
                }
                synchronized (this) {
                    step(null);
                    finished = true;
                }
            }

            private void register(long[] nids, int count) throws SQLException {
                Arrays.sort(nids, 0, count);
                try (PreparedStatement registered =
                        handle.getConnection().prepareStatement(H2RegisteredNids.INSERT_ALL)) {
                    for (int from = 0; from < count; from += REGISTER_CHUNK) {
                        Long[] chunk = new Long[Math.min(REGISTER_CHUNK, count - from)];
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = nids[from + i];
                        }
                        registered.setObject(1, chunk);
                        step(registered);
                        registered.executeUpdate();
                        step(null);
                    }
                }
            }

            @Override
            public void close() throws SQLException {
                open.remove(this);
                H2RegisteredNids.bulk(false);
                ps.close();
            }
        };
        open.add(sink);
        if (cancelled) {
            sink.cancel(); // cancelled while it opened: its first step fails
        }
        return sink;
    }

    /** A sink that {@link #cancel} can stop. */
    private interface Cancellable extends Sink {
        void cancel();
    }

    private String text(String s) {
        return dropNul ? UserWriter.withoutNul(s) : s;
    }
}
