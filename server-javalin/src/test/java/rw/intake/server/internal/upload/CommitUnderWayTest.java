package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * A commit (or its preview) sent while another commit of the same upload waits for the database is 409
 * {@code upload.committing} with {@code Retry-After}, not {@code upload.already_committed}: that commit may yet fail
 * (here its connection is ended, as an outage would), and the upload is then committed by the next request.
 */
final class CommitUnderWayTest {

    @Test
    void aCommitWhileAnotherRuns_isToldItRuns_andTheUploadIsCommittedOnceItFailed() throws Exception {
        try (ExternalDatabase db = ExternalDatabase.create("INTAKE_TEST_POSTGRES_URL");
                TestServer server = TestServer.start(db.envWithMemoryStaging())) {
            String token = server.clerkToken("retrier");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(620_000, 4)));
            Workbooks.settled(server, token, id);
            String commit = "/api/v1/uploads/" + id + "/commit";

            CompletableFuture<HttpResponse<String>> first;
            try (Connection held = db.holding("uploads")) {
                first = CompletableFuture.supplyAsync(() -> server.postJson(commit, token, "{\"records\":\"all\"}"));
                db.awaitALockWaitOn("uploads");

                HttpResponse<String> again = server.postJson(commit, token, "{\"records\":\"all\"}");
                assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
                assertThat(TestServer.json(again).get("code").asText()).isEqualTo("upload.committing");
                assertThat(again.headers().firstValue("Retry-After")).hasValue("2");
                HttpResponse<String> preview = server.get("/api/v1/uploads/" + id + "/commit-preview", token);
                assertThat(TestServer.json(preview).get("code").asText()).isEqualTo("upload.committing");

                assertThat(db.endTheWaitsOn("uploads")).isOne();
                held.rollback();
            }
            HttpResponse<String> failed = first.get(60, TimeUnit.SECONDS);
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
            assertThat(db.count("SELECT COUNT(*) FROM users")).isZero();

            HttpResponse<String> committed = server.postJson(commit, token, "{\"records\":\"all\"}");
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            assertThat(db.count("SELECT COUNT(*) FROM users")).isEqualTo(4);
            HttpResponse<String> after = server.postJson(commit, token, "{\"records\":\"all\"}");
            assertThat(TestServer.json(after).get("code").asText()).isEqualTo("upload.already_committed");
        }
    }
}
