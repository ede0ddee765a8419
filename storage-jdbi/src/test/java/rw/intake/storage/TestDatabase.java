package rw.intake.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import rw.intake.storage.internal.Dialect;
import rw.intake.storage.internal.Jdbis;

/**
 * A fresh, empty, migrated database for one test, dropped on close: an H2 in-memory database, a new PostgreSQL schema
 * (via {@code currentSchema=}) or a new MariaDB database on the server named by the kind's environment variable, or,
 * when that is not set, on an embedded server ({@link EmbeddedServers}). Closing it fails the test if the storage
 * left a JDBI handle or statement open ({@link LeakChecker}). PostgreSQL commits go into partitions of their own from
 * {@link Storage#DEFAULT_PARTITION_MIN_RECORDS} records ({@code POSTGRESQL_PARTITIONS}: all), or from the system property
 * {@code intake.test.partitionFrom} (benchmarks: 0 never).
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabase.fresh(DatabaseKind.H2)) {
 *     db.storage().users().commit(request, records);
 * }
 * }</pre>
 */
public final class TestDatabase implements AutoCloseable {

    private final DatabaseConfig config;
    private final String adminUrl;
    private final String drop;
    private final DatabaseKind kind;
    private final long partitionFrom;
    private final int chunk;
    private final Storage storage;
    private final List<LeakChecker> leaks = new CopyOnWriteArrayList<>();

    private TestDatabase(
            DatabaseKind kind, DatabaseConfig config, String adminUrl, String drop, int chunk, Upgrade upgrade) {
        this.config = config;
        this.partitionFrom = Long.getLong(
                "intake.test.partitionFrom",
                kind == DatabaseKind.POSTGRESQL_PARTITIONS ? 1 : Storage.DEFAULT_PARTITION_MIN_RECORDS);
        this.adminUrl = adminUrl;
        this.drop = drop;
        this.kind = kind;
        this.chunk = chunk;
        if (upgrade != null) {
            Flyway.configure()
                    .dataSource(config.jdbcUrl(), user(config.jdbcUrl()), null)
                    .locations("classpath:db/migration/"
                            + Dialect.of(config.jdbcUrl()).key())
                    .target(upgrade.from())
                    .load()
                    .migrate();
            for (String sql : upgrade.setup()) {
                execute(sql);
            }
        }
        this.storage = openWatched();
    }

    /** A database migrated to {@code from}, then given rows by {@code setup}, before the storage migrates the rest. */
    private record Upgrade(String from, String... setup) {}

    /** A fresh database of this kind; skips the calling test if its server's URL is not set. */
    public static TestDatabase fresh(DatabaseKind kind) {
        return fresh(kind, null, 1000);
    }

    /**
     * A fresh database migrated only to schema version {@code from}, given rows by the {@code setup} statements, then
     * opened by the storage, which migrates it to the latest version: the upgrade of a database in use.
     */
    public static TestDatabase upgraded(DatabaseKind kind, String from, String... setup) {
        return create(kind, null, 1000, new Upgrade(from, setup));
    }

    /**
     * A fresh database of this kind whose commits insert {@code chunk} records at a time; an H2 database is a file
     * database under {@code h2Directory} (deleted on close) unless that is null.
     */
    public static TestDatabase fresh(DatabaseKind kind, String h2Directory, int chunk) {
        return create(kind, h2Directory, chunk, null);
    }

    private static TestDatabase create(DatabaseKind kind, String h2Directory, int chunk, Upgrade upgrade) {
        String name = "t_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        if (kind == DatabaseKind.H2 && h2Directory != null) {
            String url = "jdbc:h2:file:" + h2Directory + "/" + name;
            return new TestDatabase(
                    kind, DatabaseConfig.of(url, "sa", ""), url, "DROP ALL OBJECTS DELETE FILES", chunk, upgrade);
        }
        if (kind == DatabaseKind.H2) {
            String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
            return new TestDatabase(kind, DatabaseConfig.of(url, "sa", ""), url, "SHUTDOWN", chunk, upgrade);
        }
        String base = EmbeddedServers.url(kind);
        if (kind == DatabaseKind.MARIADB) {
            execute(base, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            DatabaseConfig config = DatabaseConfig.of(withDatabase(base, name), "", "");
            return new TestDatabase(kind, config, base, "DROP DATABASE " + name, chunk, upgrade);
        }
        execute(base, "CREATE SCHEMA " + name);
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
        return new TestDatabase(
                kind, DatabaseConfig.of(url, "", ""), base, "DROP SCHEMA " + name + " CASCADE", chunk, upgrade);
    }

    public DatabaseKind kind() {
        return kind;
    }

    public Storage storage() {
        return storage;
    }

    public DatabaseConfig config() {
        return config;
    }

    /** Runs a statement on this database by hand, outside the storage ("row_number" quoted works on MariaDB too). */
    public void execute(String sql) {
        if (config.jdbcUrl().startsWith("jdbc:mariadb:")) {
            execute(config.jdbcUrl(), "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')", sql);
        } else {
            execute(config.jdbcUrl(), sql);
        }
    }

    /** The first column of the first row of a query run by hand, as a number. */
    public long queryLong(String sql) {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), user(config.jdbcUrl()), null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + config.jdbcUrl() + " failed", e);
        }
    }

    /** Every row of a query run by hand, each column as text (null as null). */
    public java.util.List<java.util.List<String>> queryRows(String sql) {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), user(config.jdbcUrl()), null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                java.util.List<String> row = new java.util.ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + config.jdbcUrl() + " failed", e);
        }
    }

    /** Opens another pool on the same database (a second server instance, say), committing as this one does. */
    public Storage openAnother() {
        return openWatched();
    }

    /** Opens a storage on this database whose handles and statements must all be closed by {@link #close()}. */
    private Storage openWatched() {
        Storage opened = Storage.builder(config)
                .copy(kind != DatabaseKind.POSTGRESQL_BATCH)
                .chunkRecords(chunk)
                .partitionMinRecords(partitionFrom)
                .open();
        leaks.add(LeakChecker.watch(Jdbis.of(opened)));
        return opened;
    }

    /**
     * Closes the storage and drops the database, then fails if a storage opened here left a handle or statement open
     * (its background work is over once it is closed).
     */
    @Override
    public void close() {
        try {
            storage.close();
        } finally {
            execute(adminUrl, drop);
        }
        leaks.forEach(LeakChecker::check);
    }

    /** The URL with its database (the path after host:port) replaced. */
    private static String withDatabase(String url, String database) {
        int slash = url.indexOf('/', url.indexOf("//") + 2);
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
    }

    /** Runs the statements in order on one connection. */
    /** The user to connect as by hand: H2's "sa"; the other servers' URLs name theirs (null keeps it). */
    private static String user(String url) {
        return url.startsWith("jdbc:h2:") ? "sa" : null;
    }

    private static void execute(String url, String... sqls) {
        try (Connection c = DriverManager.getConnection(url, user(url), null);
                Statement s = c.createStatement()) {
            for (String sql : sqls) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(String.join("; ", sqls) + " on " + url + " failed", e);
        }
    }
}
