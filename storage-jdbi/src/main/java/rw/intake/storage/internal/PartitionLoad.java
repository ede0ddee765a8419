package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL: a large upload's users written into a table of their own, {@code users_u<seq>}, and published as a
 * partition of {@code users} (see the V5 migration):
 * <ol>
 * <li>{@link #create}: the table, like {@code users} with no index and no row trigger, with {@code CHECK (part_seq =
 *     seq)} (and the {@code BEFORE TRUNCATE} trigger that frees its NIDs, see the V5 migration);
 * <li>{@link #sink}: two COPYs into it at once, on two connections of their own, each in its own transaction, fed
 *     chunk by chunk from a queue by two threads (which also encode the rows), while the commit's connection looks
 *     up the NIDs of the chunks to come;
 * <li>{@link #attach}, in the commit's transaction with its {@code uploads} row: the registered NIDs (sorted, one
 *     COPY; a NID registered meanwhile breaks {@code registered_nids_pkey} there) while the other connection builds
 *     the table's key and partial index, then {@code ATTACH PARTITION}, which scans nothing (the {@code CHECK} proves
 *     the partition constraint), finds the indexes built and takes no lock that readers or small commits wait on
 *     ({@code SHARE UPDATE EXCLUSIVE} on {@code users}).
 * </ol>
 * Until that transaction commits no reader of {@code users} sees a row of the upload; if it rolls back, or anything
 * before fails, {@link #close} drops the table. A table left by a process that died is dropped by {@link #dropOrphans}
 * at the next start: a load holds a session advisory lock on its seq for its whole life, so a table whose lock is free
 * belongs to nobody.
 */
final class PartitionLoad implements AutoCloseable {

    /** The name of a large upload's table before its seq. */
    static final String PREFIX = "users_u";
    /** Connections a load takes from the pool, the commit's own included. */
    static final int CONNECTIONS = 3;
    /**
     * The keys of the advisory lock that a load holds on its table: a hash of the schema (advisory locks are per
     * database, seqs per schema) and the seq (modulo 2^31 - 1).
     */
    private static final String LOCK_KEYS = "hashtext('intake ' || current_schema()), CAST(MOD(:seq, 2147483647) AS INTEGER)";
    private static final String LOCK = "SELECT pg_advisory_lock(" + LOCK_KEYS + ")";
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(" + LOCK_KEYS + ")";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(" + LOCK_KEYS + ")";
    /** Whether the table exists and is not a partition: checked by the holder of its lock, the only one to attach it. */
    private static final String DETACHED = """
        SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(:name) AND NOT relispartition)""";
    private static final String ORPHANS = """
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
          AND c.relkind = 'r' AND NOT c.relispartition AND c.relname LIKE 'users\\_u%'""";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLoad.class);

    private final Handle main;
    private final Handle[] loaders;
    private final long seq;
    private final String table;
    private final Runnable left;
    private boolean published;

    private PartitionLoad(Handle main, Handle[] loaders, long seq, Runnable left) {
        this.main = main;
        this.loaders = loaders;
        this.seq = seq;
        this.table = PREFIX + seq;
        this.left = left;
    }

    /**
     * Locks the seq on {@code main} (the commit's connection, in auto-commit, free for look-ups while the rows load),
     * takes the two connections that load the rows from {@code jdbi} and creates the upload's table. {@code left} is
     * run if the table of a failed commit cannot be dropped at once.
     */
    static PartitionLoad create(Jdbi jdbi, Handle main, long seq, Runnable left) {
        main.createQuery(LOCK).bind("seq", seq).mapTo(String.class).one(); // void
        Handle[] loaders = new Handle[2];
        try {
            loaders[0] = jdbi.open();
            loaders[1] = jdbi.open();
            PartitionLoad load = new PartitionLoad(main, loaders, seq, left);
            String table = load.table;
            main.useTransaction(t -> { // all of it or none: no half-made table to leave behind
                t.execute("CREATE TABLE " + table + " (LIKE users INCLUDING DEFAULTS)");
                t.execute("ALTER TABLE " + table + " ALTER COLUMN part_seq SET DEFAULT " + seq
                    + ", ADD CONSTRAINT " + table + "_part_seq CHECK (part_seq = " + seq + ")");
                t.execute("CREATE TRIGGER " + table + "_truncate BEFORE TRUNCATE ON " + table
                    + " FOR EACH STATEMENT EXECUTE FUNCTION users_partition_truncated()");
            });
            return load;
        } catch (RuntimeException e) {
            try {
                main.createQuery(UNLOCK).bind("seq", seq).mapTo(Boolean.class).one();
            } finally {
                closeAll(loaders);
            }
            throw e;
        }
    }

    private static void closeAll(Handle[] handles) {
        for (Handle h : handles) {
            if (h != null) {
                h.close();
            }
        }
    }

    /**
     * The sink of the upload's rows: {@code write} queues a chunk for the two COPYs (failing as soon as one of them
     * has); {@code finish} ends them, and keeps no NIDs (they go to {@link #attach}).
     */
    UserWriter.Sink sink(String uploadId, Instant committedAt) {
        return new TwoCopies(uploadId, committedAt);
    }

    /**
     * In the commit's transaction on {@code main}, after the sink finished: registers the NIDs {@code nids[0..count)}
     * there while a loading connection builds the table's key and partial index (each committed at once; nothing reads
     * the table before it is attached), then attaches the table.
     */
    void attach(long[] nids, int count) throws SQLException {
        long start = System.nanoTime();
        long[] indexed = new long[1];
        String key = table + "_key";
        both("index",
            () -> CopyUserWriter.copyRegistered(main, nids, count),
            () -> {
                // One core each: parallel workers would take the one the NIDs need.
                Handle h = loaders[0];
                h.execute("SET max_parallel_maintenance_workers = 0");
                try {
                    h.execute("CREATE UNIQUE INDEX " + key + " ON " + table + " (upload_seq, \"row_number\", part_seq)");
                    h.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + key + " UNIQUE USING INDEX " + key);
                    h.execute("CREATE INDEX " + table + "_invalid ON " + table + " (upload_seq, \"row_number\") WHERE NOT valid");
                } finally {
                    h.execute("RESET max_parallel_maintenance_workers");
                }
                indexed[0] = System.nanoTime();
            });
        long registered = System.nanoTime();
        main.execute("ALTER TABLE users ATTACH PARTITION " + table + " FOR VALUES IN (" + seq + ")");
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} NIDs registered in {} ms while indexed in {} ms, attached in {} ms", table, count,
                (registered - start) / 1_000_000, (indexed[0] - start) / 1_000_000, (System.nanoTime() - registered) / 1_000_000);
        }
    }

    /** The commit's transaction committed: the table is a partition of {@code users} now, not to be dropped. */
    void published() {
        published = true;
    }

    /**
     * Drops the table unless published (or attached after all: a failure after the commit's COMMIT must not drop a
     * partition), releases the seq and the loading connections. The drop goes through a loading connection, which
     * works when the commit's has failed.
     */
    @Override
    public void close() {
        try {
            if (!published) {
                drop();
            }
        } finally {
            try {
                main.createQuery(UNLOCK).bind("seq", seq).mapTo(Boolean.class).one();
            } finally {
                closeAll(loaders);
            }
        }
    }

    /**
     * Drops the table now; if the database cannot be reached (it went away mid-commit), leaves it for
     * {@link #dropOrphans} once it is back, and says so through the {@code left} callback given to {@link #create}.
     */
    private void drop() {
        try {
            dropIfDetached(loaders[0], table);
        } catch (RuntimeException e) {
            left.run();
            LOG.warn("could not drop {}, the rows of a commit that failed; dropped once the database answers again: {}",
                table, e.getMessage());
            if (!ConnectionFailures.isConnectionFailure(e)) {
                throw e;
            }
        }
    }

    /** Drops the upload tables that no load holds (left by a process that died before it attached or dropped one). */
    static void dropOrphans(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            for (String name : h.createQuery(ORPHANS).mapTo(String.class).list()) {
                long seq;
                try {
                    seq = Long.parseLong(name.substring(PREFIX.length()));
                } catch (NumberFormatException e) {
                    continue; // not one of ours
                }
                if (h.createQuery(TRY_LOCK).bind("seq", seq).mapTo(Boolean.class).one()) {
                    try {
                        // Checked again under the lock: listed detached, it may have been attached since.
                        if (h.inTransaction(t -> {
                            t.execute("SET LOCAL lock_timeout = '5s'"); // a reader of the table (pg_dump) must not stop the start
                            return dropIfDetached(t, name);
                        })) {
                            LOG.warn("dropped {}, the rows of a commit that did not finish (its process stopped or the"
                                + " database went away)", name);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("could not drop {}, the rows of a commit that did not finish; the next start tries again: {}",
                            name, e.getMessage());
                    } finally {
                        h.createQuery(UNLOCK).bind("seq", seq).mapTo(Boolean.class).one();
                    }
                }
            }
        });
    }

    /** Drops the table if it exists and is not a partition; whether it did. The caller holds the table's lock. */
    private static boolean dropIfDetached(Handle h, String name) {
        if (!h.createQuery(DETACHED).bind("name", name).mapTo(Boolean.class).one()) {
            return false;
        }
        h.execute("DROP TABLE " + name);
        return true;
    }

    /** Runs {@code a} here and {@code b} on a thread of its own at the same time; throws the first failure. */
    private void both(String name, SqlTask a, SqlTask b) throws SQLException {
        Failure failure = new Failure();
        Thread t = startDaemon("intake-" + table + "-" + name, () -> {
            try {
                b.run();
            } catch (SQLException | RuntimeException | Error e) {
                failure.add(e);
            }
        });
        try {
            a.run();
        } catch (SQLException | RuntimeException | Error e) {
            failure.add(e);
        } finally {
            joinUninterruptibly(t);
        }
        failure.rethrow();
    }

    private static Thread startDaemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A statement, or a few, on one connection. */
    @FunctionalInterface
    private interface SqlTask {
        void run() throws SQLException;
    }

    /** The first failure of the threads of one step (later ones are added to it as suppressed). */
    private static final class Failure {
        private Throwable first;

        synchronized void add(Throwable t) {
            if (first == null) {
                first = t;
            } else if (first != t) {
                first.addSuppressed(t);
            }
        }

        synchronized boolean failed() {
            return first != null;
        }

        synchronized void rethrow() throws SQLException {
            if (first instanceof SQLException e) {
                throw e;
            }
            if (first instanceof RuntimeException e) {
                throw e;
            }
            if (first instanceof Error e) {
                throw e;
            }
        }
    }

    /** Two COPYs into the table, each on its own thread and connection, taking chunks from one queue. */
    private final class TwoCopies implements UserWriter.Sink {
        /** Tells a copy thread that no chunk follows. */
        private static final List<UserRow> END = List.of();
        private final BlockingQueue<List<UserRow>> queue = new ArrayBlockingQueue<>(8);
        private final Failure failure = new Failure();
        private final List<Thread> threads = new ArrayList<>(2);
        /** Set by {@link #close} without {@link #finish}: the copies are cancelled, not ended. */
        private volatile boolean aborted;
        private boolean ended;

        TwoCopies(String uploadId, Instant committedAt) {
            try {
                for (Handle handle : loaders) {
                    String name = "intake-" + table + "-copy-" + (threads.size() + 1);
                    threads.add(startDaemon(name, () -> copy(handle, uploadId, committedAt)));
                }
            } catch (RuntimeException | Error e) {
                close(); // ends the threads started
                throw e;
            }
        }

        /**
         * One copy thread: takes chunks until {@link #END} (always to the end, so that {@link #write} never waits on a
         * queue that nobody empties), writing them while nothing has failed; then ends its COPY, or cancels it if
         * anything failed or the sink was abandoned.
         */
        private void copy(Handle handle, String uploadId, Instant committedAt) {
            CopyUserWriter.UsersCopy copy = null;
            try {
                copy = new CopyUserWriter.UsersCopy(handle, table, uploadId, seq, committedAt);
            } catch (SQLException | RuntimeException | Error e) {
                failure.add(e);
            }
            for (List<UserRow> rows = take(); rows != END; rows = take()) {
                if (copy != null && !failure.failed()) {
                    try {
                        copy.write(rows);
                    } catch (SQLException | RuntimeException | Error e) {
                        failure.add(e);
                    }
                }
            }
            try {
                if (copy != null && !failure.failed() && !aborted) {
                    copy.end();
                }
            } catch (SQLException | RuntimeException | Error e) {
                failure.add(e);
            } finally {
                closeQuietly(copy);
            }
        }

        private List<UserRow> take() {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    // Nobody interrupts these threads; a chunk or END always follows.
                }
            }
        }

        private void closeQuietly(CopyUserWriter.UsersCopy copy) {
            if (copy != null) {
                try {
                    copy.close();
                } catch (SQLException | RuntimeException e) {
                    failure.add(e);
                }
            }
        }

        @Override
        public void write(List<UserRow> rows) throws SQLException {
            failure.rethrow();
            put(new ArrayList<>(rows));
        }

        private void put(List<UserRow> rows) {
            boolean interrupted = false;
            while (true) {
                try {
                    queue.put(rows);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Ends the copies and waits for them. */
        private void end() {
            if (!ended) {
                ended = true;
                for (int i = 0; i < threads.size(); i++) {
                    put(END);
                }
                for (Thread t : threads) {
                    joinUninterruptibly(t);
                }
            }
        }

        @Override
        public void finish(long[] nids, int count) throws SQLException {
            end();
            failure.rethrow();
        }

        /** After {@link #finish}, nothing; else cancels the copies (the table is dropped anyway). */
        @Override
        public void close() {
            if (!ended) {
                aborted = true;
                end();
            }
        }
    }
}
