package rw.intake.storage;

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
     * Opens a pool to the database and migrates its schema.
     *
     * @throws StorageException if the database cannot be reached or migrated
     */
    static Storage open(DatabaseConfig config) {
        return JdbiStorage.open(config);
    }

    UserStore users();

    AccountStore accounts();

    /** {@code h2}, {@code postgresql} or {@code mariadb}. */
    String dialect();

    @Override
    void close();
}
