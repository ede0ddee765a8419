package rw.intake.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** HEAD answers as GET does, without the body, over real HTTP. */
final class HeadRequestTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    /** GET and HEAD of the path: the same status, content type and security headers, and HEAD has no body. */
    private static void sameAsGet(String path, String token, int status) {
        HttpResponse<String> get = SERVER.get(path, token);
        HttpResponse<byte[]> head = SERVER.send(
                SERVER.request(path, token)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).as("GET " + path).isEqualTo(status);
        assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(status);
        assertThat(head.body()).as("HEAD " + path).isEmpty();
        for (String header : new String[] {"Content-Type", "Cache-Control", "Content-Security-Policy"}) {
            assertThat(head.headers().firstValue(header))
                    .as("HEAD " + path + " " + header)
                    .isEqualTo(get.headers().firstValue(header));
        }
        assertThat(head.headers().firstValue("X-Request-Id")).as("HEAD " + path).isPresent();
    }

    @Test
    void head_answersAsGet() {
        String admin = SERVER.adminToken();
        sameAsGet("/", null, 200);
        sameAsGet("/assets/app.js", null, 200);
        sameAsGet("/api/v1", null, 200);
        sameAsGet("/api/v1/health/live", null, 200);
        sameAsGet("/api/v1/health/ready", null, 200);
        sameAsGet("/api/v1/openapi.json", null, 200);
        sameAsGet("/api/v1/uploads", admin, 200);
        sameAsGet("/api/v1/users?size=1", admin, 200);
    }

    @Test
    void head_refusedAsGetIs() {
        // Javalin alone answered these 200 with nothing: HEAD passed the GET route's before-handlers only
        sameAsGet("/metrics", null, 401);
        sameAsGet("/metrics", SERVER.clerkToken("head-clerk"), 403);
        sameAsGet("/api/v1/uploads/no-such-upload", SERVER.adminToken(), 404);
        sameAsGet("/api/v1/uploads/no-such-upload/records?size=0", SERVER.adminToken(), 400);
        sameAsGet("/api/v1/uploads", null, 401);
        sameAsGet("/no-such-page", null, 404);
    }
}
