package rw.intake.server.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rw.intake.server.TestServer;

/**
 * The commit race, and the commit of an edited upload, on PostgreSQL and MariaDB, each in a fresh schema or database,
 * when {@code INTAKE_TEST_POSTGRES_URL} or {@code INTAKE_TEST_MARIADB_URL} is set (a JDBC URL with user and password
 * in it); skipped otherwise. On PostgreSQL also with {@code DB_PARTITION_MIN_RECORDS=1}: the uploads committed into
 * partitions of their own.
 */
final class OtherDatabasesTest {

    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commit_sameNidsAtOnce(String variable, String partitionMinRecords) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            onServer(variable, partitionMinRecords, (server, url, name) -> {
                ConcurrencyTest.commitRace(server, pool);
                if (!url.startsWith("jdbc:mariadb:")) {
                    assertThat(count(url, "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r'"
                        + " AND relispartition AND relnamespace = '" + name + "'::regnamespace"))
                        .isEqualTo(partitionMinRecords == null ? 0 : 2);
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }

    /** Edits and an exclusion, committed: record_edits holds them, users the edited values, skipped the left out. */
    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commit_editsAndExclusionsAudited(String variable, String partitionMinRecords) throws Exception {
        onServer(variable, partitionMinRecords, (server, url, name) -> {
            String token = server.clerkToken("auditor");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(1),
                Workbooks.person(2), new String[] {"Third Person", "12", "0788000003", "M", "third@example.com"})));
            assertThat(Workbooks.settled(server, token, id).get("status").asText()).isEqualTo("validated");
            assertThat(server.patchJson("/api/v1/uploads/" + id + "/records/4", token,
                "{\"nid\":\"" + Workbooks.person(3)[1] + "\"}").statusCode()).isEqualTo(200);
            assertThat(server.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"excluded\":true}").statusCode())
                .isEqualTo(200);

            HttpResponse<String> commit = server.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"valid\"}");

            assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
            assertThat(TestServer.json(commit).get("committed").asLong()).isEqualTo(2);
            assertThat(TestServer.json(commit).get("skipped").asLong()).isEqualTo(1);
            assertThat(RecordEditTest.auditRows(server, id)).containsExactly(
                List.of("4", "nid", "12", Workbooks.person(3)[1], "auditor"),
                List.of("3", "excluded", "false", "true", "auditor"));
            JsonNode users = TestServer.json(server.get("/api/v1/users?uploadId=" + id, token));
            assertThat(users.get("totalItems").asLong()).isEqualTo(2);
            assertThat(users.get("items").get(1).get("nid").asText()).isEqualTo(Workbooks.person(3)[1]);
            assertThat(users.get("items").get(1).get("valid").asBoolean()).isTrue();
        });
    }

    @FunctionalInterface
    private interface ServerTest {
        void run(TestServer server, String url, String schema) throws Exception;
    }

    /** Runs the test on a server over a fresh schema (PostgreSQL) or database (MariaDB), dropped after. */
    private static void onServer(String variable, String partitionMinRecords, ServerTest test) throws Exception {
        String base = System.getenv(variable);
        assumeTrue(base != null && !base.isBlank(), variable + " not set: test on that database skipped");
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
        try (TestServer server = TestServer.start(env)) {
            test.run(server, url, name);
        } finally {
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
