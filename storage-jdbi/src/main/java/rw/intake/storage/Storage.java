package rw.intake.storage;

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

    /**
     * Opens a pool to the database and migrates its schema.
     *
     * @throws StorageException if the database cannot be reached or migrated
     */
    static Storage open(DatabaseConfig config) {
        return JdbiStorage.open(config);
    }

    /**
     * As {@link #open(DatabaseConfig)}, with the records (committed ones) from which a PostgreSQL commit goes into a
     * partition of its own (given a pool of four or more connections); 0 never.
     */
    static Storage open(DatabaseConfig config, long partitionMinRecords) {
        return JdbiStorage.open(config, partitionMinRecords);
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

    @Override
    void close();
}
