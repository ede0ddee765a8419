package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/** Idle expiry and login lock-out over real HTTP, with the server's clock moved instead of sleeping. */
final class StagingExpiryHttpTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static String validatedUpload(String token) {
        byte[] xlsx = SampleWorkbooks.xlsxBytes(SampleSpec.of(30, 11));
        HttpResponse<String> r = SERVER.postMultipart("/api/v1/uploads", token, "file", "people.xlsx", xlsx);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = TestServer.json(r).get("id").asText();
        for (int i = 0; i < 2_000; i++) {
            String status = TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                    .get("status")
                    .asText();
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
        String token = SERVER.clerkToken("idle");
        String id = validatedUpload(token);
        Duration idle = SERVER.config().stagingIdleExpiry();

        SERVER.advance(idle.minusMinutes(1));
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records", token).statusCode())
                .isEqualTo(200);

        SERVER.advance(idle.plusSeconds(1));
        HttpResponse<String> gone = SERVER.get("/api/v1/uploads/" + id, token);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(gone).get("code").asText()).isEqualTo("upload.not_found");
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records", token).statusCode())
                .isEqualTo(404);
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void token_lockOutEndsWithTime() {
        SERVER.clerkToken("locked");
        String wrong = "{\"username\":\"locked\",\"password\":\"wrong-password\"}";
        String right = "{\"username\":\"locked\",\"password\":\"locked-password\"}";
        for (int i = 0; i < 5; i++) {
            assertThat(SERVER.postJson("/api/v1/token", null, wrong).statusCode())
                    .isEqualTo(401);
        }
        assertThat(SERVER.postJson("/api/v1/token", null, right).statusCode()).isEqualTo(429);
        SERVER.advance(Duration.ofSeconds(61));
        assertThat(SERVER.postJson("/api/v1/token", null, right).statusCode()).isEqualTo(200);
    }
}
