package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.server.TestServer;

/**
 * {@code GET /api/v1/uploads/{id}/commit-preview} over real HTTP: what the commit would answer in either mode, also
 * after another upload's commit registered NIDs of the upload since its validation, and the commit's errors.
 */
final class CommitPreviewTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    @TempDir
    Path dir;

    @Test
    void preview_beforeAndAfterAnotherCommit_equalsWhatTheCommitAnswers() {
        previewEqualsCommit(SERVER);
    }

    /**
     * Two uploads of four valid people (two of them in both), one person with a wrong phone and one person left out;
     * another upload then commits the two shared people and both wrongly phoned ones. The previews count those three as
     * conflicts (the invalid one too, in either mode), and each mode's commit answers what its preview said.
     */
    static void previewEqualsCommit(TestServer server) {
        String token = server.clerkToken("previewer");
        String first = uploadWithOneLeftOut(server, token, 3, 4, 10, 5);
        String second = uploadWithOneLeftOut(server, token, 7, 8, 11, 9);

        for (String id : List.of(first, second)) {
            assertThat(preview(server, token, id)).isEqualTo(expected(id, "5,1,0", "4,2,0"));
        }

        String other = Workbooks.accepted(server, token, Workbooks.xlsx(sheet(1, 2, 6, 10, 11)));
        assertThat(Workbooks.settled(server, token, other).get("status").asText())
                .isEqualTo("validated");
        assertThat(server.postJson("/api/v1/uploads/" + other + "/commit", token, "{\"records\":\"all\"}")
                        .statusCode())
                .isEqualTo(200);

        String after = expected(first, "5,1,3", "2,4,3");
        assertThat(preview(server, token, first)).isEqualTo(after);
        // the admin may ask about anyone's upload, another clerk not
        assertThat(preview(server, server.adminToken(), first)).isEqualTo(after);
        assertThat(Workbooks.problemCode(server.get(previewPath(first), server.clerkToken("another-previewer")), 404))
                .isEqualTo("upload.not_found");

        assertThat(commitCounts(server, token, first, "all")).isEqualTo(countsOf(after, "all"));
        // the first commit registered its own valid people, none of whom the second upload holds
        String afterSecond = expected(second, "5,1,3", "2,4,3");
        assertThat(preview(server, token, second)).isEqualTo(afterSecond);
        assertThat(commitCounts(server, token, second, "valid")).isEqualTo(countsOf(afterSecond, "valid"));

        for (String id : List.of(first, second)) {
            assertThat(Workbooks.problemCode(server.get(previewPath(id), token), 409))
                    .isEqualTo("upload.already_committed");
        }
    }

    @Test
    void preview_unknownOrFailedUpload_asTheCommit() {
        String token = SERVER.clerkToken("preview-errors");
        assertThat(Workbooks.problemCode(SERVER.get(previewPath("no-such-upload"), token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(SERVER.get(previewPath("no-such-upload"), null), 401))
                .isEqualTo("auth.missing_token");

        String[] overlong = Workbooks.person(90);
        overlong[4] = "e".repeat(32_758) + "@example.rw";
        String failed = Workbooks.accepted(
                SERVER, token, Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(92), overlong)));
        assertThat(Workbooks.settled(SERVER, token, failed).get("status").asText())
                .isEqualTo("failed");

        assertThat(Workbooks.problemCode(SERVER.get(previewPath(failed), token), 409))
                .isEqualTo("upload.failed");
        assertThat(Workbooks.problemCode(SERVER.postJson("/api/v1/uploads/" + failed + "/commit", token, ""), 409))
                .isEqualTo("upload.failed");
    }

    /**
     * While the upload is validating, 409 {@code upload.not_ready} with Retry-After, as the commit: it cannot end
     * meanwhile, the database being in exclusive mode (H2 pauses the statements of the server's connections), which
     * holds its registered-NID look-ups.
     */
    @Test
    void preview_whileValidating_notReady() throws SQLException {
        String url = "jdbc:h2:mem:preview" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (TestServer one = TestServer.start(Map.of("DB_URL", url));
                Connection pause = DriverManager.getConnection(url, "sa", "")) {
            String token = one.clerkToken("early");
            try (Statement s = pause.createStatement()) {
                s.execute("SET EXCLUSIVE 1");
            }
            String id = Workbooks.accepted(one, token, Workbooks.xlsx(Workbooks.people(1, 2_000)));

            HttpResponse<String> r = one.get(previewPath(id), token);
            HttpResponse<String> commit = one.postJson("/api/v1/uploads/" + id + "/commit", token, "");

            assertThat(Workbooks.problemCode(r, 409)).isEqualTo("upload.not_ready");
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(Workbooks.problemCode(commit, 409)).isEqualTo("upload.not_ready");
            try (Statement s = pause.createStatement()) {
                s.execute("SET EXCLUSIVE 0");
            }
            Workbooks.settled(one, token, id);
            assertThat(preview(one, token, id)).isEqualTo(expected(id, "2000,0,0", "2000,0,0"));
        }
    }

    /** The database out of reach: 503 {@code database.unavailable} with Retry-After, as the commit. */
    @Test
    void preview_databaseAway_unavailable() throws SQLException {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists")
                .start();
        Map<String, String> env = Map.of(
                "DB_URL", "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/preview", "DB_CONNECT_TIMEOUT_SECONDS", "1");
        try (TestServer server = TestServer.start(env)) {
            String token = server.clerkToken("away");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(1, 20)));
            assertThat(Workbooks.settled(server, token, id).get("status").asText())
                    .isEqualTo("validated");
            h2.stop();

            HttpResponse<String> r = server.get(previewPath(id), token);

            assertThat(Workbooks.problemCode(r, 503)).isEqualTo("database.unavailable");
            assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(Workbooks.problemCode(server.postJson("/api/v1/uploads/" + id + "/commit", token, ""), 503))
                    .isEqualTo("database.unavailable");
        } finally {
            h2.stop();
        }
    }

    /**
     * Uploads people 1, 2, {@code a}, {@code b}, {@code wrongPhone} with a phone of two digits, and {@code leftOut},
     * which it then leaves out of the commit; the upload's id once validated.
     */
    private static String uploadWithOneLeftOut(
            TestServer server, String token, int a, int b, int wrongPhone, int leftOut) {
        String[] invalid = Workbooks.person(wrongPhone);
        invalid[2] = "12";
        List<String[]> rows = sheet(1, 2, a, b);
        rows.add(invalid);
        rows.add(Workbooks.person(leftOut));
        String id = Workbooks.accepted(server, token, Workbooks.xlsx(rows));
        JsonNode totals = Workbooks.settled(server, token, id).get("totals");
        assertThat(totals.get("valid").asLong()).isEqualTo(5);
        assertThat(server.patchJson("/api/v1/uploads/" + id + "/records/7", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        return id;
    }

    /** The header and the people numbered so. */
    private static List<String[]> sheet(int... people) {
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (int i : people) {
            rows.add(Workbooks.person(i));
        }
        return rows;
    }

    private static String previewPath(String id) {
        return "/api/v1/uploads/" + id + "/commit-preview";
    }

    /** The preview's body, after checking it answered 200. */
    private static String preview(TestServer server, String token, String id) {
        HttpResponse<String> r = server.get(previewPath(id), token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r).toString();
    }

    /** The preview's JSON for counts {@code "committed,skipped,conflicts"} of each mode. */
    private static String expected(String id, String all, String valid) {
        return "{\"uploadId\":\"" + id + "\",\"all\":" + counts(all) + ",\"valid\":" + counts(valid) + "}";
    }

    private static String counts(String committedSkippedConflicts) {
        String[] n = committedSkippedConflicts.split(",");
        return "{\"committed\":" + n[0] + ",\"skipped\":" + n[1] + ",\"conflicts\":" + n[2] + "}";
    }

    /** One mode's counts of a preview's JSON. */
    private static String countsOf(String preview, String mode) {
        try {
            return TestServer.mapper().readTree(preview).get(mode).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Commits the upload in {@code mode}; its answer's counts, as a preview writes them. */
    private static String commitCounts(TestServer server, String token, String id, String mode) {
        HttpResponse<String> r =
                server.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"" + mode + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode c = TestServer.json(r);
        return counts(c.get("committed").asLong() + "," + c.get("skipped").asLong() + ","
                + c.get("conflicts").asLong());
    }
}
