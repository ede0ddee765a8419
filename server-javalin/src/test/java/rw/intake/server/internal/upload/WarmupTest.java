package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import rw.intake.server.TestServer;
import rw.intake.server.internal.ops.Health;
import rw.intake.server.internal.ops.Training;
import rw.intake.server.internal.ops.Warmup;
import rw.intake.storage.UserQuery;

/**
 * The warm-up after start ({@code WARMUP}, {@link Warmup}) over real HTTP and real databases: {@code /ready} waits for
 * it, it ends by its own path (the commit abandoned, not a failure), and it leaves nothing behind: no saved user, no
 * committed upload, nothing staged, listed or counted. Then the same server serves the training workload of the class-data-sharing
 * archive ({@link Training}), whose every answer is checked.
 */
final class WarmupTest {

    @Test
    void warmup_h2_readyAfterItLeavesNothing() throws Exception {
        warmUpOn(new HashMap<>(), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"INTAKE_TEST_POSTGRES_URL", "INTAKE_TEST_MARIADB_URL"})
    void warmup_otherDatabases_readyAfterItLeavesNothing(String variable) throws Exception {
        try (ExternalDatabase db = ExternalDatabase.create(variable)) {
            warmUpOn(db.env(), db);
        }
    }

    @Test
    void warmup_off_readyAtOnce() {
        try (TestServer server = TestServer.start(Map.of("WARMUP", "false"))) {
            HttpResponse<String> ready = server.get(Health.READY, null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(ready).get("checks").get("warmup").asText())
                    .isEqualTo("ok");
        }
    }

    @Test
    void workbook_readsBackAsRecordsWithSomeDefects() {
        byte[] xlsx = Warmup.workbook(Warmup.ROWS);
        String id = null;
        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("reader");
            id = Workbooks.accepted(server, token, xlsx);
            JsonNode summary = Workbooks.settled(server, token, id);
            assertThat(summary.get("status").asText()).isEqualTo("validated");
            JsonNode totals = summary.get("totals");
            assertThat(totals.get("records").asLong()).isEqualTo(Warmup.ROWS);
            assertThat(totals.get("invalid").asLong()).isBetween(Warmup.ROWS / 50L, Warmup.ROWS / 4L);
            assertThat(summary.get("violationsByCode").has("nid.duplicate")).isTrue();
        }
        assertThat(id).isNotNull();
    }

    private static void warmUpOn(Map<String, String> env, ExternalDatabase db) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Warmup.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        env.put("WARMUP", "true");
        long fullCollections = fullCollections();
        try (TestServer server = TestServer.start(env)) {
            HttpResponse<String> ready = readyWithin(server, 120);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(TestServer.json(ready).get("checks").get("warmup").asText())
                    .isEqualTo("ok");
            List<String> said =
                    lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(said).hasSize(1);
            assertThat(said.get(0))
                    .startsWith("warm-up done in ")
                    .contains(Warmup.ROWS + " records")
                    .containsPattern("then a full collection in \\d+ ms, \\d+ MB of heap kept");
            assertThat(fullCollections()).as("full collections").isGreaterThan(fullCollections);

            assertThat(server.storage()
                            .users()
                            .users(new UserQuery(1, 10, null, null, null))
                            .totalItems())
                    .isZero();
            if (db != null) {
                assertThat(db.count("SELECT COUNT(*) FROM uploads")).isZero();
                assertThat(db.count("SELECT COUNT(*) FROM users")).isZero();
            }
            String admin = server.adminToken();
            assertThat(TestServer.json(server.get("/api/v1/uploads", admin)).size())
                    .isZero();
            // its upload went through a staging store of its own: not counted, not staged, nothing reserved
            String metrics = server.get("/metrics", admin).body();
            assertThat(metrics).doesNotContainPattern("(?m)^intake_uploads_total\\{[^}]*\\} [1-9]");
            assertThat(metrics).containsPattern("(?m)^intake_staging_uploads(\\{[^}]*\\})? 0\\.0$");
            assertThat(metrics).containsPattern("(?m)^intake_staging_records(\\{[^}]*\\})? 0\\.0$");

            Training.run(server.app().port(), TestServer.ADMIN, TestServer.ADMIN_PASSWORD);
            assertThat(server.storage()
                            .users()
                            .users(new UserQuery(1, 10, null, null, null))
                            .totalItems())
                    .isEqualTo(1_000);
        } finally {
            logger.detachAppender(lines);
        }
    }

    /** Collections of the whole heap so far, in this JVM (G1's full collections are its "old generation" ones). */
    private static long fullCollections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> gc.getName().contains("Old") || gc.getName().contains("MarkSweep"))
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    /** Polls {@code /ready} until it answers 200 or the time is up; returns the last answer. */
    private static HttpResponse<String> readyWithin(TestServer server, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpResponse<String> ready = server.get(Health.READY, null);
        while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
            assertThat(TestServer.json(ready).get("checks").get("warmup").asText())
                    .isEqualTo("running");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            ready = server.get(Health.READY, null);
        }
        return ready;
    }
}
