package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.auth.AccountStanding;
import rw.intake.server.internal.upload.Workbooks;

/**
 * The health probes, and the server while its database is away: an H2 server the test starts on a free port and
 * stops, then starts again on the same files (the server under test reaches it over TCP, as it would a database host).
 */
final class OutageTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger standing = (Logger) LoggerFactory.getLogger(AccountStanding.class);

    @BeforeEach
    void attachLog() {
        log.start();
        root.addAppender(log);
        standing.setLevel(Level.DEBUG);
    }

    @AfterEach
    void detachLog() {
        root.detachAppender(log);
        standing.setLevel(null);
    }

    @Test
    void healthRoutes_noToken_liveAndReady() {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> live = server.get("/api/v1/health/live", null);
            HttpResponse<String> ready = server.get("/api/v1/health/ready", null);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(live).get("status").asText()).isEqualTo("live");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(ready).toString())
                    .isEqualTo("{\"status\":\"ready\",\"checks\":{\"database\":\"ok\",\"staging\":\"ok\","
                            + "\"warmup\":\"ok\",\"shutdown\":\"ok\"}}");
        }
    }

    @Test
    void ready_stagingFull_503NamingIt() {
        try (TestServer server = TestServer.start(
                Map.of("MAX_ROWS", "5", "STAGING_MAX_RECORDS", "5", "STAGING_MAX_RECORDS_PER_USER", "5"))) {
            String token = server.clerkToken("clerk1");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(1, 5)));
            Workbooks.settled(server, token, id);

            HttpResponse<String> ready = server.get("/api/v1/health/ready", null);

            assertThat(Workbooks.problemCode(ready, 503)).isEqualTo("server.not_ready");
            JsonNode body = TestServer.json(ready);
            assertThat(body.get("detail").asText()).isEqualTo("not ready: staging: full: 5 of 5 records reserved");
            assertThat(body.get("checks").get("database").asText()).isEqualTo("ok");

            // committed, its records are room that a new upload takes: ready
            assertThat(server.postJson("/api/v1/uploads/" + id + "/commit", token, "{}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.get("/api/v1/health/ready", null).statusCode()).isEqualTo(200);

            if ("redis".equals(TestServer.stagingUnderTest())) {
                return; // Redis expires uploads by its own clock, not the server's that the test moves
            }
            // a new upload takes them; once it is idle past the expiry, ready again without another request
            String next = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(6, 5)));
            Workbooks.settled(server, token, next);
            assertThat(Workbooks.problemCode(server.get("/api/v1/health/ready", null), 503))
                    .isEqualTo("server.not_ready");
            server.advance(Duration.ofMinutes(61));
            assertThat(server.get("/api/v1/health/ready", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void databaseStopped_503WithinSeconds_uploadKeptValidated_committedOnceBack() throws Exception {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists")
                .start();
        int port = h2.getPort();
        Map<String, String> env =
                Map.of("DB_URL", "jdbc:h2:tcp://127.0.0.1:" + port + "/intake", "DB_CONNECT_TIMEOUT_SECONDS", "1");
        try (TestServer server = TestServer.start(env);
                TestServer other = TestServer.start(env)) {
            String token = server.clerkToken("clerk1");
            // signed in on the other instance: this one has never read the account's state
            String unseen = other.clerkToken("clerk2");
            String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(1, 300)));
            assertThat(Workbooks.settled(server, token, id).get("status").asText())
                    .isEqualTo("validated");

            h2.stop();
            // staged records need no database: pages are served, and a token whose account state cannot be read is
            // taken as it is
            assertThat(server.get("/api/v1/uploads/" + id + "/records?size=5", token)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.get("/api/v1/uploads", unseen).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/uploads", unseen).statusCode()).isEqualTo(200);
            // a state read again once it is older than the recheck: the last read stands
            server.advance(AccountStanding.RECHECK);
            assertThat(server.get("/api/v1/uploads", token).statusCode()).isEqualTo(200);
            // neither read failing is a warning with a stack trace (Caffeine's, which went to stderr in
            // java.util.logging's format): each is a line at DEBUG
            assertThat(eventually(() -> log.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().startsWith("account clerk2: state not read: "))))
                    .isTrue();
            assertThat(eventually(() -> log.list.stream()
                            .anyMatch(e -> e.getFormattedMessage()
                                    .startsWith("account clerk1: state not read again, the last read stands: "))))
                    .isTrue();
            assertThat(log.list)
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .noneMatch(e -> e.getLoggerName().startsWith("com.github.benmanes.caffeine"));
            // what Caffeine logs, through System.Logger, reaches the server's log
            System.getLogger("com.github.benmanes.caffeine.test").log(System.Logger.Level.WARNING, "routed");
            assertThat(log.list).anyMatch(e -> e.getLoggerName().equals("com.github.benmanes.caffeine.test"));
            long start = System.nanoTime();
            HttpResponse<String> commit = server.postJson("/api/v1/uploads/" + id + "/commit", token, "");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(Workbooks.problemCode(commit, 503)).isEqualTo("database.unavailable");
            assertThat(commit.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(millis).isLessThan(5_000);
            assertThat(Workbooks.problemCode(server.get("/api/v1/users", token), 503))
                    .isEqualTo("database.unavailable");
            HttpResponse<String> ready = server.get("/api/v1/health/ready", null);
            assertThat(Workbooks.problemCode(ready, 503)).isEqualTo("server.not_ready");
            assertThat(TestServer.json(ready).get("checks").get("database").asText())
                    .isEqualTo("unavailable");
            assertThat(server.get("/api/v1/health/live", null).statusCode()).isEqualTo(200);
            // an upload would only fail in validation (the registered NIDs are in the database): refused at once
            byte[] another = Workbooks.xlsx(Workbooks.people(400, 3));
            HttpResponse<String> upload = Workbooks.upload(server, token, another);
            assertThat(Workbooks.problemCode(upload, 503)).isEqualTo("database.unavailable");
            assertThat(upload.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(Workbooks.problemCode(
                            server.postMultipart("/api/v1/upload/", token, "usersfile", "users.xlsx", another), 503))
                    .isEqualTo("database.unavailable");
            assertThat(TestServer.json(server.get("/api/v1/uploads", token))).hasSize(1);
            assertThat(TestServer.json(server.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("validated");

            h2 = restart(port);
            Server running = h2;
            assertThat(eventually(() -> server.get("/api/v1/health/ready", null).statusCode() == 200))
                    .isTrue();
            HttpResponse<String> retry = server.postJson("/api/v1/uploads/" + id + "/commit", token, "");

            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(TestServer.json(retry).get("committed").asLong()).isEqualTo(300);
            assertThat(TestServer.json(server.get("/api/v1/users?uploadId=" + id, token))
                            .get("totalItems")
                            .asLong())
                    .isEqualTo(300);
            assertThat(Workbooks.upload(server, token, Workbooks.xlsx(Workbooks.people(400, 3)))
                            .statusCode())
                    .isEqualTo(202);
            assertThat(running.isRunning(false)).isTrue();
        } finally {
            h2.stop();
        }
        assertThat(Files.exists(dir.resolve("intake.mv.db"))).isTrue();
    }

    private Server restart(int port) throws SQLException {
        return Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(), "-ifNotExists")
                .start();
    }

    /** Polls the condition for at most 30 s. */
    private static boolean eventually(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return false;
    }
}
