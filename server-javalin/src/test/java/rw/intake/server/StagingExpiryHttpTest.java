package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/** Idle expiry and login lock-out over real HTTP, with the server's clock moved instead of sleeping. */
final class StagingExpiryHttpTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String validatedUpload(String token) {
        byte[] xlsx = SampleWorkbooks.xlsxBytes(SampleSpec.of(30, 11));
        HttpResponse<String> r = server.postMultipart("/api/v1/uploads", token, "file", "people.xlsx", xlsx);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = TestServer.json(r).get("id").asText();
        for (int i = 0; i < 2_000; i++) {
            String status = TestServer.json(server.get("/api/v1/uploads/" + id, token)).get("status").asText();
            if (!"validating".equals(status)) {
                assertThat(status).isEqualTo("validated");
                return id;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("upload " + id + " did not finish validating");
    }

    @Test
    void upload_idleLongerThanExpiryIsNotFound() {
        String token = server.clerkToken("idle");
        String id = validatedUpload(token);
        Duration idle = server.config().stagingIdleExpiry();

        server.advance(idle.minusMinutes(1));
        assertThat(server.get("/api/v1/uploads/" + id + "/records", token).statusCode()).isEqualTo(200);

        server.advance(idle.plusSeconds(1));
        HttpResponse<String> gone = server.get("/api/v1/uploads/" + id, token);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(gone).get("code").asText()).isEqualTo("upload.not_found");
        assertThat(server.get("/api/v1/uploads/" + id + "/records", token).statusCode()).isEqualTo(404);
        assertThat(server.postJson("/api/v1/uploads/" + id + "/commit", token, "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void token_lockOutEndsWithTime() {
        server.clerkToken("locked");
        String wrong = "{\"username\":\"locked\",\"password\":\"wrong-password\"}";
        String right = "{\"username\":\"locked\",\"password\":\"locked-password\"}";
        for (int i = 0; i < 5; i++) {
            assertThat(server.postJson("/api/v1/token", null, wrong).statusCode()).isEqualTo(401);
        }
        assertThat(server.postJson("/api/v1/token", null, right).statusCode()).isEqualTo(429);
        server.advance(Duration.ofSeconds(31));
        assertThat(server.postJson("/api/v1/token", null, right).statusCode()).isEqualTo(200);
    }
}
