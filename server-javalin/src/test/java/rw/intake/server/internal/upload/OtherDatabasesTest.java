package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rw.intake.server.TestServer;

/**
 * The commit race and an audited commit on PostgreSQL and MariaDB, each in a fresh schema or database, on the server
 * {@code INTAKE_TEST_POSTGRES_URL} or {@code INTAKE_TEST_MARIADB_URL} names (a JDBC URL with user and password in it),
 * else on an embedded one ({@link ExternalDatabase}). On PostgreSQL also with {@code DB_PARTITION_MIN_RECORDS=1}: every
 * upload committed into a partition of its own. The commit preview on each.
 */
final class OtherDatabasesTest {

    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commit_sameNidsAtOnce(String variable, String partitionMinRecords) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            onServer(variable, partitionMinRecords, (server, db) -> {
                ConcurrencyTest.commitRace(server, pool);
                if (!db.maria) {
                    assertThat(db.count(
                                    "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r'"
                                            + " AND relispartition AND relnamespace = '" + db.name + "'::regnamespace"))
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
        onServer(variable, partitionMinRecords, (server, db) -> {
            String token = server.clerkToken("auditor");
            String id = Workbooks.accepted(
                    server,
                    token,
                    Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(1), Workbooks.person(2), new String[] {
                        "Third Person", "12", "0788000003", "M", "third@example.com"
                    })));
            assertThat(Workbooks.settled(server, token, id).get("status").asText())
                    .isEqualTo("validated");
            assertThat(server.patchJson(
                                    "/api/v1/uploads/" + id + "/records/4",
                                    token,
                                    "{\"nid\":\"" + Workbooks.person(3)[1] + "\"}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"excluded\":true}")
                            .statusCode())
                    .isEqualTo(200);

            HttpResponse<String> commit =
                    server.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"valid\"}");

            assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
            assertThat(TestServer.json(commit).get("committed").asLong()).isEqualTo(2);
            assertThat(TestServer.json(commit).get("skipped").asLong()).isEqualTo(1);
            assertThat(RecordEditTest.auditRows(server, id))
                    .containsExactly(
                            List.of("4", "nid", "12", Workbooks.person(3)[1], "auditor"),
                            List.of("3", "excluded", "false", "true", "auditor"));
            JsonNode users = TestServer.json(server.get("/api/v1/users?uploadId=" + id, token));
            assertThat(users.get("totalItems").asLong()).isEqualTo(2);
            assertThat(users.get("items").get(1).get("nid").asText()).isEqualTo(Workbooks.person(3)[1]);
            assertThat(users.get("items").get(1).get("valid").asBoolean()).isTrue();
        });
    }

    /** The commit preview after another commit registered NIDs of the upload: what each mode's commit answers. */
    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commitPreview_equalsTheCommit(String variable, String partitionMinRecords) throws Exception {
        onServer(variable, partitionMinRecords, (server, db) -> CommitPreviewTest.previewEqualsCommit(server));
    }

    @FunctionalInterface
    private interface ServerTest {
        void run(TestServer server, ExternalDatabase db) throws Exception;
    }

    /** Runs the test on a server over a fresh schema (PostgreSQL) or database (MariaDB), dropped after. */
    private static void onServer(String variable, String partitionMinRecords, ServerTest test) throws Exception {
        try (ExternalDatabase db = ExternalDatabase.create(variable)) {
            Map<String, String> env = db.env();
            if (partitionMinRecords != null) {
                env.put("DB_PARTITION_MIN_RECORDS", partitionMinRecords);
            }
            try (TestServer server = TestServer.start(env)) {
                test.run(server, db);
            }
        }
    }
}
