package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.StorageException;

/**
 * Puts a MariaDB schema whose last migration was cut short back where that migration found it, so that Flyway runs it
 * again. MariaDB commits each DDL statement on its own: a process stopped during a migration of several statements (or
 * between its last statement and Flyway's row for it) leaves some done and no row, and running the migration again then
 * fails on the first one done (a foreign key dropped already, a table made already), which Flyway records as a failed
 * migration and refuses every later start over. H2 and PostgreSQL run a migration in one transaction and need none of
 * this.
 *
 * <p>Each migration an installation can have pending when it upgrades (V7 on) is known here by what it leaves: V7's
 * {@code record_edits} table without its row (dropped: nothing writes it before V7 is recorded), V9's check constraint,
 * V10's column, and V11's foreign key from {@code record_edits} to {@code uploads}, which V11 drops first and makes again
 * last (made again here, once {@code record_edits} has the collation {@code uploads} has now, so that V11's statements
 * all run again). A failed row of one of these migrations, or of V12 (one statement that runs again as it is), is then
 * removed, as Flyway's repair does on a database without DDL transactions. Later MariaDB migrations are written to be
 * run again as they are ({@code IF EXISTS}, {@code IF NOT EXISTS}).
 */
final class MariaDbResume {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbResume.class);
    private static final String HISTORY = "flyway_schema_history";
    private static final Pattern COLLATION = Pattern.compile("[a-z0-9_]+");
    /** The lock's name: one per database of the server (a name is at most 64 characters). */
    private static final String LOCK = "CONCAT('intake.migrate.', LEFT(MD5(DATABASE()), 16))";
    /** How long a start waits for another instance's migration. */
    private static final Duration LOCK_WAIT = Duration.ofHours(1);

    private MariaDbResume() {}

    /**
     * Runs {@code migrate} holding a lock of the database's own (MariaDB's {@code GET_LOCK}, on a connection of its
     * own, not the pool's), after mending what a migration cut short left: another instance starting at the same time
     * waits, rather than taking the schema a migration is changing for one cut short.
     */
    static void migrate(DatabaseConfig config, Runnable migrate) {
        Properties login = new Properties();
        if (!config.username().isEmpty()) {
            login.setProperty("user", config.username());
        }
        if (!config.password().isEmpty()) {
            login.setProperty("password", config.password());
        }
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), login)) {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT GET_LOCK(" + LOCK + ", " + LOCK_WAIT.toSeconds() + ")")) {
                if (!r.next() || r.getInt(1) != 1) {
                    throw new StorageException("another instance has been migrating the schema for longer than "
                            + LOCK_WAIT.toMinutes() + " minutes");
                }
            }
            resume(c);
            migrate.run();
        } catch (SQLException e) {
            throw new StorageException("cannot prepare the schema's migration: " + e.getMessage(), e);
        }
    }

    /** Mends what a migration cut short left, if anything; does nothing on a database Flyway has not migrated yet. */
    static void resume(Connection c) throws SQLException {
        if (!table(c, HISTORY)) {
            return;
        }
        Map<String, Boolean> history = history(c);
        if (pending(history, "7") && table(c, "record_edits") && empty(c, "record_edits")) {
            mend(c, "7", "DROP TABLE record_edits");
        }
        if (pending(history, "9") && constraint(c, "users", "users_valid_registered")) {
            mend(c, "9", "ALTER TABLE users DROP CONSTRAINT users_valid_registered");
        }
        if (pending(history, "10") && column(c, "uploads", "sheet")) {
            mend(c, "10", "ALTER TABLE uploads DROP COLUMN sheet");
        }
        if (pending(history, "11")
                && table(c, "record_edits")
                && !constraint(c, "record_edits", "record_edits_upload_fk")) {
            String collation = collation(c, "uploads", "id");
            mend(
                    c,
                    "11",
                    "ALTER TABLE record_edits CONVERT TO CHARACTER SET utf8mb4 COLLATE " + collation,
                    "ALTER TABLE record_edits ADD CONSTRAINT record_edits_upload_fk FOREIGN KEY (upload_id)"
                            + " REFERENCES uploads (id)");
        }
        try (Statement s = c.createStatement()) {
            int removed = s.executeUpdate(
                    "DELETE FROM " + HISTORY + " WHERE success = 0 AND version IN ('7', '9', '10', '11', '12')");
            if (removed > 0) {
                LOG.warn("removed {} failed migration(s) from {}, to run them again", removed, HISTORY);
            }
        }
    }

    /** Each version's row in the history: whether it succeeded. */
    private static Map<String, Boolean> history(Connection c) throws SQLException {
        Map<String, Boolean> rows = new HashMap<>();
        try (Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT version, success FROM " + HISTORY + " WHERE version IS NOT NULL")) {
            while (r.next()) {
                rows.merge(r.getString(1), r.getBoolean(2), Boolean::logicalOr);
            }
        }
        return rows;
    }

    /** Whether migration {@code version} has no row that says it succeeded. */
    private static boolean pending(Map<String, Boolean> history, String version) {
        return !history.getOrDefault(version, false);
    }

    private static void mend(Connection c, String version, String... statements) throws SQLException {
        LOG.warn(
                "migration V{} was cut short (the process stopped during it): undoing what it did, to run it again",
                version);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static boolean table(Connection c, String table) throws SQLException {
        return exists(
                c, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table);
    }

    private static boolean column(Connection c, String table, String column) throws SQLException {
        return named(c, "COLUMNS", "TABLE_SCHEMA", "COLUMN_NAME", table, column);
    }

    private static boolean constraint(Connection c, String table, String name) throws SQLException {
        return named(c, "TABLE_CONSTRAINTS", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", table, name);
    }

    /** Whether the view {@code information_schema.<view>} has a row of {@code table} of this database named so. */
    private static boolean named(Connection c, String view, String schema, String nameColumn, String table, String name)
            throws SQLException {
        return exists(
                c,
                "SELECT 1 FROM information_schema." + view + " WHERE " + schema
                        + " = DATABASE() AND TABLE_NAME = ? AND " + nameColumn + " = ?",
                table,
                name);
    }

    private static boolean empty(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
            return !r.next();
        }
    }

    private static String collation(Connection c, String table, String column) throws SQLException {
        String name = first(
                c,
                "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_NAME = ? AND COLUMN_NAME = ?",
                table,
                column);
        if (name == null || !COLLATION.matcher(name).matches()) {
            throw new SQLException("cannot read the collation of " + table + "." + column + ": " + name);
        }
        return name;
    }

    private static boolean exists(Connection c, String sql, String... params) throws SQLException {
        return first(c, sql, params) != null;
    }

    /** The first column of the first row {@code sql} gives, or null if it gives none. */
    private static String first(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}
