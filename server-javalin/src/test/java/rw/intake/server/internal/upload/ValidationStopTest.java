package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * A validation stopped half way, by a delete or by the server's stop, ends its four stages at once: no thread of the
 * reader, checker, look-up or staging pools is left in the pipeline's code (seen by thread names and stacks).
 */
final class ValidationStopTest {

    private static final List<String> STAGE_THREADS =
            List.of("intake-read-", "intake-validate-", "intake-lookup-", "intake-register-");
    private static final String PIPELINE = "rw.intake.server.internal.pipeline.";
    /** Enough rows that validation runs for a good while after the 202. */
    private static final byte[] LARGE = Workbooks.xlsx(Workbooks.people(0, 200_000));

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void delete_whileValidating_endsTheStages() {
        server = TestServer.start();
        String token = server.clerkToken("stopper");
        String id = Workbooks.accepted(server, token, LARGE);
        waitUntil("a stage runs", () -> stagesRunning() > 0);
        assertThat(TestServer.json(server.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText())
                .isEqualTo("validating");

        assertThat(server.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);

        waitUntil("every stage ended", () -> stagesRunning() == 0);
        assertThat(server.get("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(404);
        // stopped, not run to its end: no validation ended, validated or failed
        assertThat(server.get("/metrics", server.adminToken()).body())
                .containsPattern("(?m)^intake_validation_rows_count 0(\\.0)?$");
    }

    @Test
    void close_whileValidating_endsTheStageThreads() {
        server = TestServer.start();
        String token = server.clerkToken("stopper");
        Workbooks.accepted(server, token, LARGE);
        waitUntil("a stage runs", () -> stagesRunning() > 0);

        server.close();
        server = null;

        waitUntil("no stage thread is left", () -> stageThreads().isEmpty());
    }

    private static List<Thread> stageThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> STAGE_THREADS.stream().anyMatch(t.getName()::startsWith))
                .toList();
    }

    /** Stage threads with the pipeline's code on their stack. */
    private static long stagesRunning() {
        return stageThreads().stream()
                .filter(t -> List.of(t.getStackTrace()).stream()
                        .anyMatch(f -> f.getClassName().startsWith(PIPELINE)))
                .count();
    }

    /** Waits, spinning (no sleep), until the condition holds. */
    private static void waitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
