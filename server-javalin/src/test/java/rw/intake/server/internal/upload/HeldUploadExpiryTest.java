package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import rw.intake.excel.ReadLimits;
import rw.intake.server.TestServer;
import rw.intake.server.internal.auth.Principal;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Storage;

/**
 * An upload the server works on does not expire, however long no one reads it: one whose commit waits for the
 * database (a table held by the test, on PostgreSQL) outlives the idle time, and expires again once idle after it. The
 * server's clock is moved instead of waiting.
 */
final class HeldUploadExpiryTest {

    @Test
    void aCommitWaitingLongerThanTheIdleTime_keepsItsUpload_whichExpiresOnceIdleAfterIt() throws Exception {
        try (ExternalDatabase db = ExternalDatabase.create("INTAKE_TEST_POSTGRES_URL");
                TestServer server = TestServer.start(db.envWithMemoryStaging())) {
            String token = server.clerkToken("held");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(610_000, 3)));
            Workbooks.settled(server, token, id);
            Duration idle = server.config().stagingIdleExpiry();

            CompletableFuture<HttpResponse<String>> commit;
            try (Connection held = db.holding("uploads")) {
                commit = CompletableFuture.supplyAsync(
                        () -> server.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}"));
                db.awaitALockWaitOn("uploads");

                // the list reads no upload as an access; the upload is there, being committed
                server.advance(idle.plusMinutes(5));
                assertThat(TestServer.json(server.get("/api/v1/uploads", token))
                                .get(0)
                                .get("status")
                                .asText())
                        .isEqualTo("committing");
                held.rollback();
            }
            HttpResponse<String> committed = commit.get(60, TimeUnit.SECONDS);
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            assertThat(TestServer.json(server.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("committed");

            server.advance(idle.plusSeconds(1));
            assertThat(TestServer.json(server.get("/api/v1/uploads", token))).isEmpty();
        }
    }

    /**
     * On Redis the upload's keys expire by Redis' own clock: a commit that waits for the database three times the idle
     * time (one second here) finds every key of its upload there all along, and commits it.
     */
    @Test
    void redis_aCommitWaitingLongerThanTheIdleTime_keepsItsUploadsKeys() throws Exception {
        Duration idle = Duration.ofSeconds(1);
        String prefix = TestServer.freshRedisPrefix();
        UploadModule.Settings settings = new UploadModule.Settings(
                ReadLimits.defaults(),
                100_000,
                100_000,
                5,
                idle,
                1,
                new UploadModule.Redis(TestServer.REDIS_URL, prefix, true, Duration.ofMillis(300), false, 1 << 20));
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (ExternalDatabase db = ExternalDatabase.create("INTAKE_TEST_POSTGRES_URL");
                Storage storage = Storage.open(DatabaseConfig.of(
                        db.env().get("DB_URL"),
                        db.env().getOrDefault("DB_USER", ""),
                        db.env().getOrDefault("DB_PASSWORD", "")));
                UploadModule module = UploadModule.create(settings, storage.users());
                StatefulRedisConnection<String, String> redis = client.connect()) {
            Principal clerk = new Principal("clerk", Principal.CLERK);
            byte[] file = Workbooks.xlsx(Workbooks.people(620_000, 3));
            String id = module.service()
                    .accept(clerk, new IncomingFile("a.xlsx", file), null)
                    .id();
            module.service().awaitValidation(clerk, id, Duration.ofSeconds(30));
            String meta = "{" + prefix + ":" + id + "}:meta";

            CompletableFuture<CommitResult> commit;
            try (Connection held = db.holding("uploads")) {
                commit = CompletableFuture.supplyAsync(() -> module.service().commit(clerk, id, CommitMode.ALL));
                db.awaitALockWaitOn("uploads");
                long until = System.nanoTime() + 3 * idle.toNanos();
                while (System.nanoTime() < until) {
                    assertThat(redis.sync().exists(meta))
                            .as("the upload's meta in Redis")
                            .isOne();
                    assertThat(redis.sync().pttl(meta)).isPositive();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                held.rollback();
            }
            assertThat(commit.get(60, TimeUnit.SECONDS).committed()).isEqualTo(3);
            assertThat(module.service().summary(clerk, id).status()).isEqualTo("committed");
        } finally {
            client.shutdown();
        }
    }
}
