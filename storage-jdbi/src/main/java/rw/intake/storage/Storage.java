package rw.intake.storage;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import rw.intake.storage.internal.ConnectionFailures;
import rw.intake.storage.internal.JdbiStorage;

/**
 * The database: a pool, the schema migrated by Flyway on open, and the stores. Thread-safe; close it once.
 *
 * <pre>{@code
 * try (Storage storage = Storage.open(DatabaseConfig.of("jdbc:h2:file:./data/intake", "sa", ""))) {
 *     CommitResult r = storage.users().commit(request, records);
 * }
 * }</pre>
 */
public interface Storage extends AutoCloseable {

    /**
     * Records from which a commit into PostgreSQL goes into a partition of its own by default (see the storage
     * README): below, one COPY into {@code users} is fast enough, and the partitions stay few.
     */
    long DEFAULT_PARTITION_MIN_RECORDS = 100_000;

    /** Records per insert batch, and NIDs per look-up statement, by default. */
    int DEFAULT_CHUNK_RECORDS = 5000;

    /** How long a statement waits for the database's answer by default ({@link Builder#networkTimeout}). */
    Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Opens a pool to the database and migrates its schema, with the default settings: {@code builder(config).open()}.
     *
     * @throws StorageException if the database cannot be reached or migrated
     */
    static Storage open(DatabaseConfig config) {
        return builder(config).open();
    }

    /** Settings beyond the database's address, then {@link Builder#open()}. */
    static Builder builder(DatabaseConfig config) {
        return new Builder(config);
    }

    /**
     * How a storage commits, set before it opens:
     *
     * <pre>{@code
     * Storage storage = Storage.builder(config).partitionMinRecords(0).open();
     * }</pre>
     */
    final class Builder {
        private final DatabaseConfig config;
        private long partitionMinRecords = DEFAULT_PARTITION_MIN_RECORDS;
        private boolean copy = true;
        private int chunkRecords = DEFAULT_CHUNK_RECORDS;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;

        private Builder(DatabaseConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Committed records (valid ones for {@link CommitMode#VALID}) from which a PostgreSQL commit goes into a
         * partition of its own, given {@linkplain #copy COPY} and a pool of four or more connections; 0 never.
         * {@link #DEFAULT_PARTITION_MIN_RECORDS} by default.
         */
        public Builder partitionMinRecords(long records) {
            if (records < 0) {
                throw new IllegalArgumentException("partitionMinRecords must be >= 0: " + records);
            }
            this.partitionMinRecords = records;
            return this;
        }

        /** Whether commits use COPY on PostgreSQL (the default), or batched inserts as on the other databases. */
        public Builder copy(boolean copy) {
            this.copy = copy;
            return this;
        }

        /**
         * Records per insert batch and NIDs per look-up statement (a PostgreSQL COPY takes a commit in one);
         * {@link #DEFAULT_CHUNK_RECORDS} by default.
         */
        public Builder chunkRecords(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("chunkRecords must be >= 1: " + records);
            }
            this.chunkRecords = records;
            return this;
        }

        /**
         * How long a statement waits for an answer of the database (PostgreSQL and MariaDB; the wait for a read on
         * the connection) before its connection counts as broken and the call fails as {@linkplain #isUnavailable
         * unavailable}: a database that stops answering in the middle of a commit (frozen, or cut off without a reset)
         * then fails it after this long, not never. Set on the connection of each of the stores' handles, not on the
         * pool: the schema's migrations at start, which can take longer on a large database, run without it.
         * {@link #DEFAULT_NETWORK_TIMEOUT} by default; longer than any statement of a commit takes.
         */
        public Builder networkTimeout(Duration timeout) {
            if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("networkTimeout must be from 1 ms to 24 days: " + timeout);
            }
            this.networkTimeout = timeout;
            return this;
        }

        /**
         * Opens a pool to the database and migrates its schema.
         *
         * @throws StorageException if the database cannot be reached or migrated
         */
        public Storage open() {
            return JdbiStorage.open(config, copy, chunkRecords, partitionMinRecords, networkTimeout);
        }
    }

    /**
     * Whether {@code failure} (any exception of a store, JDBI's or the driver's included) means that the database
     * could not be reached: no connection within the pool's connection timeout, a connection refused or broken, the
     * server shutting down or starting. Other SQL failures (a constraint, a syntax error, a lost race) are not.
     */
    static boolean isUnavailable(Throwable failure) {
        return ConnectionFailures.isConnectionFailure(failure);
    }

    /**
     * Asks the database a trivial question (and drops the tables of failed commits that it could not drop then).
     *
     * @throws StorageException if it does not answer within the connection timeout ({@link #isUnavailable} holds)
     */
    void ping();

    UserStore users();

    AccountStore accounts();

    /** The connection pool (for monitoring: a HikariCP pool takes a metrics tracker). */
    DataSource dataSource();

    /** {@code h2}, {@code postgresql} or {@code mariadb}. */
    String dialect();

    /**
     * Closes the pool: the connections still in use are aborted, so the database rolls back what their transactions
     * had not committed (a commit running past a shutdown's grace period). Later calls do nothing.
     */
    @Override
    void close();
}
