package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.server.TestServer;

/**
 * Every value a client controls that ends up in a database column: whatever is accepted can be committed, on H2,
 * PostgreSQL and MariaDB (the servers {@code INTAKE_TEST_POSTGRES_URL} / {@code INTAKE_TEST_MARIADB_URL} name, else
 * embedded ones: {@link ExternalDatabase}). Names
 * of files are bounded at intake; cells hold at most 32,767 characters (as in a spreadsheet program), and cells that
 * long fit their columns; usernames are looked up, not stored.
 */
final class ColumnBoundsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"H2", "INTAKE_TEST_POSTGRES_URL", "INTAKE_TEST_MARIADB_URL"})
    void commit_longClientValues(String database) throws Exception {
        ExternalDatabase db = "H2".equals(database) ? null : ExternalDatabase.create(database);
        try (TestServer server = TestServer.start(db == null ? Map.of() : db.env())) {
            longFileName_cutKeepingExtension(server);
            fileNameWithControls_dropped(server);
            longCells_committedWhole(server);
            overlongCell_refused(server);
            longUsername_401(server);
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    private static void longFileName_cutKeepingExtension(TestServer server) {
        String token = server.clerkToken("long-name");
        String name = "n".repeat(5_000) + ".xlsx";

        HttpResponse<String> r =
                server.postMultipart("/api/v1/uploads", token, "file", name, Workbooks.xlsx(Workbooks.people(1, 3)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = TestServer.json(r).get("id").asText();
        assertThat(TestServer.json(r).get("fileName").asText()).isEqualTo("n".repeat(250) + ".xlsx");
        commit(server, token, id, 3);
        assertThat(TestServer.json(server.get("/api/v1/uploads/" + id, token))
                        .get("fileName")
                        .asText())
                .hasSize(255)
                .endsWith(".xlsx");
    }

    private static void fileNameWithControls_dropped(TestServer server) {
        String token = server.clerkToken("control-name");
        String name = "a\u0000b\tc\u007f" + "\u00e9".repeat(1_000) + "\ud83d\ude00.xlsx";

        HttpResponse<String> r = server.send(
                server.request("/api/v1/uploads?fileName=" + URLEncoder.encode(name, StandardCharsets.UTF_8), token)
                        .header("Content-Type", Workbooks.XLSX)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Workbooks.xlsx(Workbooks.people(10, 2))))
                        .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String kept = TestServer.json(r).get("fileName").asText();
        assertThat(kept).startsWith("abc\u00e9").endsWith("\u00e9.xlsx").hasSize(255);
        commit(server, token, TestServer.json(r).get("id").asText(), 2);
    }

    private static void longCells_committedWhole(TestServer server) {
        String token = server.clerkToken("long-cells");
        String names = "\u00c9\u20ac\ud83d\ude00".repeat(8_191) + "abc";
        String email = "e".repeat(32_756) + "@example.rw";
        String nid = "1".repeat(32_767);
        String phone = "0".repeat(32_767);
        String gender = "\u00d1".repeat(32_767);
        byte[] xlsx = Workbooks.xlsx(
                List.of(Workbooks.HEADER, new String[] {names, nid, phone, gender, email}, Workbooks.person(77)));

        String id = Workbooks.accepted(server, token, xlsx);
        JsonNode summary = Workbooks.settled(server, token, id);

        assertThat(summary.get("status").asText()).as(summary.toString()).isEqualTo("validated");
        commit(server, token, id, 2);
        JsonNode user = TestServer.json(server.get("/api/v1/users?uploadId=" + id + "&valid=false", token))
                .get("items")
                .get(0);
        assertThat(user.get("names").asText()).isEqualTo(names);
        assertThat(user.get("email").asText()).isEqualTo(email);
        assertThat(user.get("nid").asText()).isEqualTo(nid);
        assertThat(user.get("phoneNumber").asText()).isEqualTo(phone);
        assertThat(user.get("gender").asText()).isEqualTo(gender);
    }

    private static void overlongCell_refused(TestServer server) {
        String token = server.clerkToken("overlong-cell");
        String[] overlong = Workbooks.person(90);
        overlong[4] = "e".repeat(32_758) + "@example.rw";

        HttpResponse<String> first = Workbooks.upload(
                server, token, Workbooks.xlsx(List.of(Workbooks.HEADER, overlong, Workbooks.person(91))));
        String id = Workbooks.accepted(
                server, token, Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(92), overlong)));
        JsonNode later = Workbooks.settled(server, token, id);

        assertThat(Workbooks.problemCode(first, 400)).isEqualTo("file.cell_too_long");
        assertThat(TestServer.json(first).get("detail").asText())
                .isEqualTo("Row 2: the email cell holds 32769"
                        + " characters; a cell may hold at most 32767, as in a spreadsheet program.");
        assertThat(TestServer.json(first).get("limit").asInt()).isEqualTo(32_767);
        assertThat(TestServer.json(first).get("limitName").asText()).isEqualTo("maxCellChars");
        assertThat(later.get("status").asText()).isEqualTo("failed");
        assertThat(later.get("failure").get("code").asText()).isEqualTo("file.cell_too_long");
    }

    private static void longUsername_401(TestServer server) {
        HttpResponse<String> r = server.postJson(
                "/api/v1/token",
                null,
                "{\"username\":\"" + "u".repeat(5_000) + "\",\"password\":\"" + "p".repeat(5_000) + "\"}");

        assertThat(r.statusCode()).as(r.body()).isIn(401, 429);
    }

    private static void commit(TestServer server, String token, String id, long records) {
        Workbooks.settled(server, token, id);
        HttpResponse<String> c = server.postJson("/api/v1/uploads/" + id + "/commit", token, "");
        assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
        assertThat(TestServer.json(c).get("committed").asLong()).isEqualTo(records);
    }
}
