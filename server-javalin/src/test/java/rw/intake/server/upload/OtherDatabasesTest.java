package rw.intake.server.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rw.intake.server.TestServer;

/**
 * The commit race on PostgreSQL and MariaDB, each in a fresh schema or database, when {@code INTAKE_TEST_POSTGRES_URL}
 * or {@code INTAKE_TEST_MARIADB_URL} is set (a JDBC URL with user and password in it); skipped otherwise. On
 * PostgreSQL also with {@code DB_PARTITION_MIN_RECORDS=1}: both uploads committed into partitions of their own.
 */
final class OtherDatabasesTest {

    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commit_sameNidsAtOnce(String variable, String partitionMinRecords) throws Exception {
        String base = System.getenv(variable);
        assumeTrue(base != null && !base.isBlank(), variable + " not set: commit race on that database skipped");
        String name = "srv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        boolean maria = base.startsWith("jdbc:mariadb:");
        String url;
        if (maria) {
            execute(base, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            int slash = base.indexOf('/', base.indexOf("//") + 2);
            int query = base.indexOf('?', slash);
            url = base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
        } else {
            execute(base, "CREATE SCHEMA " + name);
            url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
        }
        Map<String, String> env = new HashMap<>();
        env.put("DB_URL", url);
        putParameter(env, base, "user", "DB_USER");
        putParameter(env, base, "password", "DB_PASSWORD");
        if (partitionMinRecords != null) {
            env.put("DB_PARTITION_MIN_RECORDS", partitionMinRecords);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TestServer server = TestServer.start(env)) {
            ConcurrencyTest.commitRace(server, pool);
            if (!maria) {
                assertThat(count(url, "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r' AND relispartition"
                    + " AND relnamespace = '" + name + "'::regnamespace")).isEqualTo(partitionMinRecords == null ? 0 : 2);
            }
        } finally {
            pool.shutdownNow();
            execute(base, maria ? "DROP DATABASE " + name : "DROP SCHEMA " + name + " CASCADE");
        }
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

    private static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException ex) {
            throw new IllegalStateException(sql + " on " + url + " failed", ex);
        }
    }
}
