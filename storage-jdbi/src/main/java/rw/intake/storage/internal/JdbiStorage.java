package rw.intake.storage.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.spi.JdbiPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.AccountStore;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Redacted;
import rw.intake.storage.Storage;
import rw.intake.storage.StorageException;
import rw.intake.storage.UserStore;

/** {@link Storage} over a HikariCP pool, migrated by Flyway, queried through JDBI. */
public final class JdbiStorage implements Storage {
    private final AtomicBoolean closed = new AtomicBoolean();

    private static final Logger LOG = LoggerFactory.getLogger(JdbiStorage.class);
    private static final String ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";
    /** Held while a pool is made with {@link #ALIVE_BYPASS} set. */
    private static final Object MAKING_POOL = new Object();

    private final Dialect dialect;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final JdbiUserStore users;
    private final JdbiAccountStore accounts;
    /** H2 in this process: its file is checked after an unclean stop ({@link H2Recovery}). */
    private final boolean embeddedH2;
    /** The writer of H2 in this process, whose commits {@link #close} cancels; null for other databases. */
    private final BatchUserWriter h2Writer;

    /**
     * How long {@link #close} waits for the commits it cancelled on embedded H2 to roll back, and for the other
     * connections in use to be given back, before it closes the database under them.
     */
    static final Duration H2_STOP = Duration.ofSeconds(20);

    private JdbiStorage(
            Dialect dialect,
            HikariDataSource pool,
            boolean copy,
            int chunk,
            long partitionFrom,
            Duration networkTimeout) {
        this.dialect = dialect;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
        if (dialect != Dialect.H2) {
            jdbi.installPlugin(new NetworkTimeout((int) networkTimeout.toMillis()));
        }
        this.embeddedH2 = dialect == Dialect.H2 && Dialect.isEmbeddedH2(pool.getJdbcUrl());
        boolean useCopy = copy && dialect == Dialect.POSTGRESQL;
        BatchUserWriter batches = useCopy ? null : new BatchUserWriter(dialect == Dialect.POSTGRESQL, embeddedH2);
        UserWriter writer = useCopy ? new CopyUserWriter() : batches;
        this.h2Writer = embeddedH2 ? batches : null;
        // A commit into a partition of its own takes three connections: with no fourth it would starve the rest.
        boolean partitions = useCopy && pool.getMaximumPoolSize() > PartitionLoad.CONNECTIONS;
        this.users = new JdbiUserStore(jdbi, dialect, writer, chunk, partitions ? partitionFrom : 0);
        this.accounts = new JdbiAccountStore(jdbi, dialect);
    }

    /**
     * Opens the pool and migrates the schema: {@link Storage.Builder#open()}, whose settings these are.
     *
     * @throws StorageException if the database cannot be reached or migrated
     */
    public static Storage open(
            DatabaseConfig config, boolean copy, int chunkRecords, long partitionMinRecords, Duration networkTimeout) {
        Dialect dialect = Dialect.of(config.jdbcUrl());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("intake-" + dialect.key());
        hikari.setJdbcUrl(config.jdbcUrl());
        if (!config.username().isEmpty()) {
            hikari.setUsername(config.username());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        // a connection is checked at most this long before it is handed out (HikariCP's default is 5 s)
        hikari.setValidationTimeout(Math.min(config.connectionTimeout().toMillis(), 5000));
        dialect.configure(hikari);
        if (dialect == Dialect.H2 && Dialect.isEmbeddedH2(config.jdbcUrl())) {
            H2Recovery.compactAfterUncleanStop(hikari.getJdbcUrl(), config.username(), config.password());
        }
        HikariDataSource pool;
        try {
            pool = checkingEveryConnection(hikari);
        } catch (RuntimeException e) {
            throw new StorageException(
                    "cannot connect to " + Redacted.url(config.jdbcUrl()) + ": "
                            + Redacted.message(e.getMessage(), config.jdbcUrl()),
                    e);
        }
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(pool)
                    .locations(dialect.migrations())
                    .load();
            if (dialect == Dialect.MARIADB) {
                MariaDbResume.migrate(config, () -> migrate(flyway, config));
            } else {
                migrate(flyway, config);
            }
            JdbiStorage storage =
                    new JdbiStorage(dialect, pool, copy, chunkRecords, partitionMinRecords, networkTimeout);
            if (storage.embeddedH2) {
                H2Recovery.afterOpen(storage.jdbi);
            }
            storage.users.start();
            return storage;
        } catch (RuntimeException e) {
            pool.close();
            throw new StorageException(
                    "cannot migrate " + Redacted.url(config.jdbcUrl()) + ": "
                            + Redacted.message(e.getMessage(), config.jdbcUrl()),
                    e);
        }
    }

