package rw.intake.server.internal.upload;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.EmbeddedServers;

/**
 * A fresh schema (PostgreSQL) or database (MariaDB) for one test, on the server named by a JDBC URL with user and
 * password in it, read from an environment variable ({@code INTAKE_TEST_POSTGRES_URL}, {@code INTAKE_TEST_MARIADB_URL}),
 * else on an embedded server started by storage's test {@link EmbeddedServers}. {@link #close()} drops it.
 */
final class ExternalDatabase implements AutoCloseable {
    final String base;
    final String name;
    final String url;
    final boolean maria;

    private ExternalDatabase(String base) {
        this.base = base;
        this.name = "srv_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        this.maria = base.startsWith("jdbc:mariadb:");
        if (maria) {
            execute(base, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            int slash = base.indexOf('/', base.indexOf("//") + 2);
            int query = base.indexOf('?', slash);
            url = base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
        } else {
            execute(base, "CREATE SCHEMA " + name);
            url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
        }
    }

    /**
     * A fresh schema on the database {@code variable} names ({@code INTAKE_TEST_POSTGRES_URL} or
     * {@code INTAKE_TEST_MARIADB_URL}), or when it is not set on an embedded server ({@link EmbeddedServers}); skips
     * the test if neither can be had.
     */
    static ExternalDatabase create(String variable) {
        DatabaseKind kind = Stream.of(DatabaseKind.POSTGRESQL, DatabaseKind.MARIADB)
                .filter(k -> k.urlVariable().equals(variable))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no test database is named by " + variable));
        return new ExternalDatabase(EmbeddedServers.url(kind));
    }

    /** {@link #env()} with staging in memory, whatever the test run's default. */
    Map<String, String> envWithMemoryStaging() {
        Map<String, String> env = env();
        env.put("STAGING", "memory");
        return env;
    }

    /** The server's variables for this database: DB_URL, DB_USER, DB_PASSWORD. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("DB_URL", url);
        putParameter(env, base, "user", "DB_USER");
        putParameter(env, base, "password", "DB_PASSWORD");
        return env;
    }

    long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A connection to this PostgreSQL schema in a transaction that holds {@code table} whole (ACCESS EXCLUSIVE): any
     * statement on it waits until the connection rolls back.
     */
    Connection holding(String table) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Waits (bounded: 10 s) until a connection to this PostgreSQL schema waits for a lock on {@code table}. */
    void awaitALockWaitOn(String table) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String waiting = "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE NOT l.granted AND c.relname = '" + table + "' AND n.nspname = '"
                + name + "'";
        while (count(waiting) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no connection waited for " + table + " within 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Ends the connections of this PostgreSQL schema that wait for a lock on {@code table}, as an outage of the database
     * ends them; returns how many.
     */
    long endTheWaitsOn(String table) throws SQLException {
        return count("SELECT COUNT(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT l.granted AND c.relname = '" + table
                + "' AND n.nspname = '" + name + "'");
    }

    @Override
    public void close() {
        execute(base, maria ? "DROP DATABASE " + name : "DROP SCHEMA " + name + " CASCADE");
    }

    private static void putParameter(Map<String, String> env, String url, String parameter, String variable) {
        int q = url.indexOf('?');
        if (q < 0) {
            return;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(parameter)) {
                env.put(variable, pair.substring(eq + 1));
            }
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException ex) {
            throw new IllegalStateException(sql + " on " + url + " failed", ex);
        }
    }
}
