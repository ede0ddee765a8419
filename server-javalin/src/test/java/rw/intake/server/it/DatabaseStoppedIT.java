package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The database stopped while the real server commits 200,000 records into a partition of their own: a private
 * PostgreSQL cluster ({@link PrivatePostgres}) that the test stops and starts again.
 */
final class DatabaseStoppedIT {

    @Test
    void databaseStoppedDuringCommit_503_uploadKept_retryAfterRestartCommitsOnce() {
        assumeTrue(
                PrivatePostgres.available(),
                "no PostgreSQL 15 binaries, runuser or root: the database-stopped robustness test is skipped");
        byte[] workbook = ServerProcess.workbook();
        try (PrivatePostgres pg = PrivatePostgres.start("db-stopped");
                ServerProcess server = ServerProcess.start(
                        "db-stopped", ServerProcess.env(pg.url(), "DB_CONNECT_TIMEOUT_SECONDS", "2"))) {
            String id = server.uploadValidated(workbook);
            CompletableFuture<HttpResponse<String>> commit = server.commitAsync(id);
            awaitLoading(server, pg, id, "the commit loads its table");

            pg.stopServer();

            HttpResponse<String> failed = server.answer(commit);
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
            assertThat(failed.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(ServerProcess.json(failed).get("code").asText()).isEqualTo("database.unavailable");
            assertThat(failed.headers().firstValue("Retry-After")).isPresent();
            assertThat(server.status(id)).isEqualTo("validated");
            HttpResponse<String> ready = server.getPublic("/api/v1/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ServerProcess.json(ready).get("checks").get("database").asText())
                    .isEqualTo("unavailable");
            assertThat(server.getPublic("/api/v1/health/live").statusCode()).isEqualTo(200);

            pg.startServer();
            awaitReady(server);
            assertThat(ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES))
                    .as("the failed commit's table")
                    .isZero();
            HttpResponse<String> retry = server.commit(id);

            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(ServerProcess.json(retry).get("committed").asLong()).isEqualTo(ServerProcess.ROWS);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM uploads"))
                    .isEqualTo(1);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM users"))
                    .isEqualTo(ServerProcess.ROWS);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(DISTINCT \"row_number\") FROM users"))
                    .isEqualTo(ServerProcess.ROWS);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM registered_nids"))
                    .isEqualTo(ItDatabase.queryLong(
                            pg.url(), "SELECT COUNT(*) FROM users WHERE registered_nid IS NOT NULL"));
            assertThat(ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES)).isZero();
        }
    }

    /**
     * The database frozen in the middle of a commit (nothing answers, connections stay open): the commit fails as
     * {@code database.unavailable} once {@code DB_NETWORK_TIMEOUT_SECONDS} pass, not never. Then the database crashed in
     * the middle of the next attempt: 503 as well, not 500. The third attempt, with the database back, commits once.
     */
    @Test
    void databaseFrozenThenCrashedDuringCommit_503Each_thenCommitsOnce() {
        assumeTrue(
                PrivatePostgres.available(),
                "no PostgreSQL 15 binaries, runuser or root: the database-frozen robustness test is skipped");
        byte[] workbook = ServerProcess.workbook();
        try (PrivatePostgres pg = PrivatePostgres.start("db-frozen");
                ServerProcess server = ServerProcess.start(
                        "db-frozen",
                        ServerProcess.env(
                                pg.url(), "DB_CONNECT_TIMEOUT_SECONDS", "2", "DB_NETWORK_TIMEOUT_SECONDS", "3"))) {
            String id = server.uploadValidated(workbook);

            CompletableFuture<HttpResponse<String>> frozen = server.commitAsync(id);
            awaitLoading(server, pg, id, "the commit loads its table");
            pg.freeze();
            HttpResponse<String> timedOut;
            try {
                timedOut = frozen.orTimeout(90, TimeUnit.SECONDS).join();
            } finally {
                pg.thaw();
            }
            assertUnavailable(timedOut);
            assertThat(server.status(id)).isEqualTo("validated");

            awaitReady(server);
            assertThat(ServerProcess.poll(
                            Duration.ofSeconds(60), () -> ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES) == 0))
                    .as("the frozen attempt's table dropped")
                    .isTrue();
            CompletableFuture<HttpResponse<String>> crashed = server.commitAsync(id);
            awaitLoading(server, pg, id, "the second attempt loads its table");
            pg.crash();
            assertUnavailable(server.answer(crashed));
            assertThat(server.status(id)).isEqualTo("validated");

            pg.startServer();
            awaitReady(server);
            HttpResponse<String> retry = server.commit(id);
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM users"))
                    .isEqualTo(ServerProcess.ROWS);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM uploads"))
                    .isEqualTo(1);
            assertThat(ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES)).isZero();
        }
    }

    private static void assertUnavailable(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(ServerProcess.json(r).get("code").asText()).isEqualTo("database.unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    /** Waits until the commit of {@code id} is loading its table (a partition of its own). */
    private static void awaitLoading(ServerProcess server, PrivatePostgres pg, String id, String what) {
        assertThat(ServerProcess.poll(
                        Duration.ofSeconds(60),
                        () -> "committing".equals(server.status(id))
                                && ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES) == 1))
                .as(what)
                .isTrue();
    }

    /** Waits until the server is ready again (its database back). */
    private static void awaitReady(ServerProcess server) {
        assertThat(ServerProcess.poll(
                        Duration.ofSeconds(60),
                        () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                .as("ready again")
                .isTrue();
    }
}