    /** Migrates the schema, saying so in the log when there is anything to do (a large table takes a while). */
    private static void migrate(Flyway flyway, DatabaseConfig config) {
        MigrationInfoService info = flyway.info();
        MigrationInfo[] pending = info.pending();
        if (pending.length == 0) {
            flyway.migrate();
            return;
        }
        MigrationInfo current = info.current();
        LOG.info(
                "migrating the schema of {} from version {} to {} ({} migrations); on large tables this takes a while,"
                        + " let it finish",
                Redacted.url(config.jdbcUrl()),
                current == null ? "none" : current.getVersion(),
                pending[pending.length - 1].getVersion(),
                pending.length);
        long start = System.nanoTime();
        MigrateResult result = flyway.migrate();
        // the version read again: an instance that started at the same moment may have run some or all of them
        // while this one waited for its lock, and Flyway's result then names no version
        MigrationInfo now = flyway.info().current();
        LOG.info(
                "the schema is at version {} ({} of the {} migrations run here in {} ms{})",
                now == null ? "none" : now.getVersion(),
                result.migrationsExecuted,
                pending.length,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                result.migrationsExecuted < pending.length ? ", the others by another instance meanwhile" : "");
    }

    /**
     * A pool that checks every connection before it hands it out, within the validation timeout (one round trip), where
     * HikariCP by default hands out unchecked one used in the last 500 ms: a statement sent on it to a database frozen
     * meanwhile would wait the whole network timeout, not fail within the connection timeout. The bypass is -1 ms, not 0:
     * HikariCP checks a connection idle for longer than it, and 0 would still skip one used in the same millisecond. The
     * JVM's own setting of HikariCP's system property {@value #ALIVE_BYPASS}, if any, is kept; the property is read as
     * the pool is made.
     */
    private static HikariDataSource checkingEveryConnection(HikariConfig hikari) {
        synchronized (MAKING_POOL) {
            if (System.getProperty(ALIVE_BYPASS) != null) {
                return new HikariDataSource(hikari);
            }
            System.setProperty(ALIVE_BYPASS, "-1");
            try {
                return new HikariDataSource(hikari);
            } finally {
                System.clearProperty(ALIVE_BYPASS);
            }
        }
    }

    /** The Jdbi both stores use: listeners added to its configuration see every later handle and statement. */
    Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void ping() {
        // the pool checks the connection it hands out, dropping one that the server closed (it restarted) and trying
        // the next, all within the connection timeout
        try {
            pool.getConnection().close();
        } catch (SQLException e) {
            throw new StorageException("the database cannot be reached: " + e.getMessage(), e);
        }
        users.sweepLeftTables();
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public String dialect() {
        return dialect.key();
    }

    /**
     * Closes once; later calls do nothing (a shutdown closes it early to end the commits past their grace).
     *
     * <p>On embedded H2 the commits still running are cancelled first, and closing waits (at most {@link #H2_STOP})
     * until every connection is back in the pool: closing the pool does not stop a statement that H2 runs on the
     * commit's own thread, which would go on to commit after the pool had closed, or be cut off midway by the end of the
     * process. A cancelled commit fails and rolls back (its request answers 503 {@code database.unavailable}); one
     * that had written all its rows commits. When every connection came back, the stop is marked clean.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        users.close();
        if (embeddedH2) {
            int inUse = pool.getHikariPoolMXBean().getActiveConnections();
            if (inUse > 0) {
                inUse = stopH2Commits(inUse);
            }
            // A connection still in use holds a transaction that closing the pool cuts short: H2 may keep part of it,
            // so the stop is not marked clean and the next start checks.
            if (inUse > 0) {
                LOG.error(
                        "{} database connection(s) still in use {} s after their commits were cancelled: the database"
                                + " closes under them, which H2 may not undo in full; the stop is not marked clean,"
                                + " and the next start checks the database",
                        inUse,
                        H2_STOP.toSeconds());
            } else {
                try {
                    H2Recovery.cleanStop(jdbi);
                } catch (JdbiException e) {
                    LOG.warn("could not mark a clean stop; the next start checks the database: {}", e.getMessage());
                }
            }
        }
        pool.close();
    }

    /**
     * Cancels the commits running on embedded H2 and waits at most {@link #H2_STOP} until no connection is in use
     * (each cancelled commit rolled back, the others done); logs what happened. Returns the connections still in use.
     */
    private int stopH2Commits(int inUse) {
        long start = System.nanoTime();
        long deadline = start + H2_STOP.toNanos();
        if (h2Writer != null) {
            h2Writer.cancel();
        }
        int left = inUse;
        long pause = TimeUnit.MILLISECONDS.toNanos(5);
        while (left > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(50));
            left = pool.getHikariPoolMXBean().getActiveConnections();
        }
        int cancelled = h2Writer == null ? 0 : h2Writer.stopped();
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (left == 0) {
            LOG.warn(
                    "{} database connection(s) in use at close; {} commit(s) among them cancelled and rolled back,"
                            + " any other finished, in {} ms",
                    inUse,
                    cancelled,
                    ms);
        } else if (cancelled > 0) {
            LOG.error(
                    "{} commit(s) cancelled at close had not ended within {} ms: whether they rolled back is not known",
                    cancelled,
                    ms);
        }
        return left;
    }

    /**
     * Each handle's connection waits at most this long for an answer of the database ({@link
     * rw.intake.storage.Storage.Builder#networkTimeout}); the pool puts the connection's own timeout back when the
     * handle closes.
     */
    private record NetworkTimeout(int millis) implements JdbiPlugin {
        @Override
        public Connection customizeConnection(Connection conn) throws SQLException {
            conn.setNetworkTimeout(Runnable::run, millis);
            return conn;
        }
    }
}
