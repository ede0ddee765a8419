package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 *     chunk by chunk from a queue by the load's two threads (which also encode the rows), while the commit's
 *     connection looks up the NIDs of the chunks to come;
 * <li>{@link #attach}, in the commit's transaction with its {@code uploads} row: the registered NIDs (sorted, one
 *     COPY; a NID registered meanwhile breaks {@code registered_nids_pkey} there) while the other connection builds
 *     the table's key and partial index (in one transaction whose {@code maintenance_work_mem} keeps the key's sort
 *     in memory), then {@code ATTACH PARTITION}, which scans nothing (the {@code CHECK} proves the partition
 *     constraint), finds the indexes built and takes no lock that readers or small commits wait on
 *     ({@code SHARE UPDATE EXCLUSIVE} on {@code users}).
 * </ol>
 * Until that transaction commits no reader of {@code users} sees a row of the upload; if it rolls back, or anything
 * before fails, {@link #close} drops the table. A table left by a process that died is dropped by {@link #dropOrphans}
 * at the next start: a load holds a session advisory lock on its seq for its whole life, so a table whose lock is free
 * belongs to nobody.
 *
 * <p>The load's threads are an executor of its own, shut down by {@link #close}, which waits for them before it drops
 * the table or gives back their connections. The first failure of a thread cancels the others (they are interrupted,
 * and a COPY interrupted is cancelled) and is thrown on the commit's thread, later ones added to it as suppressed; an
 * interrupt of the commit's thread cancels them the same way and fails the commit, which then rolls back.
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
    private static final String LOCK_KEYS =
            "hashtext('intake ' || current_schema()), CAST(MOD(:seq, 2147483647) AS INTEGER)";

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
    // The statements on the upload's table: its name and seq are <table> and <seq>, defined (DDL takes no parameters).
    private static final String CREATE_TABLE = """
        CREATE TABLE <table> (LIKE users INCLUDING DEFAULTS INCLUDING CONSTRAINTS)""";
    private static final String PART_SEQ = """
        ALTER TABLE <table> ALTER COLUMN part_seq SET DEFAULT <seq>,
            ADD CONSTRAINT <table>_part_seq CHECK (part_seq = <seq>)""";
    private static final String TRUNCATE_TRIGGER = """
        CREATE TRIGGER <table>_truncate BEFORE TRUNCATE ON <table>
            FOR EACH STATEMENT EXECUTE FUNCTION users_partition_truncated()""";
    private static final String KEY_INDEX = """
        CREATE UNIQUE INDEX <table>_key ON <table> (upload_seq, "row_number", part_seq)""";
    private static final String KEY = """
        ALTER TABLE <table> ADD CONSTRAINT <table>_key UNIQUE USING INDEX <table>_key""";
    private static final String INVALID_INDEX = """
        CREATE INDEX <table>_invalid ON <table> (upload_seq, "row_number") WHERE NOT valid""";
    private static final String ATTACH = """
        ALTER TABLE users ATTACH PARTITION <table> FOR VALUES IN (<seq>)""";
    private static final String DROP = """
        DROP TABLE <table>""";
    private static final String LOCK_TABLE = """
        LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE""";
    private static final String EXISTS = """
        SELECT to_regclass(:name) IS NOT NULL""";
    /**
     * How long a drop waits for the table's lock. A commit that attaches the table holds it until its transaction ends,
     * which may be later than its client gave up on it (its COMMIT's answer lost: a synchronous standby that stalls, a
     * network cut); the database then ends the drop's wait, and the table is looked at again later.
     */
    private static final String DROP_LOCK_TIMEOUT = "5s";
    /**
     * How long the table's key and its attach wait for their locks: the table's own, which a reader that listed it (a
     * {@code pg_dump} started after the table was made) holds until it ends, and the {@code users} one that another
     * instance's attach holds for a moment. Past it the commit goes into the shared partition instead
     * ({@link UserCommit}), rather than wait for the reader until the network timeout fails it.
     */
    static final String ATTACH_LOCK_TIMEOUT = "10s";
    /** {@code maintenance_work_mem} of the transaction that builds the table's indexes. */
    private static final String INDEX_MEMORY = "256MB";

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLoad.class);

    private final Handle main;
    private final Handle[] loaders;
    private final long seq;
    private final String table;
    private final Runnable left;
    /** One thread per loading connection: the COPYs, then the indexes. */
    private final ExecutorService threads;

    private boolean published;

    private PartitionLoad(Handle main, Handle[] loaders, long seq, Runnable left) {
        this.main = main;
        this.loaders = loaders;
        this.seq = seq;
        this.table = PREFIX + seq;
        this.left = left;
        AtomicInteger made = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(loaders.length, r -> {
            Thread t = new Thread(r, "intake-" + table + "-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
            String table = PREFIX + seq;
            main.useTransaction(
                    t -> { // all of it or none: no half-made table to leave behind
                        for (String ddl : List.of(CREATE_TABLE, PART_SEQ, TRUNCATE_TRIGGER)) {
                            t.createUpdate(ddl)
                                    .define("table", table)
                                    .define("seq", seq)
                                    .execute();
                        }
                    });
            return new PartitionLoad(main, loaders, seq, left);
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

    /** The commit's thread was interrupted: keeps it so, and fails the commit. */
    static SQLException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new SQLException("the commit was interrupted", e);
    }

    /** Runs a statement on the upload's table, its name and seq defined. */
    private void execute(Handle h, String sql) {
        h.createUpdate(sql).define("table", table).define("seq", seq).execute();
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
     * there while a loading thread builds the table's key and partial index (in a transaction of its own, committed
     * before the attach; nothing reads the table before it is attached), then attaches the table.
     */
    void attach(long[] nids, int count) throws SQLException {
        Future<Void> indexed = threads.submit(() -> {
            loaders[0].useTransaction(t -> {
                // One core each: parallel workers would take the one the NIDs need.
                t.execute("SET LOCAL max_parallel_maintenance_workers = 0");
                // The key's sort in memory: 1,000,000 entries take about 70 MB, past the default 64 MB, which
                // spills it to temporary files.
                t.execute("SET LOCAL maintenance_work_mem = '" + INDEX_MEMORY + "'");
                t.execute("SET LOCAL lock_timeout = '" + ATTACH_LOCK_TIMEOUT + "'");
                for (String ddl : List.of(KEY_INDEX, KEY, INVALID_INDEX)) {
                    execute(t, ddl);
                }
            });
            return null;
        });
        try {
            CopyUserWriter.copyRegistered(main, nids, count);
        } catch (SQLException | RuntimeException | Error e) {
            indexed.cancel(true);
            throw e;
        }
        try {
            indexed.get();
        } catch (InterruptedException e) {
            indexed.cancel(true);
            throw interrupted(e);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
        main.execute("SET LOCAL lock_timeout = '" + ATTACH_LOCK_TIMEOUT + "'");
        execute(main, ATTACH);
        main.execute("SET LOCAL lock_timeout = DEFAULT");
    }

    /** The failure of a loading thread, to be thrown on the commit's: as it was if it can be, else wrapped. */
    private static SQLException rethrown(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return failure instanceof SQLException e ? e : new SQLException("loading " + PREFIX + " failed", failure);
    }

    /** The commit's transaction committed: the table is a partition of {@code users} now, not to be dropped. */
    void published() {
        published = true;
    }

    /**
     * Stops the loading threads and waits for them, drops the table unless published (or attached after all: a failure
     * after the commit's COMMIT must not drop a partition), releases the seq and the loading connections. The drop goes
     * through a loading connection, which works when the commit's has failed.
     */
    @Override
    public void close() {
        try {
            stopThreads();
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
     * Interrupts the loading threads and waits until they have ended: their connections are free after. An interrupt
     * of this wait is kept for later (a connection still in use by a thread must not go back to the pool).
     */
    private void stopThreads() {
        threads.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (threads.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
            LOG.warn(
                    "could not drop {}, the rows of a commit that failed; dropped once the database answers again, if"
                            + " the commit did not end up committed: {}",
                    table,
                    e.getMessage());
            if (!ConnectionFailures.isConnectionFailure(e) && !isLockTimeout(e)) {
                throw e;
            }
        }
    }

    /** Whether the database gave up waiting for a lock ({@code lock_timeout}: SQLSTATE 55P03). */
    private static boolean isLockTimeout(RuntimeException e) {
        return isLockTimeout(Dialect.sqlCause(e));
    }

    /** Whether {@code sql} (null for none) is the database giving up waiting for a lock (SQLSTATE 55P03). */
    static boolean isLockTimeout(SQLException sql) {
        return sql != null && "55P03".equals(sql.getSQLState());
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
                if (h.createQuery(TRY_LOCK)
                        .bind("seq", seq)
                        .mapTo(Boolean.class)
                        .one()) {
                    try {
                        // Checked again under the lock: listed detached, it may have been attached since.
                        if (dropIfDetached(h, name)) {
                            LOG.warn(
                                    "dropped {}, the rows of a commit that did not finish (its process stopped or the"
                                            + " database went away)",
                                    name);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "could not drop {}, the rows of a commit that did not finish; the next start tries again: {}",
                                name,
                                e.getMessage());
                    } finally {
                        h.createQuery(UNLOCK)
                                .bind("seq", seq)
                                .mapTo(Boolean.class)
                                .one();
                    }
                }
            }
        });
    }

    /**
     * Drops the table if it exists and is not a partition; whether it did. The caller holds the table's advisory lock.
     * In a transaction of its own, which locks the table before it looks at it: a commit attaching it has then ended,
     * committed or rolled back, and the look sees which. A {@code DROP} sent after a look made while that commit was
     * still on its way would wait for its lock and run after it, dropping the partition it had just committed (a
     * statement the client stopped waiting for still runs in the database). The lock is waited for at most
     * {@link #DROP_LOCK_TIMEOUT} (a reader of the table, such as pg_dump, must not hold up a start either).
     */
    private static boolean dropIfDetached(Handle h, String name) {
        return h.inTransaction(t -> {
            t.execute("SET LOCAL lock_timeout = '" + DROP_LOCK_TIMEOUT + "'");
            if (!t.createQuery(EXISTS).bind("name", name).mapTo(Boolean.class).one()) {
                return false;
            }
            t.createUpdate(LOCK_TABLE).define("table", name).execute();
            if (!t.createQuery(DETACHED).bind("name", name).mapTo(Boolean.class).one()) {
                return false;
            }
            t.createUpdate(DROP).define("table", name).execute();
            return true;
        });
    }

    /** What the commit's thread hands the copy threads: rows, or the end of them. */
    private sealed interface Chunk permits Rows, End {}

    /** Rows to copy. */
    private record Rows(List<UserRow> rows) implements Chunk {}

    /** No rows follow: the copy that takes it ends its COPY. One per copy thread. */
    private record End() implements Chunk {}

    /**
     * Two COPYs into the table, each a task on a loading thread and its connection, taking chunks from one queue. The
     * commit's thread waits for room in the queue (a chunk taken, or a copy ended) and, before each chunk, for nothing
     * else: a copy that has ended before the {@link End} has failed, and the commit fails with it.
     */
    private final class TwoCopies implements UserWriter.Sink {
        /** Chunks queued at most. */
        private static final int ROOM = 8;

        private final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        private final Semaphore room = new Semaphore(ROOM);
        /** The copies that have ended (or were cancelled), in the order they did. */
        private final BlockingQueue<Future<Void>> ended = new LinkedBlockingQueue<>();

        private final List<Future<Void>> copies = new ArrayList<>(2);

        TwoCopies(String uploadId, Instant committedAt) {
            for (Handle handle : loaders) {
                Copy copy = new Copy(handle, uploadId, committedAt);
                copies.add(copy);
                threads.execute(copy);
            }
        }

        /** One copy: its COPY fed chunk by chunk until {@link End}; cancelled (its thread interrupted) it cancels the COPY. */
        private final class Copy extends FutureTask<Void> {
            Copy(Handle handle, String uploadId, Instant committedAt) {
                super(() -> {
                    try (CopyUserWriter.UsersCopy copy =
                            new CopyUserWriter.UsersCopy(handle, table, uploadId, seq, committedAt)) {
                        for (Chunk chunk = queue.take(); chunk instanceof Rows rows; chunk = queue.take()) {
                            room.release();
                            copy.write(rows.rows());
                        }
                        copy.end();
                    }
                    return null;
                });
            }

            /** Ended, failed or cancelled: said before the room it makes, so the commit's thread sees why it woke. */
            @Override
            protected void done() {
                ended.add(this);
                room.release();
            }
        }

        @Override
        public void write(List<UserRow> rows) throws SQLException {
            try {
                room.acquire();
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            Future<Void> early = ended.poll();
            if (early != null) {
                throw failure(early);
            }
            queue.add(new Rows(List.copyOf(rows)));
        }

        @Override
        public void finish(long[] nids, int count) throws SQLException {
            for (int i = 0; i < copies.size(); i++) {
                queue.add(new End());
            }
            for (int i = 0; i < copies.size(); i++) {
                Future<Void> copy;
                try {
                    copy = ended.take();
                } catch (InterruptedException e) {
                    throw interrupted(e);
                }
                if (failed(copy)) {
                    throw failure(copy);
                }
            }
        }

        /** Cancels the copies that have not ended (after {@link #finish}, none; the table is dropped on failure). */
        @Override
        public void close() {
            copies.forEach(c -> c.cancel(true));
        }

        /** The failure of the copy that ended first, the other's added to it, if it failed on its own; cancels the other. */
        private SQLException failure(Future<Void> first) {
            Throwable failure = cause(first);
            for (Future<Void> copy : copies) {
                if (copy != first && !copy.cancel(true) && failed(copy)) {
                    failure.addSuppressed(cause(copy));
                }
            }
            return rethrown(failure);
        }
    }

    /** Whether a task that has ended failed or was cancelled. */
    private static boolean failed(Future<Void> task) {
        return cause(task) != null;
    }

    /** Why a task that has ended failed (a {@link CancellationException} if it was cancelled), or null. */
    private static Throwable cause(Future<Void> task) {
        try {
            task.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // not waited for: the task has ended
            return e;
        }
    }
}
