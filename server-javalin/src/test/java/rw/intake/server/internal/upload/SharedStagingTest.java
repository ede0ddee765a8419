package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.ServerApp;
import rw.intake.server.TestServer;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.TcpProxy;
import rw.intake.storage.UploadTotals;

/**
 * Two server instances in one JVM on different ports, sharing the machine's Redis (a fresh key prefix per test) and
 * one PostgreSQL database (a fresh schema for the class, on {@code INTAKE_TEST_POSTGRES_URL}'s server or an embedded
 * one, see {@link ExternalDatabase}): whichever instance a request reaches answers for any upload.
 */
final class SharedStagingTest {
    private static final int ROWS = 9_000;
    /** The settings of {@link #theBudgetHoldsAcross}: two uploads per user. */
    static final Map<String, String> BUDGET = Map.of(
            "STAGING_MAX_UPLOADS_PER_USER",
            "2",
            "STAGING_MAX_RECORDS",
            "100000",
            "STAGING_MAX_RECORDS_PER_USER",
            "100000");

    private static ExternalDatabase db;
    private final String prefix = TestServer.freshRedisPrefix();
    private TestServer a;
    private TestServer b;

    private TestServer instance(Map<String, String> extra) {
        Map<String, String> env = TestServer.sharedRedis(prefix);
        env.putAll(db.env());
        env.putAll(extra);
        return TestServer.start(env);
    }

    /** Starts A and B on default settings; a clerk's token (good on both). */
    private String twoInstances(String clerk) {
        a = instance(Map.of());
        b = instance(Map.of());
        return a.clerkToken(clerk);
    }

    @BeforeAll
    static void schema() {
        db = ExternalDatabase.create("INTAKE_TEST_POSTGRES_URL");
    }

    @AfterAll
    static void dropSchema() {
        if (db != null) {
            db.close();
        }
    }

