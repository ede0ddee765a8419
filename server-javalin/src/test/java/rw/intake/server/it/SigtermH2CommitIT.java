package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the real server on an embedded H2 file database while it commits 200,000 records, with a grace period of
 * 1 s: closing the pool does not stop a statement H2 runs on the commit's own thread, so the store cancels the commit
 * and waits for it to roll back before the database closes. The commit is answered 503 {@code database.unavailable}
 * (or its connection is cut), the process exits within a bound with the signal's status, its log says the commit was
 * cancelled and rolled back (and nothing it cannot know), and the restart on the same file comes up at the first try
 * and holds the whole upload or none of it.
 */
final class SigtermH2CommitIT {

    /** Grace period, the store's wait for the cancelled commit ({@code JdbiStorage.H2_STOP}, 20 s), and margin. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(40);

    @Test
    void sigtermOnH2DuringACommitPastTheGrace_commitCancelledAndRolledBack_restartAtTheFirstTry() {
        byte[] workbook = ServerProcess.workbook();
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.H2)) {
            try (ServerProcess server = ServerProcess.start(
                    "sigterm-h2-commit", ServerProcess.env(db.url(), "SHUTDOWN_GRACE_SECONDS", "1"))) {
                String id = server.uploadValidated(workbook);
                // the warm-up's rehearsed commits are over: only the commit below runs
                assertThat(ServerProcess.poll(
                                Duration.ofMinutes(2),
                                () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                        .isTrue();
                CompletableFuture<HttpResponse<String>> commit = server.commitAsync(id);
                assertThat(ServerProcess.poll(Duration.ofSeconds(60), () -> "committing".equals(server.status(id))))
                        .isTrue();
                long start = System.nanoTime();

                server.terminate();

                Integer exit = server.waitFor(EXIT_WITHIN);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(exit).as("exit status, %s after SIGTERM", took).isEqualTo(143);
                HttpResponse<String> answered;
                try {
                    answered = commit.join();
                } catch (CompletionException cut) {
                    answered = null; // the connection was cut: allowed
                }
                if (answered != null) {
                    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(503);
                    assertThat(ServerProcess.json(answered).get("code").asText())
                            .isEqualTo("database.unavailable");
                }
                List<String> log = server.logLines();
                assertThat(log)
                        .anyMatch(l -> l.contains("after the grace period of 1 s"))
                        .anyMatch(l -> l.contains("1 commit(s) among them cancelled and rolled back"))
                        .noneMatch(l -> l.contains("were rolled back"))
                        .noneMatch(l -> l.contains("still in use"))
                        .noneMatch(l -> l.contains("had not ended"))
                        .noneMatch(l -> l.contains("Couldn't stop Thread"));
            }
            try (ServerProcess server =
                    ServerProcess.start("sigterm-h2-commit-restarted", ServerProcess.env(db.url()))) {
                long users = server.committedUsers();
                JsonNode commits = ServerProcess.json(server.get("/api/v1/commits"));

                assertThat(users).isIn(0L, (long) ServerProcess.ROWS);
                assertThat(commits.get("totalItems").asLong()).isEqualTo(users == 0 ? 0 : 1);
                if (users > 0) {
                    assertThat(commits.get("items").get(0).get("committed").asLong())
                            .isEqualTo(ServerProcess.ROWS);
                }
                // every connection came back before the database closed: the stop was marked clean
                assertThat(server.logLines()).noneMatch(l -> l.contains("unclean stop"));
            }
        }
    }
}
