package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
            assertThat(ServerProcess.poll(
                            Duration.ofSeconds(60),
                            () -> "committing".equals(server.status(id))
                                    && ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES) == 1))
                    .as("the commit loads its table")
                    .isTrue();

            pg.stopServer();

            HttpResponse<String> failed = commit.join();
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
            assertThat(ServerProcess.poll(
                            Duration.ofSeconds(60),
                            () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                    .as("ready again")
                    .isTrue();
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
}
