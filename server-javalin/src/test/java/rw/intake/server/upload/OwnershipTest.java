package rw.intake.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/** A clerk sees only its own uploads and users (404, not 403, for others'); an admin sees everyone's. */
final class OwnershipTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void uploads_othersAreNotFound() {
        String a = server.clerkToken("clerk-a");
        String b = server.clerkToken("clerk-b");
        String admin = server.adminToken();
        String idA = Workbooks.accepted(server, a, Workbooks.xlsx(Workbooks.people(100, 3)));
        String idB = Workbooks.accepted(server, b, Workbooks.xlsx(Workbooks.people(200, 3)));
        Workbooks.settled(server, a, idA);
        Workbooks.settled(server, b, idB);

        for (String path : List.of("", "/records")) {
            assertThat(Workbooks.problemCode(server.get("/api/v1/uploads/" + idA + path, b), 404))
                    .isEqualTo("upload.not_found");
            assertThat(server.get("/api/v1/uploads/" + idA + path, admin).statusCode()).isEqualTo(200);
        }
        assertThat(Workbooks.problemCode(server.postJson("/api/v1/uploads/" + idA + "/commit", b, ""), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(server.delete("/api/v1/uploads/" + idA, b), 404)).isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(server.get("/api/v1/uploads/no-such-id", a), 404)).isEqualTo("upload.not_found");

        JsonNode listA = TestServer.json(server.get("/api/v1/uploads", a));
        assertThat(listA).hasSize(1);
        assertThat(listA.get(0).get("id").asText()).isEqualTo(idA);
        JsonNode listAdmin = TestServer.json(server.get("/api/v1/uploads", admin));
        assertThat(listAdmin).hasSize(2);
        assertThat(listAdmin.get(0).get("id").asText()).isEqualTo(idB);
        assertThat(listAdmin.get(1).get("id").asText()).isEqualTo(idA);

        assertThat(server.postJson("/api/v1/uploads/" + idA + "/commit", a, "").statusCode()).isEqualTo(200);
        assertThat(server.postJson("/api/v1/uploads/" + idB + "/commit", admin, "").statusCode()).isEqualTo(200);
        assertThat(TestServer.json(server.get("/api/v1/users", a)).get("totalItems").asLong()).isEqualTo(3);
        assertThat(TestServer.json(server.get("/api/v1/users?uploadId=" + idB, a)).get("totalItems").asLong()).isZero();
        assertThat(TestServer.json(server.get("/api/v1/users", admin)).get("totalItems").asLong()).isEqualTo(6);
    }

    @Test
    void uploads_needToken() {
        assertThat(server.get("/api/v1/uploads", null).statusCode()).isEqualTo(401);
        assertThat(server.get("/api/v1/users", null).statusCode()).isEqualTo(401);
    }
}
