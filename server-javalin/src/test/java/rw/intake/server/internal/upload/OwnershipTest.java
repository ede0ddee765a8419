package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** A clerk sees only its own uploads and users (404, not 403, for others'); an admin sees everyone's. */
final class OwnershipTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    @Test
    void uploads_othersAreNotFound() throws SQLException {
        String a = SERVER.clerkToken("clerk-a");
        String b = SERVER.clerkToken("clerk-b");
        String admin = SERVER.adminToken();
        String idA = Workbooks.accepted(SERVER, a, Workbooks.xlsx(Workbooks.people(100, 3)));
        String idB = Workbooks.accepted(SERVER, b, Workbooks.xlsx(Workbooks.people(200, 3)));
        Workbooks.settled(SERVER, a, idA);
        Workbooks.settled(SERVER, b, idB);

        for (String path : List.of("", "/records")) {
            assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/" + idA + path, b), 404))
                    .isEqualTo("upload.not_found");
            assertThat(SERVER.get("/api/v1/uploads/" + idA + path, admin).statusCode())
                    .isEqualTo(200);
        }
        assertThat(Workbooks.problemCode(SERVER.postJson("/api/v1/uploads/" + idA + "/commit", b, ""), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(SERVER.delete("/api/v1/uploads/" + idA, b), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/no-such-id", a), 404))
                .isEqualTo("upload.not_found");

        JsonNode listA = TestServer.json(SERVER.get("/api/v1/uploads", a));
        assertThat(listA).hasSize(1);
        assertThat(listA.get(0).get("id").asText()).isEqualTo(idA);
        JsonNode listAdmin = TestServer.json(SERVER.get("/api/v1/uploads", admin));
        assertThat(listAdmin).hasSize(2);
        assertThat(listAdmin.get(0).get("id").asText()).isEqualTo(idB);
        assertThat(listAdmin.get(1).get("id").asText()).isEqualTo(idA);

        assertThat(SERVER.postJson("/api/v1/uploads/" + idA + "/commit", a, "").statusCode())
                .isEqualTo(200);
        assertThat(SERVER.postJson("/api/v1/uploads/" + idB + "/commit", admin, "")
                        .statusCode())
                .isEqualTo(200);
        assertThat(TestServer.json(SERVER.get("/api/v1/users", a))
                        .get("totalItems")
                        .asLong())
                .isEqualTo(3);
        assertThat(TestServer.json(SERVER.get("/api/v1/users?uploadId=" + idB, a))
                        .get("totalItems")
                        .asLong())
                .isZero();
        assertThat(TestServer.json(SERVER.get("/api/v1/users", admin))
                        .get("totalItems")
                        .asLong())
                .isEqualTo(6);

        // the committed uploads, from the database: still listed, with their file names, once no longer staged
        assertThat(SERVER.delete("/api/v1/uploads/" + idA, a).statusCode()).isEqualTo(204);
        JsonNode commitsA = TestServer.json(SERVER.get("/api/v1/commits", a));
        assertThat(commitsA.get("totalItems").asLong()).isEqualTo(1);
        JsonNode commitA = commitsA.get("items").get(0);
        assertThat(commitA.get("uploadId").asText()).isEqualTo(idA);
        assertThat(commitA.get("fileName").asText()).isEqualTo("people.xlsx");
        assertThat(commitA.get("owner").asText()).isEqualTo("clerk-a");
        assertThat(commitA.get("mode").asText()).isEqualTo("all");
        assertThat(commitA.get("records").asLong()).isEqualTo(3);
        assertThat(commitA.get("committed").asLong()).isEqualTo(3);
        assertThat(commitA.get("skipped").asLong()).isZero();
        assertThat(commitA.get("conflicts").asLong()).isZero();
        assertThat(commitA.get("committedAt").asText()).isNotEmpty();
        assertThat(commitA.get("sheet").isTextual()).isTrue();
        // an upload committed before the sheet was kept (a database upgraded from an earlier version): no sheet member
        try (Connection c = DriverManager.getConnection(
                        SERVER.config().jdbcUrl(),
                        SERVER.config().dbUser(),
                        SERVER.config().dbPassword());
                PreparedStatement older = c.prepareStatement("UPDATE uploads SET sheet = NULL WHERE id = ?")) {
            older.setString(1, idA);
            assertThat(older.executeUpdate()).isEqualTo(1);
        }
        assertThat(TestServer.json(SERVER.get("/api/v1/commits", a))
                        .get("items")
                        .get(0)
                        .has("sheet"))
                .isFalse();
        JsonNode commitsAdmin = TestServer.json(SERVER.get("/api/v1/commits?page=1&size=1", admin));
        assertThat(commitsAdmin.get("totalItems").asLong()).isEqualTo(2);
        assertThat(commitsAdmin.get("totalPages").asLong()).isEqualTo(2);
        assertThat(commitsAdmin.get("items").get(0).get("uploadId").asText()).isEqualTo(idB); // the last committed
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/commits?size=501", a), 400))
                .isEqualTo("request.invalid_parameter");
    }

    @Test
    void uploads_needToken() {
        assertThat(SERVER.get("/api/v1/uploads", null).statusCode()).isEqualTo(401);
        assertThat(SERVER.get("/api/v1/users", null).statusCode()).isEqualTo(401);
        assertThat(SERVER.get("/api/v1/commits", null).statusCode()).isEqualTo(401);
    }
}
