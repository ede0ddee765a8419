package rw.intake.storage.internal;

import com.zaxxer.hikari.HikariConfig;
import java.sql.SQLException;
import java.util.Locale;
import rw.intake.storage.StorageException;

/** What differs between the three databases: driver options, the migrations' location and error codes. */
public enum Dialect {
    H2("h2"),
    POSTGRESQL("postgresql"),
    MARIADB("mariadb");

    private final String key;

    Dialect(String key) {
        this.key = key;
    }

    /** {@code h2}, {@code postgresql} or {@code mariadb}. */
    public String key() {
        return key;
    }

    /**
     * The dialect of a JDBC URL.
     *
     * @throws StorageException for any other database
     */
    public static Dialect of(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mariadb:")) {
            return MARIADB;
        }
        throw new StorageException(
                "unsupported database URL (expected jdbc:h2:, jdbc:postgresql: or jdbc:mariadb:): " + jdbcUrl);
    }

    /**
     * Whether the URL opens H2 in this process, so that its triggers run on the thread of the statement that fires
     * them ({@link H2RegisteredNids} relies on it to stand aside for a commit's own inserts). Not so for a server
     * ({@code tcp:}, {@code ssl:}) nor with {@code AUTO_SERVER}, where another process may hold the file: there the
     * trigger registers every NID itself, one by one.
     */
    static boolean isEmbeddedH2(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT).replace(" ", "");
        return url.startsWith("jdbc:h2:")
                && !url.startsWith("jdbc:h2:tcp:")
                && !url.startsWith("jdbc:h2:ssl:")
                && !url.contains(";auto_server=true");
    }

    String migrations() {
        return "classpath:db/migration/" + key;
    }

    /**
     * Driver options that make batched inserts fast, the connection settings the queries rely on, H2's closing;
     * MariaDB's {@code DATETIME} columns written and read in UTC.
     */
    void configure(HikariConfig hikari) {
        String url = hikari.getJdbcUrl().toLowerCase(Locale.ROOT);
        switch (this) {
            case POSTGRESQL -> hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
            case MARIADB -> {
                hikari.addDataSourceProperty("useBulkStmtsForInserts", "true");
                // DATETIME holds no zone: without these the driver writes and reads it in the JVM's default zone, so
                // an instance in another zone (or the same one moved) would read every time shifted
                if (!url.contains("connectiontimezone")) {
                    hikari.addDataSourceProperty("connectionTimeZone", "UTC");
                    hikari.addDataSourceProperty("preserveInstants", "true");
                }
                // ROW_NUMBER is a reserved word in MariaDB: the queries quote it the standard way.
                hikari.setConnectionInitSql("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
            }
            default -> {
                // H2 in this process closes its databases from a JVM shutdown hook of its own, under the commits that
                // a graceful shutdown lets finish: the storage closes it when its pool closes instead.
                String h2 = hikari.getJdbcUrl();
                if (isEmbeddedH2(h2) && !url.contains("db_close_on_exit")) {
                    hikari.setJdbcUrl(h2 + ";DB_CLOSE_ON_EXIT=FALSE");
                }
            }
        }
    }

    /** Whether the exception is a unique-constraint violation. */
    boolean isUniqueViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if ("23505".equals(state) || (this == MARIADB && s.getErrorCode() == 1062)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the exception is a violation of the key of registered NIDs ({@code users_registered_nid_key} on MariaDB,
     * {@code registered_nids_pkey} on PostgreSQL and H2): a concurrent commit registered one of the NIDs first (or the
     * records hold a valid NID twice).
     */
    boolean isNidRace(SQLException e) {
        if (!isUniqueViolation(e)) {
            return false;
        }
        for (Throwable t = e;
                t != null;
                t = t instanceof SQLException s && s.getNextException() != null ? s.getNextException() : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("users_registered_nid_key") || message.contains("registered_nids_pkey")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a new attempt of the same transaction may succeed: a deadlock, a serialization failure, a lock time-out. */
    boolean isTransient(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState() == null ? "" : s.getSQLState();
            if (state.equals("40001") || state.equals("40P01") || state.equals("55P03") || state.equals("HYT00")) {
                return true;
            }
            int code = s.getErrorCode();
            if ((this == MARIADB && (code == 1213 || code == 1205))
                    || (this == H2 && (code == 50200 || code == 40001))) {
                return true;
            }
        }
        return false;
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
}