    @AfterEach
    void stop() {
        for (TestServer s : new TestServer[] {a, b}) {
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException ex) {
                    // stopped by the test already
                }
            }
        }
    }

    @Test
    void uploadOnA_pagedOnB_committedOnB_secondCommitOnA409_deleteOnA_404OnB() {
        String token = twoInstances("shared");
        String id = stagedOnA_pagedAndEditedOnB(a, b, token, ROWS);
        committedOnB_secondCommitOnA409_deleteOnA_404OnB(a, b, token, id, ROWS);
    }

    /**
     * What an instance read of an upload from Redis (its pages, its meta) goes once the upload is gone from Redis
     * (deleted on another instance, or expired), without anyone asking that instance for it again.
     */
    @Test
    void whatBReadOfAnUpload_droppedOnceTheUploadIsGoneFromRedis() {
        a = instance(Map.of("STAGING_REDIS_LEASE_SECONDS", "1"));
        b = instance(Map.of("STAGING_REDIS_LEASE_SECONDS", "1"));
        String token = a.clerkToken("copies");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(640_000, 300)));
        Workbooks.settled(a, token, id);
        assertThat(b.get("/api/v1/uploads/" + id + "/records?size=50", token).statusCode())
                .isEqualTo(200);
        assertThat(stagingBytes(b)).isPositive();

        assertThat(a.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (stagingBytes(b) > 0) {
            assertThat(System.nanoTime())
                    .as("B still keeps what it read after 20 s")
                    .isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** The heap an instance says its staged records take ({@code intake_staging_bytes}). */
    private static double stagingBytes(TestServer server) {
        String metrics = server.get("/metrics", server.adminToken()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^intake_staging_bytes (\\S+)$")
                .matcher(metrics);
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /**
     * The legacy routes act on the caller's last upload, which Redis knows by the number of its admission: the sequence
     * of admissions outlives the uploads (it has no expiry), and one lost all the same (Redis flushed, the key evicted
     * under {@code maxmemory}) begins again below the numbers of the last uploads, which then count as older.
     */
    @Test
    void legacyRoutes_theSequenceOfAdmissionsLost_theNextUploadIsStillTheLast() {
        String token = twoInstances("legacy-sequence");
        for (int i = 0; i < 3; i++) {
            legacyUpload(a, token, 930_000 + i * 10);
        }
        byte[] sequence = ("{" + prefix + "}:sequence").getBytes(StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(c.sync().pttl(sequence)).isEqualTo(-1);
            for (JsonNode upload : TestServer.json(a.get("/api/v1/uploads", token))) {
                assertThat(a.delete("/api/v1/uploads/" + upload.get("id").asText(), token)
                                .statusCode())
                        .isEqualTo(204);
            }
            // lost once with nothing staged, then again with uploads staged
            assertThat(c.sync().del(sequence)).isOne();
            legacyUpload(b, token, 940_000);
            assertThat(c.sync().del(sequence)).isOne();
            legacyUpload(a, token, 950_000);
        } finally {
            client.shutdown();
        }

        JsonNode validated = TestServer.json(b.get("/api/v1/validatedusers/", token));
        assertThat(validated.get("data").get(0).get("nid").asText()).isEqualTo(Workbooks.person(950_000)[1]);
        assertThat(TestServer.json(a.get("/api/v1/uploads", token)))
                .extracting(u -> u.get("fileName").asText())
                .containsExactly("950000.xlsx", "940000.xlsx");
    }

    private static void legacyUpload(TestServer server, String token, int first) {
        assertThat(server.postMultipart(
                                "/api/v1/upload/",
                                token,
                                "usersfile",
                                first + ".xlsx",
                                Workbooks.xlsx(Workbooks.people(first, 2)))
                        .statusCode())
                .isEqualTo(200);
    }

    /**
     * Uploads {@code rows} generated rows (every kind of error and warning) on A; B sees the same summary and
     * byte-identical pages, filtered ones too; an edit on B is seen on A. The id of the upload.
     */
    static String stagedOnA_pagedAndEditedOnB(TestServer a, TestServer b, String token, int rows) {
        String id = Workbooks.accepted(a, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(rows, 42)));

        // B waits for the end of a validation running on A in one request (it looks at the shared store meanwhile)
        JsonNode onB = TestServer.json(b.get("/api/v1/uploads/" + id + "?wait=20", token));
        assertThat(onB.get("status").asText()).isEqualTo("validated");
        assertThat(onB.get("totals").get("records").asLong()).isEqualTo(rows);
        assertThat(onB.get("totals").get("invalid").asLong()).isPositive();
        assertThat(Workbooks.settled(a, token, id)).isEqualTo(onB);
        for (String query : List.of(
                "?page=1&size=50",
                "?page=90&size=100",
                "?page=3&size=500&status=valid",
                "?page=2&size=200&status=invalid",
                "?page=1&size=100&field=nid",
                "?page=1&size=50&code=nid.duplicate")) {
            HttpResponse<String> pageA = a.get("/api/v1/uploads/" + id + "/records" + query, token);
            HttpResponse<String> pageB = b.get("/api/v1/uploads/" + id + "/records" + query, token);
            assertThat(pageB.statusCode()).as(pageB.body()).isEqualTo(200);
            assertThat(pageB.body()).isEqualTo(pageA.body());
        }

        // an edit on B is seen on A
        HttpResponse<String> edited =
                b.patchJson("/api/v1/uploads/" + id + "/records/2", token, "{\"names\":\"Edited On B\"}");
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        HttpResponse<String> row2 = a.get("/api/v1/uploads/" + id + "/records/2", token);
        assertThat(row2.statusCode()).as(row2.body()).isEqualTo(200);
        assertThat(row2.body()).contains("\"names\":\"Edited On B\"").contains("\"edited\":true");
        JsonNode afterEdit = TestServer.json(a.get("/api/v1/uploads/" + id, token));
        assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))).isEqualTo(afterEdit);
        return id;
    }

    /**
     * The upload of {@code rows} staged on A and B is committed on B; a commit on A then answers 409; a delete on A
     * makes it 404 on B.
     */
    static void committedOnB_secondCommitOnA409_deleteOnA_404OnB(
            TestServer a, TestServer b, String token, String id, int rows) {
        JsonNode staged = TestServer.json(a.get("/api/v1/uploads/" + id, token));
        HttpResponse<String> committed = b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}");
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        JsonNode result = TestServer.json(committed);
        // the default mode commits every record not left out, the invalid ones marked so
        assertThat(result.get("committed").asLong())
                .isEqualTo(staged.get("totals").get("records").asLong());
        assertThat(result.get("committed").asLong() + result.get("skipped").asLong())
                .isEqualTo(rows);
        assertThat(Workbooks.problemCode(a.postJson("/api/v1/uploads/" + id + "/commit", token, "{}"), 409))
                .isEqualTo("upload.already_committed");
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText())
                .isEqualTo("committed");

        assertThat(a.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id, token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id + "/records", token), 404))
                .isEqualTo("upload.not_found");
    }

    @Test
    void theBudgetHoldsAcrossInstances() {
        a = instance(BUDGET);
        b = instance(BUDGET);
        theBudgetHoldsAcross(a, b);
    }

    /** A and B, started with {@link #BUDGET}, refuse a user's third upload and free room on the other's delete. */
    static void theBudgetHoldsAcross(TestServer a, TestServer b) {
        String token = a.clerkToken("budget");
        byte[] workbook = Workbooks.xlsx(Workbooks.people(0, 10));
        String first = Workbooks.accepted(a, token, workbook);
        Workbooks.accepted(b, token, workbook);
        HttpResponse<String> third = Workbooks.upload(a, token, workbook);
        assertThat(Workbooks.problemCode(third, 503)).isEqualTo("staging.full");
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(Workbooks.problemCode(Workbooks.upload(b, token, workbook), 503))
                .isEqualTo("staging.full");

        // a delete on one instance frees the budget on the other
        assertThat(b.delete("/api/v1/uploads/" + first, token).statusCode()).isEqualTo(204);
        Workbooks.accepted(a, token, workbook);
        assertThat(TestServer.json(b.get("/api/v1/uploads", token))).hasSize(2);
    }

    @Test
    void aStopsAfterValidation_bPagesAndCommits() {
        String token = twoInstances("survivor");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(100, 5_000)));
        assertThat(Workbooks.settled(a, token, id).get("status").asText()).isEqualTo("validated");
        a.close();
        a = null;

        JsonNode page = TestServer.json(b.get("/api/v1/uploads/" + id + "/records?page=50&size=100", token));
        assertThat(page.get("totalItems").asLong()).isEqualTo(5_000);
        assertThat(page.get("items").get(99).get("nid").asText()).isEqualTo(Workbooks.person(100 + 4_999)[1]);
        HttpResponse<String> committed = b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}");
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        assertThat(TestServer.json(committed).get("committed").asLong()).isEqualTo(5_000);
    }

    /**
     * A stopped during a commit, before its transaction committed: what it left in Redis is the upload
     * {@code committing} with no lock (its lease ran out). B reads it as validated, and commits it, once.
     */
    @Test
    void aStopsDuringACommitBeforeTheDatabaseCommitted_bCommits() throws Exception {
        String token = twoInstances("commit-lost");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(200_000, 20)));
        assertThat(Workbooks.settled(a, token, id).get("status").asText()).isEqualTo("validated");
        a.close();
        a = null;
        leftCommitting(id);
        assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText())
                .isEqualTo("validated");

        HttpResponse<String> committed = b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}");
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        assertThat(TestServer.json(committed).get("committed").asLong()).isEqualTo(20);
        assertThat(db.count("SELECT COUNT(*) FROM users WHERE upload_id = '" + id + "'"))
                .isEqualTo(20);
        assertThat(Workbooks.problemCode(b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}"), 409))
                .isEqualTo("upload.already_committed");
    }

    /**
     * A stopped during a commit after its transaction committed, before Redis recorded it: the upload is left
     * {@code committing} with no lock. The database's record of the upload refuses B's commit, and no record is saved
     * twice. A's transaction is made here through storage directly, as A's commit would have made it.
     */
    @Test
    void aStopsDuringACommitAfterTheDatabaseCommitted_bRefusesToCommitAgain() throws Exception {
        String token = twoInstances("committed-once");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(300_000, 20)));
        assertThat(Workbooks.settled(a, token, id).get("status").asText()).isEqualTo("validated");
        a.storage()
                .users()
                .commit(
                        new CommitRequest(
                                id,
                                "committed-once",
                                "people.xlsx",
                                CommitMode.ALL,
                                new UploadTotals(20, 20, 0, 0, 0),
                                0,
                                List.of(),
                                null),
                        List.of());
        a.close();
        a = null;
        leftCommitting(id);

        assertThat(Workbooks.problemCode(b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}"), 409))
                .isEqualTo("upload.already_committed");
        assertThat(db.count("SELECT COUNT(*) FROM users WHERE upload_id = '" + id + "'"))
                .isZero();
        // the refused commit leaves the lock free and the upload readable on B
        assertThat(b.get("/api/v1/uploads/" + id + "/records?page=1&size=50", token)
                        .statusCode())
                .isEqualTo(200);
        assertThat(Workbooks.problemCode(b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}"), 409))
                .isEqualTo("upload.already_committed");
    }

    /**
     * A write that failed part way (its mark left behind, chunk 1 rewritten at the next version with row 1026 left
     * out) is mended by the next edit on the instance that holds the upload whole, which writes it again, so the next
     * version does not take that chunk for its own; on one that does not, the upload fails as {@code
     * upload.write_lost}, unless no chunk is newer than the meta (the write failed before its first chunk), when the
     * edit goes on.
     */
    @Test
    void tornWrite_mendedWhole_elseTheUploadFails() {
        String token = twoInstances("torn");
        String mended = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(1, 1_030)));
        String lost = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(2_000, 1_030)));
        String whole = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(4_000, 1_030)));
        for (String id : List.of(mended, lost, whole)) {
            Workbooks.settled(a, token, id);
        }
        tear(mended, true);
        tear(lost, true);
        tear(whole, false);

        // A validated them: it holds them whole
        HttpResponse<String> onA =
                a.patchJson("/api/v1/uploads/" + mended + "/records/3", token, "{\"names\":\"Ana Mended\"}");
        HttpResponse<String> onB =
                b.patchJson("/api/v1/uploads/" + lost + "/records/3", token, "{\"names\":\"Ana Lost\"}");
        HttpResponse<String> wholeOnB =
                b.patchJson("/api/v1/uploads/" + whole + "/records/3", token, "{\"names\":\"Ana Whole\"}");

        assertThat(onA.statusCode()).as(onA.body()).isEqualTo(200);
        JsonNode pageOnB = TestServer.json(b.get("/api/v1/uploads/" + mended + "/records", token));
        assertThat(pageOnB.get("items").get(1).get("names").asText()).isEqualTo("Ana Mended");
        assertThat(TestServer.json(b.get("/api/v1/uploads/" + mended + "/records/1026", token))
                        .get("excluded")
                        .asBoolean())
                .isFalse();
        assertThat(TestServer.json(b.get("/api/v1/uploads/" + mended, token))
                        .get("totals")
                        .get("excluded")
                        .asLong())
                .isZero();
        assertThat(Workbooks.problemCode(onB, 409)).isEqualTo("upload.failed");
        JsonNode failed = TestServer.json(a.get("/api/v1/uploads/" + lost, token));
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("failure").get("code").asText()).isEqualTo("upload.write_lost");
        // it serves no records, and counts none
        assertThat(failed.get("totals").get("records").asLong()).isZero();
        assertThat(failed.get("totals").get("valid").asLong()).isZero();
        assertThat(failed.get("violationsByCode")).isEmpty();
        assertThat(wholeOnB.statusCode()).as(wholeOnB.body()).isEqualTo(200);
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + whole + "/records", token))
                        .get("items")
                        .get(1)
                        .get("names")
                        .asText())
                .isEqualTo("Ana Whole");
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            for (String id : List.of(mended, lost, whole)) {
                assertThat(c.sync().exists(redisKey(id, "torn"))).as(id).isZero();
            }
        } finally {
            client.shutdown();
        }
    }

    /**
     * A page of a torn upload read on an instance that does not hold it whole answers 503 and leaves the upload as it
     * is (it failed the upload as {@code upload.write_lost}, though A held it whole); the next edit on A mends it, and
     * B reads it then.
     */
    @Test
    void tornWrite_aPageReadElsewhere_503_mendedByTheNextEditOnTheHolder() {
        String token = twoInstances("torn-read");
        String id = tornOnA(token, 6_000);
        // records 1,001 to 1,030: the last of them in chunk 1, which the torn write left at a version the meta does not
        // have (its first record, row 1026, left out)
        String page = "/api/v1/uploads/" + id + "/records?page=21&size=50";

        assertThat(Workbooks.problemCode(b.get(page, token), 503)).isEqualTo("staging.unavailable");
        assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText())
                .isEqualTo("validated");
        assertThat(a.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"names\":\"Ana Mended\"}")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> mended = b.get(page, token);
        assertThat(mended.statusCode()).as(mended.body()).isEqualTo(200);
        JsonNode row1026 = TestServer.json(mended).get("items").get(24);
        assertThat(row1026.get("row").asInt()).isEqualTo(1026);
        assertThat(row1026.get("excluded").asBoolean()).isFalse();
    }

    /**
     * A chunk of records gone from Redis, as eviction under another {@code maxmemory-policy} than {@code noeviction}
     * drops one: B, which holds no copy, answers 503 {@code staging.unavailable} saying the upload lost records, with
     * no Retry-After (trying again cannot help), for a page, an edit, a report and a commit, never a 500; A, which
     * holds the upload whole, still serves its pages; nothing is committed.
     */
    @Test
    void aChunkGoneFromRedis_bSaysTheUploadLostRecords() {
        String token = twoInstances("evicted");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(7_000, 2_100)));
        Workbooks.settled(a, token, id);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(c.sync().del(redisKey(id, "c:1"))).isEqualTo(1);
        } finally {
            client.shutdown();
        }
        String upload = "/api/v1/uploads/" + id;

        List<HttpResponse<String>> onB = List.of(
                b.get(upload + "/records?page=25&size=50", token),
                b.get(upload + "/records/1500", token),
                b.patchJson(upload + "/records/1500", token, "{\"names\":\"Ana Lost\"}"),
                b.get(upload + "/report.csv?status=all", token),
                b.postJson(upload + "/commit", token, "{}"));

        for (HttpResponse<String> r : onB) {
            assertThat(Workbooks.problemCode(r, 503)).as(r.uri().toString()).isEqualTo("staging.unavailable");
            assertThat(TestServer.json(r).get("detail").asText()).contains("lost part of its records");
            assertThat(TestServer.json(r).get("recordsLost").asBoolean()).isTrue();
            assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        }
        assertThat(a.get(upload + "/records?page=25&size=50", token).statusCode())
                .isEqualTo(200);
        assertThat(TestServer.json(b.get("/api/v1/users?uploadId=" + id, token))
                        .get("totalItems")
                        .asLong())
                .isZero();
    }

    /**
     * A write torn by an instance that died holding the upload's lock: the next read on B waits for the lock to run
     * out, then mends the upload (here, without a whole copy, it fails), rather than waiting for a meta that never
     * comes.
     */
    @Test
    void tornWrite_itsWriterDeadWithTheLock_mendedOnceTheLockRunsOut() {
        String token = twoInstances("torn-locked");
        String id = tornOnA(token, 8_000);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            c.sync()
                    .set(
                            redisKey(id, "lock"),
                            "edit:dead-instance:1".getBytes(StandardCharsets.UTF_8),
                            SetArgs.Builder.px(1_000));
        } finally {
            client.shutdown();
        }

        HttpResponse<String> onB = b.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"names\":\"Ana\"}");

        assertThat(Workbooks.problemCode(onB, 409)).isEqualTo("upload.failed");
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))
                        .get("failure")
                        .get("code")
                        .asText())
                .isEqualTo("upload.write_lost");
    }

    /**
     * A dies in the middle of sending an edit to Redis (its connection cut inside the request): the edit is in Redis
     * whole or not at all, so B, which never read the upload whole, takes the lock once A's lease runs out and goes on
     * editing; nothing is left to mend. (Sent as separate writes, the chunk got there and the rest not, and the upload
     * failed as {@code upload.write_lost}.)
     */
    @Test
    void aDiesWhileSendingAnEdit_bGoesOnEditing() throws Exception {
        Map<String, String> shortLease = Map.of("STAGING_REDIS_LEASE_SECONDS", "1");
        try (TcpProxy proxy = TcpProxy.to(6379)) {
            Map<String, String> viaProxy = new HashMap<>(shortLease);
            viaProxy.put("REDIS_URL", "redis://127.0.0.1:" + proxy.port());
            a = instance(viaProxy);
            b = instance(shortLease);
            String token = a.clerkToken("cut");
            String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(6_000, 3_000)));
            Workbooks.settled(a, token, id);
            // the edit's history entry, which comes after the record's chunk
            proxy.cutAt("\"newValue\":\"Ana Cut\"".getBytes(StandardCharsets.UTF_8));

            CompletableFuture<HttpResponse<String>> onA = CompletableFuture.supplyAsync(
                    () -> a.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"names\":\"Ana Cut\"}"));
            proxy.cut().get(30, TimeUnit.SECONDS);
            HttpResponse<String> onB =
                    b.patchJson("/api/v1/uploads/" + id + "/records/4", token, "{\"names\":\"Bea Kept\"}");

            assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
            JsonNode items = TestServer.json(b.get("/api/v1/uploads/" + id + "/records?size=3", token))
                    .get("items");
            assertThat(items.get(1).get("names").asText()).isNotEqualTo("Ana Cut");
            assertThat(items.get(2).get("names").asText()).isEqualTo("Bea Kept");
            JsonNode summary = TestServer.json(b.get("/api/v1/uploads/" + id, token));
            assertThat(summary.get("status").asText()).isEqualTo("validated");
            assertThat(summary.get("totals").get("records").asLong()).isEqualTo(3_000);
            HttpResponse<String> history = b.get("/api/v1/uploads/" + id + "/records/3", token);
            assertThat(history.body()).doesNotContain("Ana Cut");
            assertThat(onA.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
        }
    }

    /**
     * An upload's edits are kept in Redis by row, each row's under its own field: a bulk exclusion on A, then two edits
     * of one row on B (which reads the upload whole, with every row's edits); A reads that record's history, oldest
     * first; B undoes the bulk exclusion by the time A answered for it, and its commit writes every edit into
     * {@code record_edits}.
     */
    @Test
    void editsKeptByRow_readWholeOrOneRecordAtATime() throws SQLException {
        String token = twoInstances("edits");
        int rows = 2_500;
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(6_000, rows)));
        Workbooks.settled(a, token, id);
        HttpResponse<String> out = a.postJson(
                "/api/v1/uploads/" + id + "/records/exclude", token, "{\"status\":\"all\",\"excluded\":true}");
        assertThat(TestServer.json(out).get("matched").asLong()).as(out.body()).isEqualTo(rows);

        // the record's tag as A reads it is B's: B edits it under it, and refuses it once the record changed
        String tag = a.get("/api/v1/uploads/" + id + "/records/3", token)
                .headers()
                .firstValue("ETag")
                .orElseThrow();
        HttpResponse<String> first = b.send(ifMatch(b.request("/api/v1/uploads/" + id + "/records/3", token), tag)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"names\":\"Ana First\"}"))
                .build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        HttpResponse<String> stale = a.send(ifMatch(a.request("/api/v1/uploads/" + id + "/records/3", token), tag)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"names\":\"Ana Stale\"}"))
                .build());
        assertThat(Workbooks.problemCode(stale, 412)).isEqualTo("record.changed");
        HttpResponse<String> second = b.patchJson(
                "/api/v1/uploads/" + id + "/records/3", token, "{\"names\":\"Ana Second\",\"excluded\":false}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

        JsonNode history = TestServer.json(a.get("/api/v1/uploads/" + id + "/records/3", token))
                .get("history");
        assertThat(history).hasSize(4);
        assertThat(history.get(0).get("field").asText()).isEqualTo("excluded");
        assertThat(history.get(0).get("to").asText()).isEqualTo("true");
        assertThat(history.get(1).get("to").asText()).isEqualTo("Ana First");
        assertThat(history.get(2).get("from").asText()).isEqualTo("Ana First");
        assertThat(history.get(2).get("to").asText()).isEqualTo("Ana Second");
        assertThat(history.get(3).get("field").asText()).isEqualTo("excluded");
        assertThat(history.get(3).get("to").asText()).isEqualTo("false");
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + id + "/records/4", token))
                        .get("history"))
                .hasSize(1);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(c.sync().hlen(redisKey(id, "edits"))).isEqualTo(rows);
        } finally {
            client.shutdown();
        }

        // undone on B by the time A answered: every record it left out is back, row 3 (back already) matched
        HttpResponse<String> undo = b.postJson(
                "/api/v1/uploads/" + id + "/records/exclude",
                token,
                "{\"excluded\":false,\"leftOutAt\":\""
                        + TestServer.json(out).get("at").asText() + "\"}");
        assertThat(TestServer.json(undo).get("matched").asLong())
                .as(undo.body())
                .isEqualTo(rows);
        assertThat(TestServer.json(undo).get("changed").asLong()).isEqualTo(rows - 1);

        HttpResponse<String> committed = b.postJson("/api/v1/uploads/" + id + "/commit", token, "{}");
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        assertThat(TestServer.json(committed).get("committed").asLong()).isEqualTo(rows);
        try (Connection c = DriverManager.getConnection(db.url);
                PreparedStatement st = c.prepareStatement("SELECT count(*) FROM record_edits WHERE upload_id = ?")) {
            st.setString(1, id);
            try (ResultSet counted = st.executeQuery()) {
                assertThat(counted.next()).isTrue();
                assertThat(counted.getLong(1)).isEqualTo(2L * rows + 2);
            }
        }
    }

    private static HttpRequest.Builder ifMatch(HttpRequest.Builder request, String tag) {
        return request.header("Content-Type", "application/json").header("If-Match", tag);
    }

    private byte[] redisKey(String id, String part) {
        return ("{" + prefix + ":" + id + "}:" + part).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Leaves upload {@code id} (validated: version 1) in Redis as a write of version 2 that failed part way does: its
     * mark, and ({@code chunk}) chunk 1 written at version 2, with its first record left out.
     */
    /**
     * An upload of 1,030 people numbered from {@code from}, validated on A (which holds it whole), then torn: chunk 1
     * rewritten at the next version, the mark left behind.
     */
    private String tornOnA(String token, int from) {
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(from, 1_030)));
        Workbooks.settled(a, token, id);
        tear(id, true);
        return id;
    }

    private void tear(String id, boolean chunk) {
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            if (chunk) {
                byte[] stored = c.sync().get(redisKey(id, "c:1"));
                assertThat(RecordChunks.version(stored)).isEqualTo(1);
                StagedRecords records = RecordChunks.decode(stored);
                records.excluded(0, true);
                assertThat(c.sync()
                                .set(
                                        redisKey(id, "c:1"),
                                        RecordChunks.encode(records, 0, records.size(), 2),
                                        SetArgs.Builder.xx().keepttl()))
                        .isEqualTo("OK");
            }
            c.sync().set(redisKey(id, "torn"), "2".getBytes(StandardCharsets.UTF_8), SetArgs.Builder.px(600_000));
        } finally {
            client.shutdown();
        }
    }

    /**
     * Puts upload {@code id} in Redis as a commit leaves it when its instance stops while it runs: {@code committing},
     * and no lock (the lock's lease ran out).
     */
    private void leftCommitting(String id) {
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            byte[] key = ("{" + prefix + ":" + id + "}:meta").getBytes(StandardCharsets.UTF_8);
            byte[] meta = c.sync().get(key);
            String json = new String(meta, 1, meta.length - 1, StandardCharsets.UTF_8);
            assertThat(json).contains("\"status\":\"VALIDATED\"");
            byte[] body = json.replace("\"status\":\"VALIDATED\"", "\"status\":\"COMMITTING\"")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] committing = new byte[body.length + 1];
            committing[0] = meta[0];
            System.arraycopy(body, 0, committing, 1, body.length);
            assertThat(c.sync().set(key, committing, SetArgs.Builder.xx().keepttl()))
                    .isEqualTo("OK");
            assertThat(c.sync().exists(("{" + prefix + ":" + id + "}:lock").getBytes(StandardCharsets.UTF_8)))
                    .isZero();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aStopsDuringValidation_theUploadFailsOnBOnceTheLeaseRunsOut() throws SQLException {
        Map<String, String> shortLease = Map.of("STAGING_REDIS_LEASE_SECONDS", "1");
        stopsDuringValidation(shortLease, false, "orphan", 60);
        // its reservation is given back: the same user may upload again at once
        assertThat(Workbooks.upload(b, b.clerkToken("orphan"), Workbooks.xlsx(Workbooks.people(0, 3)))
                        .statusCode())
                .isEqualTo(202);
    }

    /**
     * An instance that is shut down (as on SIGTERM) while an upload validates writes the upload's end (failed) as it
     * stops, although the stop interrupts the validation's threads: the other instances see it failed at once, not
     * when its lease (30 s here) runs out.
     */
    @Test
    void aShutDownDuringValidation_itsEndWrittenAsItStops() throws SQLException {
        stopsDuringValidation(Map.of(), true, "stopped-on", 10);
    }

    /**
     * A and B with {@code settings}; A stops ({@code shutDown}: as on SIGTERM; else at once) while it validates an
     * upload of {@code clerk}'s; B must show it failed as {@code upload.validation_lost} within {@code seconds}, and
     * Redis hold none of its records nor page lists.
     */
    private void stopsDuringValidation(Map<String, String> settings, boolean shutDown, String clerk, int seconds)
            throws SQLException {
        a = instance(settings);
        b = instance(settings);
        String token = a.clerkToken(clerk);
        String id;
        // A's validation cannot end while the tables its registered-NID look-ups read are locked: A stops during it
        try (Connection lock = DriverManager.getConnection(db.url)) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE uploads, registered_nids IN ACCESS EXCLUSIVE MODE");
            }
            id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(0, 20_000)));
            assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("validating");
            // a page list, as an end of validation that Redis stopped taking part way leaves it before the meta
            RedisClient client = RedisClient.create(TestServer.REDIS_URL);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().sadd("{" + prefix + ":" + id + "}:ix", "invalid");
                c.sync().set("{" + prefix + ":" + id + "}:ix:invalid", "list");
            } finally {
                client.shutdown();
            }
            if (shutDown) {
                ServerApp.shutDown(a.app(), Duration.ofSeconds(5), () -> {});
            }
            a.close(); // its pool aborts the connection that waits for the lock
            a = null;
            lock.rollback();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode summary;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            summary = TestServer.json(b.get("/api/v1/uploads/" + id, token));
        } while ("validating".equals(summary.get("status").asText()) && System.nanoTime() < deadline);
        assertThat(summary.get("status").asText()).isEqualTo("failed");
        assertThat(summary.get("failure").get("code").asText()).isEqualTo("upload.validation_lost");
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id + "/records", token), 409))
                .isEqualTo("upload.failed");
        assertThat(keysOf(id)).noneMatch(k -> k.contains("}:c:") || k.contains("}:ix"));
    }

    /**
     * An upload that fails after some of its records went to Redis (a CSV line broken far down the file, found as it
     * is read) leaves no record chunk behind: its failed summary is all Redis keeps of it, not a chunk for every 1,024
     * records read until the idle expiry.
     */
    @Test
    void failsWhileReadingOn_noRecordChunkLeftInRedis() {
        a = instance(Map.of());
        String token = a.clerkToken("failed-on");
        StringBuilder csv = Workbooks.csv(Workbooks.people(0, 60_000))
                .append("Broken Line,1199080000000001,0788000001,M,b@example.com,one,too many\n");
        String id =
                TestServer.json(Workbooks.uploadCsv(a, token, csv)).get("id").asText();

        JsonNode summary = Workbooks.settled(a, token, id);

        assertThat(summary.get("failure").get("code").asText()).isEqualTo("file.corrupt");
        assertThat(summary.get("progress").get("rowsRead").asLong()).isGreaterThan(2 * 1_024);
        assertThat(keysOf(id)).isNotEmpty().noneMatch(k -> k.contains("}:c:"));
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))
                        .get("failure")
                        .get("code")
                        .asText())
                .isEqualTo("file.corrupt");
    }

    /**
     * An upload deleted on B while A validates it: what A sent of it after the delete (record chunks, its lease, its
     * place in the budget) goes too, not left in Redis until the idle expiry; the validation stops.
     */
    @Test
    void deletedOnBWhileValidatingOnA_nothingOfItLeftInRedis() {
        String token = twoInstances("deleted-meanwhile");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(0, 200_000)));
        String path = "/api/v1/uploads/" + id;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (TestServer.json(b.get(path, token))
                                .get("progress")
                                .get("rowsRead")
                                .asLong()
                        == 0
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(b.delete(path, token).statusCode()).isEqualTo(204);

        // A finds it gone at its next progress, and takes away what it sent since
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            while ((!keysOf(id).isEmpty() || c.sync().hexists("{" + prefix + "}:records", id))
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertThat(keysOf(id)).isEmpty();
            assertThat(c.sync().hexists("{" + prefix + "}:records", id)).isFalse();
            assertThat(c.sync().hexists("{" + prefix + "}:owners", id)).isFalse();
        } finally {
            client.shutdown();
        }
        assertThat(Workbooks.problemCode(a.get(path, token), 404)).isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(b.get(path, token), 404)).isEqualTo("upload.not_found");
    }

    /** The names of upload {@code id}'s keys in Redis. */
    private List<String> keysOf(String id) {
        return TestServer.redisKeys(prefix, id);
    }

    /**
     * While one instance commits an upload (it holds the upload's lock as a commit), the other shows it
     * {@code committing}, in its summary and in the list, and refuses edits; once the lock is gone it reads validated
     * again. The lock is put in Redis here as A's commit holds it.
     */
    @Test
    void aCommits_bShowsCommitting() {
        String token = twoInstances("committing-shown");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(500_000, 5)));
        assertThat(Workbooks.settled(a, token, id).get("status").asText()).isEqualTo("validated");
        byte[] lock = ("{" + prefix + ":" + id + "}:lock").getBytes(StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            c.sync().set(lock, "commit:a:1".getBytes(StandardCharsets.UTF_8), SetArgs.Builder.px(30_000));

            assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("committing");
            assertThat(TestServer.json(b.get("/api/v1/uploads", token))
                            .get(0)
                            .get("status")
                            .asText())
                    .isEqualTo("committing");
            assertThat(Workbooks.problemCode(
                            b.patchJson("/api/v1/uploads/" + id + "/records/2", token, "{\"names\":\"Ann Other\"}"),
                            409))
                    .isEqualTo("upload.already_committed");

            c.sync().del(lock);
            assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("validated");
        } finally {
            client.shutdown();
        }
    }

    /**
     * The instance that validates says validated only once every instance can serve the upload: B, asked right after
     * A said so, reads it validated (its pages, its commit) too. Commits sent to both at once then give one 200.
     */
    @Test
    void validatedOnA_validatedOnBAtOnce() {
        String token = twoInstances("validated-everywhere");
        for (int i = 0; i < 5; i++) {
            String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(510_000 + 2_000 * i, 2_000)));
            // asked again and again, without waiting on the server, as a polling client does
            String status;
            do {
                status = TestServer.json(a.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText();
            } while (status.equals("validating"));
            assertThat(status).isEqualTo("validated");

            assertThat(TestServer.json(b.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .as("round %d", i)
                    .isEqualTo("validated");
            assertThat(b.get("/api/v1/uploads/" + id + "/records?size=1", token).statusCode())
                    .isEqualTo(200);
            CompletableFuture<HttpResponse<String>> onA =
                    CompletableFuture.supplyAsync(() -> a.postJson("/api/v1/uploads/" + id + "/commit", token, ""));
            HttpResponse<String> onB = b.postJson("/api/v1/uploads/" + id + "/commit", token, "");
            List<Integer> statuses = List.of(onA.join().statusCode(), onB.statusCode());
            assertThat(statuses).as("round %d", i).containsExactlyInAnyOrder(200, 409);
        }
    }

    /**
     * A client that waits on the instance validating the upload (as the legacy routes do) is answered validated only
     * once the end is in Redis: its next request, on any instance, reads the records.
     */
    @Test
    void waitedOnA_readableAtOnceEverywhere() {
        String token = twoInstances("waited");
        for (int i = 0; i < 3; i++) {
            String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(530_000 + 20_000 * i, 20_000)));

            JsonNode waited = TestServer.json(a.get("/api/v1/uploads/" + id + "?wait=20", token));

            assertThat(waited.get("status").asText()).as("round %d", i).isEqualTo("validated");
            for (TestServer s : new TestServer[] {a, b}) {
                HttpResponse<String> page = s.get("/api/v1/uploads/" + id + "/records?size=1", token);
                assertThat(page.statusCode()).as("round %d: %s", i, page.body()).isEqualTo(200);
            }
        }
    }

    /**
     * A commit sent before a shutdown (SIGTERM) is a running one while the instance still reads the upload from Redis
     * (frozen here, so that the shutdown begins then): it is waited for and answered 200, not refused as a new commit.
     */
    @Test
    void aShutDownWhileACommitReadsItsUpload_theCommitFinishes(@TempDir Path dir) throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(dir)) {
            Staged staged = threeValidatedOn(redis, "read-on-stop");
            String token = staged.token();
            String id = staged.id();

            redis.freeze();
            CompletableFuture<HttpResponse<String>> commit;
            CompletableFuture<Boolean> stop;
            try {
                commit = CompletableFuture.supplyAsync(
                        () -> a.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}"));
                awaitAThreadIn("UploadService.commit");
                stop = CompletableFuture.supplyAsync(
                        () -> ServerApp.shutDown(a.app(), Duration.ofSeconds(30), () -> {}));
                // the shutdown lists the uploads (from the frozen Redis) once it has stopped taking commits
                awaitAThreadIn("UploadModule.drain", "UploadService.list");
                assertThat(commit).isNotDone();
            } finally {
                redis.thaw();
            }
            HttpResponse<String> committed = commit.get(30, TimeUnit.SECONDS);
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            assertThat(TestServer.json(committed).get("committed").asLong()).isEqualTo(3);
            assertThat(stop.get(30, TimeUnit.SECONDS))
                    .as("every running commit ended")
                    .isTrue();
            a.close();
            a = null;
        }
    }

    /**
     * Redis frozen once the database has the commit, before its committed state is written back: the commit is
     * answered 200 with what it committed (after the Redis command timeout), not 503 as if nothing were saved; once
     * Redis answers again, the upload reads committed.
     */
    @Test
    void redisFrozenAfterTheDatabaseCommitted_theCommitAnswers200(@TempDir Path dir) throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(dir)) {
            a = instance(Map.of("REDIS_URL", "redis://" + redis.address()));
            String token = a.clerkToken("frozen-after-commit");
            String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(520_000, 3)));
            Workbooks.settled(a, token, id);

            CompletableFuture<HttpResponse<String>> commit;
            try (Connection held = db.holding("registered_nids")) {
                // the commit waits in the database for a table the test holds; Redis freezes; the table is let go
                commit = CompletableFuture.supplyAsync(
                        () -> a.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}"));
                db.awaitALockWaitOn("registered_nids");
                redis.freeze();
                held.rollback();
            }
            HttpResponse<String> committed;
            try {
                committed = commit.get(60, TimeUnit.SECONDS);
            } finally {
                redis.thaw();
            }
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            assertThat(TestServer.json(committed).get("committed").asLong()).isEqualTo(3);
            assertThat(db.count("SELECT COUNT(*) FROM users WHERE upload_id = '" + id + "'"))
                    .isEqualTo(3);
            assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("committed");
        }
    }

    /** A clerk's token and an upload of theirs. */
    private record Staged(String token, String id) {}

    /** Starts A on {@code redis}; {@code clerk}'s upload of three records, validated. */
    private Staged threeValidatedOn(PrivateRedis redis, String clerk) {
        a = instance(Map.of("REDIS_URL", "redis://" + redis.address()));
        String token = a.clerkToken(clerk);
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(a, token, id);
        return new Staged(token, id);
    }

    /**
     * Waits (bounded: 10 s) until a thread of this process is in every one of {@code methods} ({@code
     * UploadService.commit}: a class of this package, a method) at once.
     */
    private static void awaitAThreadIn(String... methods) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
                List<String> frames = new ArrayList<>();
                for (StackTraceElement frame : stack) {
                    frames.add(frame.getClassName() + "." + frame.getMethodName());
                }
                if (Arrays.stream(methods)
                        .allMatch(m -> frames.contains(UploadService.class.getPackageName() + "." + m))) {
                    return;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("no thread was in " + Arrays.toString(methods) + " within 10 s");
    }

    /**
     * Redis frozen (connections open, nothing answers), then stopped: the staging routes answer 503
     * {@code staging.unavailable}, within the command timeout and at once, not after Lettuce's minute; then it comes
     * back... as a new, empty Redis: the upload is gone (404), and a new one is staged.
     */
    @Test
    void redisFrozenThenStopped_stagingUnavailable_notAHang(@TempDir Path dir) {
        try (PrivateRedis redis = PrivateRedis.start(dir)) {
            Staged staged = threeValidatedOn(redis, "frozen");
            String token = staged.token();
            String id = staged.id();

            redis.freeze();
            HttpResponse<String> frozen;
            try {
                frozen = boundedGet(a, "/api/v1/uploads/" + id, token);
            } finally {
                redis.thaw();
            }
            assertThat(Workbooks.problemCode(frozen, 503)).isEqualTo("staging.unavailable");
            assertThat(frozen.headers().firstValue("Retry-After")).isPresent();
            assertThat(boundedGet(a, "/api/v1/uploads/" + id, token).statusCode())
                    .isEqualTo(200);

            redis.stop();
            HttpResponse<String> stopped = boundedGet(a, "/api/v1/uploads/" + id + "/records", token);
            assertThat(Workbooks.problemCode(stopped, 503)).isEqualTo("staging.unavailable");
            HttpResponse<String> ready = boundedGet(a, "/api/v1/health/ready", null);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(ready).get("checks").get("staging").asText())
                    .isEqualTo("unavailable");
        }
    }

    /**
     * A Redis that refuses the records' writes (here: full, at its {@code maxmemory}, as the deployment guide's {@code
     * noeviction} makes it) fails the upload with 503's code {@code staging.unavailable}, which says what is wrong, as a
     * database out of reach does, not as a server fault nor as a lost validation: while the sheet is read (60,000 rows
     * in 4 MB), and when only the end of the validation no longer fits (its last chunk and its page lists: 5,000 rows
     * in room for six tenths of them).
     */
    @Test
    void redisRefusesWritesWhileValidating_uploadFailsAsStagingUnavailable(@TempDir Path dir) {
        try (PrivateRedis redis = PrivateRedis.start(dir, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction")) {
            a = instance(Map.of("REDIS_URL", "redis://" + redis.address()));
            String token = a.clerkToken("full");
            for (int rows : new int[] {60_000, 5_000}) {
                if (rows == 5_000) {
                    // room for six tenths of what the upload takes: its first chunks, written while it is read
                    redis.cli("CONFIG", "SET", "maxmemory", "0");
                    long before = usedMemory(redis);
                    String fits = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(1, rows)));
                    assertThat(Workbooks.settled(a, token, fits).get("status").asText())
                            .isEqualTo("validated");
                    long takes = usedMemory(redis) - before;
                    assertThat(a.delete("/api/v1/uploads/" + fits, token).statusCode())
                            .isEqualTo(204);
                    redis.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(redis) + takes * 6 / 10));
                }
                String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(1, rows)));

                JsonNode failed = Workbooks.settled(a, token, id);

                assertThat(failed.get("status").asText()).as("%d rows", rows).isEqualTo("failed");
                assertThat(failed.get("failure").get("code").asText()).isEqualTo("staging.unavailable");
                assertThat(failed.get("failure").get("detail").asText()).contains("out of memory");
                assertThat(failed.get("totals").get("records").asLong()).isZero();
                // it holds none of the budget (released once its chunks made room), and no chunk
                assertThat(redis.cli("HGET", "{" + prefix + "}:records", id).strip())
                        .as("%d rows", rows)
                        .isEqualTo("0");
                assertThat(redis.cli("--scan", "--pattern", "{" + prefix + ":" + id + "}:c:*")
                                .strip())
                        .isEmpty();
                assertThat(a.delete("/api/v1/uploads/" + id, token).statusCode())
                        .isEqualTo(204);
            }
        }
    }

    private static long usedMemory(PrivateRedis redis) {
        return Long.parseLong(redis.cli("INFO", "memory")
                .lines()
                .filter(l -> l.startsWith("used_memory:"))
                .findFirst()
                .orElseThrow()
                .substring("used_memory:".length())
                .strip());
    }

    /** A GET that may not take longer than 30 s (Lettuce's own timeout, a minute, would pass it). */
    private static HttpResponse<String> boundedGet(TestServer server, String path, String token) {
        return server.send(server.request(path, token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    /**
     * A wrong password is refused at start with Redis's own reason, not only "cannot reach". Redis may close the
     * connection before its answer is read (Lettuce then has none to give): of a few starts, one at least says why.
     */
    @Test
    void aWrongRedisPassword_refusedSayingWhy(@TempDir Path dir) {
        try (PrivateRedis redis = PrivateRedis.start(dir)) {
            redis.cli("CONFIG", "SET", "requirepass", "right-secret");
            List<String> refusals = new ArrayList<>();
            for (int i = 0; i < 5 && refusals.stream().noneMatch(m -> m.contains("WRONGPASS")); i++) {
                Map<String, String> env = Map.of("REDIS_URL", "redis://:wrong-secret@" + redis.address());
                refusals.add(catchThrowableOfType(IllegalStateException.class, () -> instance(env))
                        .getMessage());
            }
            assertThat(refusals)
                    .allMatch(m -> m.startsWith("STAGING=redis: cannot reach Redis at ") && !m.contains("wrong-secret"))
                    .anyMatch(m -> m.contains("WRONGPASS"));
        }
    }

    /**
     * A peer that takes the connection and never answers stops the start after the command timeout, saying so; the
     * connection's handshake does not wait Lettuce's minute (the message names the 10 s it waited).
     */
    @Test
    void aRedisThatNeverAnswers_refusedSayingSo() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = Map.of("REDIS_URL", "redis://127.0.0.1:" + silent.getLocalPort());
            assertThatThrownBy(() -> instance(env))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("STAGING=redis: cannot reach Redis at ")
                    .hasMessageEndingWith("; it took the connection and gave no answer within 10 s");
            // the wait that REDIS_URL sets, as it says
            Map<String, String> shorter =
                    Map.of("REDIS_URL", "redis://127.0.0.1:" + silent.getLocalPort() + "?timeout=1500ms");
            assertThatThrownBy(() -> instance(shorter))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageEndingWith("; it took the connection and gave no answer within 1500 ms");
        }
    }

    @Test
    void aRedisThatPersistsIsRefused(@TempDir Path dir) {
        try (PrivateRedis redis = PrivateRedis.start(dir, "--appendonly", "yes")) {
            Map<String, String> env = Map.of("REDIS_URL", "redis://" + redis.address());
            assertThatThrownBy(() -> instance(env))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("append-only file")
                    .hasMessageContaining("STAGING_REDIS_ALLOW_PERSISTENCE");
            Map<String, String> accepted = new HashMap<>(env);
            accepted.put("STAGING_REDIS_ALLOW_PERSISTENCE", "true");
            a = instance(accepted);
            assertThat(a.get("/api/v1/uploads", a.clerkToken("p")).statusCode()).isEqualTo(200);
        }
    }

    /** A Redis that may evict keys at its maxmemory is taken, with a warning at start naming the setting to change. */
    @Test
    void aRedisThatMayEvictKeys_warnedOfAtStart(@TempDir Path dir) {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisConnector.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (PrivateRedis redis = PrivateRedis.start(dir, "--maxmemory-policy", "allkeys-lru")) {
            a = instance(Map.of("REDIS_URL", "redis://" + redis.address()));
            assertThat(a.get("/api/v1/uploads", a.clerkToken("e")).statusCode()).isEqualTo(200);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m)
                        .contains("maxmemory-policy allkeys-lru")
                        .contains("set maxmemory-policy noeviction"));
    }
}
