package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/** {@code GET /api/v1/uploads/{id}?wait=N}: the summary once validation has ended, in one request. */
final class SummaryWaitTest {
    private static final int ROWS = 20_000;

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    /** Waits (at most 20 s a request, so a slow machine only asks again) until the upload is not validating. */
    private static JsonNode waited(String token, String id) {
        while (true) {
            HttpResponse<String> r = SERVER.get("/api/v1/uploads/" + id + "?wait=20", token);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode s = TestServer.json(r);
            if (!"validating".equals(s.get("status").asText())) {
                return s;
            }
        }
    }

    @Test
    void wait_answersWithTheSummaryOfTheEndedValidation() {
        String token = SERVER.clerkToken("waiter");
        String id = Workbooks.accepted(SERVER, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 7)));

        JsonNode ended = waited(token, id);

        assertThat(ended.get("status").asText()).isEqualTo("validated");
        assertThat(ended.get("progress").get("rowsRead").asLong()).isEqualTo(ROWS);
        assertThat(ended.get("totals").get("records").asLong()).isEqualTo(ROWS);
        // a settled upload: the same summary as without waiting
        JsonNode again = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "?wait=20", token));
        JsonNode plain = TestServer.json(SERVER.get("/api/v1/uploads/" + id, token));
        assertThat(again).isEqualTo(plain).isEqualTo(ended);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "?wait=0", token)))
                .isEqualTo(plain);
    }

    @Test
    void wait_endsWith404WhenTheUploadIsDeletedMeanwhile() {
        String token = SERVER.clerkToken("deleter");
        String id = Workbooks.accepted(SERVER, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 8)));
        CompletableFuture<HttpResponse<String>> waiting = SERVER.client()
                .sendAsync(
                        SERVER.request("/api/v1/uploads/" + id + "?wait=20", token)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(SERVER.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);

        HttpResponse<String> answer = waiting.join();
        // deleted while it waited: 404; or validation ended before the delete: that summary
        if (answer.statusCode() == 404) {
            assertThat(Workbooks.problemCode(answer, 404)).isEqualTo("upload.not_found");
        } else {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(TestServer.json(answer).get("status").asText()).isEqualTo("validated");
        }
    }

    @Test
    void wait_outOfRange_isA400_andAnotherUsersUploadA404() {
        String token = SERVER.clerkToken("ranger");
        String id = Workbooks.accepted(SERVER, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(100, 9)));
        for (String wait : new String[] {"21", "-1", "soon", "1.5"}) {
            HttpResponse<String> r = SERVER.get("/api/v1/uploads/" + id + "?wait=" + wait, token);
            assertThat(Workbooks.problemCode(r, 400)).as(wait).isEqualTo("request.invalid_parameter");
            assertThat(TestServer.json(r).get("parameter").asText()).isEqualTo("wait");
        }
        HttpResponse<String> other = SERVER.get("/api/v1/uploads/" + id + "?wait=20", SERVER.clerkToken("other"));
        assertThat(Workbooks.problemCode(other, 404)).isEqualTo("upload.not_found");
        assertThat(SERVER.get("/api/v1/uploads/nope?wait=20", token).statusCode())
                .isEqualTo(404);
    }
}
