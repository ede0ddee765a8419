package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import rw.intake.server.TestServer;

/**
 * A rolling upgrade that changes a staging format while uploads are staged: two instances sharing the machine's Redis
 * (a fresh key prefix) meet an upload whose meta, or a chunk or index list of it, begins with a format byte they do
 * not read, as an instance of a newer version writes it. Lists and the room made for a new upload go on without it
 * (logged once), direct access answers 503 {@code staging.unavailable} with {@code formatUnknown} and Retry-After,
 * its owner or an admin deletes it; never a 500.
 */
final class RedisUnknownFormatTest {
    private static final byte UNKNOWN = 3;

    private final String prefix = TestServer.freshRedisPrefix();
    private final String db =
            "jdbc:h2:mem:formats" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    private TestServer a;
    private TestServer b;

    private TestServer instance() {
        Map<String, String> env = TestServer.sharedRedis(prefix);
        env.put("DB_URL", db);
        env.put("STAGING_MAX_UPLOADS_PER_USER", "2");
        return TestServer.start(env);
    }

    @AfterEach
    void stop() {
        TestServer.closeAll(a, b);
    }

    @Test
    void aMetaOfAnUnknownFormat_leftOutOfLists_503ToItsOwner_deletable_roomMadeWithoutIt() {
        a = instance();
        b = instance();
        String owner = a.clerkToken("format-owner");
        String unknown = Workbooks.accepted(a, owner, Workbooks.xlsx(Workbooks.people(810_000, 30)));
        Workbooks.settled(a, owner, unknown);
        String committed = Workbooks.accepted(a, owner, Workbooks.xlsx(Workbooks.people(820_000, 30)));
        Workbooks.settled(a, owner, committed);
        HttpResponse<String> commit = a.postJson("/api/v1/uploads/" + committed + "/commit", owner, "{}");
        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);

        Logger logger = (Logger) LoggerFactory.getLogger(RedisStaging.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            newerFormat(key(unknown, "meta"));
            // A, which validated the upload and holds it whole, answers as B does: the newer instance may have changed
            // it
            for (TestServer s : new TestServer[] {a, b}) {
                for (int i = 0; i < 3; i++) {
                    JsonNode other = listed(s, s.clerkToken("format-other"));
                    assertThat(other).isEmpty();
                    assertThat(ids(listed(s, owner))).containsExactly(committed);
                    assertThat(ids(listed(s, s.adminToken())))
                            .contains(committed)
                            .doesNotContain(unknown);
                }
            }
            // once per upload on each instance (both log through one logger here), naming it and the format
            List<String> warned = lines.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN
                            && e.getFormattedMessage().contains(unknown))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(warned).hasSize(2).allMatch(m -> m.contains("meta") && m.contains("format 3"));
        } finally {
            logger.detachAppender(lines);
        }

        String upload = "/api/v1/uploads/" + unknown;
        for (TestServer s : new TestServer[] {a, b}) {
            for (HttpResponse<String> r : direct(s, owner, upload)) {
                formatUnknown(r);
            }
            // to anyone else, every route of it is 404, as any upload of another's
            for (HttpResponse<String> r : direct(s, s.clerkToken("format-other"), upload)) {
                assertThat(Workbooks.problemCode(r, 404)).isEqualTo("upload.not_found");
            }
            assertThat(Workbooks.problemCode(s.delete(upload, s.clerkToken("format-other")), 404))
                    .isEqualTo("upload.not_found");
            assertThat(s.get("/api/v1/health/ready", null).statusCode()).isEqualTo(200);
        }

        // at the limit of two uploads, the room for a new one is made by dropping the committed one, not the unknown
        String third = Workbooks.accepted(b, owner, Workbooks.xlsx(Workbooks.people(830_000, 30)));
        Workbooks.settled(b, owner, third);
        assertThat(Workbooks.problemCode(a.get("/api/v1/uploads/" + committed, owner), 404))
                .isEqualTo("upload.not_found");
        // now at the limit with nothing to drop: refused as full, naming the limit
        HttpResponse<String> full = Workbooks.upload(a, owner, Workbooks.xlsx(Workbooks.people(840_000, 30)));
        assertThat(Workbooks.problemCode(full, 503)).as(full.body()).isEqualTo("staging.full");

        assertThat(keys(unknown)).isNotEmpty();
        assertThat(b.delete(upload, owner).statusCode()).isEqualTo(204);
        assertThat(keys(unknown)).isEmpty();
        assertThat(Workbooks.problemCode(a.get(upload, owner), 404)).isEqualTo("upload.not_found");
        assertThat(ids(listed(a, owner))).containsExactly(third);
        // and the room it held is free again
        String fourth = Workbooks.accepted(a, owner, Workbooks.xlsx(Workbooks.people(850_000, 30)));
        assertThat(Workbooks.settled(a, owner, fourth).get("status").asText()).isEqualTo("validated");
    }

    /** One whose owner the budget no longer knows: only an admin may delete it. */
    @Test
    void aMetaOfAnUnknownFormat_ownerUnknown_onlyAnAdminDeletesIt() {
        a = instance();
        String owner = a.clerkToken("format-orphan");
        String id = Workbooks.accepted(a, owner, Workbooks.xlsx(Workbooks.people(860_000, 30)));
        Workbooks.settled(a, owner, id);
        newerFormat(key(id, "meta"));
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(c.sync().hdel(budgetKey("owners"), utf8(id))).isOne();
        } finally {
            client.shutdown();
        }
        String upload = "/api/v1/uploads/" + id;

        assertThat(Workbooks.problemCode(a.delete(upload, owner), 404)).isEqualTo("upload.not_found");
        formatUnknown(a.get(upload, a.adminToken()));
        assertThat(a.delete(upload, a.adminToken()).statusCode()).isEqualTo(204);
        assertThat(keys(id)).isEmpty();
    }

    /**
     * A chunk and an index list of an unknown format, on B, which does not hold the upload: the pages, records and
     * commit that need them answer 503, the others are served; A, which holds it whole, serves them all.
     */
    @Test
    void aChunkOrIndexOfAnUnknownFormat_503OnAnInstanceThatReadsIt() {
        a = instance();
        b = instance();
        String token = a.clerkToken("format-chunk");
        String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(870_000, 2_100)));
        Workbooks.settled(a, token, id);
        newerFormat(key(id, "c:1"));
        newerFormat(key(id, "ix:valid::"));
        String upload = "/api/v1/uploads/" + id;

        assertThat(b.get(upload, token).statusCode()).isEqualTo(200);
        assertThat(b.get(upload + "/records?page=1&size=50", token).statusCode())
                .isEqualTo(200);
        List<HttpResponse<String>> onB = List.of(
                b.get(upload + "/records?page=25&size=50", token),
                b.get(upload + "/records/1500", token),
                b.get(upload + "/records?status=valid&size=50", token),
                b.get(upload + "/commit-preview", token),
                b.get(upload + "/report.csv?status=all", token),
                b.patchJson(upload + "/records/1500", token, "{\"names\":\"Ana Newer\"}"),
                b.postJson(upload + "/commit", token, "{}"));
        for (HttpResponse<String> r : onB) {
            formatUnknown(r);
        }
        assertThat(a.get(upload + "/records?page=25&size=50", token).statusCode())
                .isEqualTo(200);
        assertThat(a.get(upload + "/records?status=valid&size=50", token).statusCode())
                .isEqualTo(200);
        assertThat(TestServer.json(b.get("/api/v1/users?uploadId=" + id, token))
                        .get("totalItems")
                        .asLong())
                .isZero();
        assertThat(b.delete(upload, token).statusCode()).isEqualTo(204);
        assertThat(keys(id)).isEmpty();
    }

    /** Summary, records, a record, the preview, a report, an edit, a leave-out and the commit of the upload. */
    private static List<HttpResponse<String>> direct(TestServer s, String token, String upload) {
        return List.of(
                s.get(upload, token),
                s.get(upload + "?wait=1", token),
                s.get(upload + "/records?size=10", token),
                s.get(upload + "/records?status=invalid&size=10", token),
                s.get(upload + "/records/2", token),
                s.get(upload + "/commit-preview", token),
                s.get(upload + "/report.csv?status=all", token),
                s.get(upload + "/report.xlsx?status=all", token),
                s.patchJson(upload + "/records/2", token, "{\"names\":\"Ana Newer\"}"),
                s.postJson(upload + "/records/exclude", token, "{\"status\":\"all\",\"excluded\":true}"),
                s.postJson(upload + "/commit", token, "{}"));
    }

    private static void formatUnknown(HttpResponse<String> r) {
        assertThat(Workbooks.problemCode(r, 503)).as(r.uri() + " " + r.body()).isEqualTo("staging.unavailable");
        JsonNode problem = TestServer.json(r);
        assertThat(problem.path("formatUnknown").asBoolean()).as(r.body()).isTrue();
        assertThat(problem.has("recordsLost")).isFalse();
        assertThat(problem.get("detail").asText()).contains("format 3");
        assertThat(r.headers().firstValue("Retry-After")).as(r.uri().toString()).isPresent();
    }

    private static JsonNode listed(TestServer s, String token) {
        HttpResponse<String> r = s.get("/api/v1/uploads", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(u -> out.add(u.get("id").asText()));
        return out;
    }

    /** Sets the first byte of the value at {@code key} to a format no instance here reads, as a newer one writes it. */
    private static void newerFormat(byte[] key) {
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(c.sync().exists(key))
                    .as(new String(key, StandardCharsets.UTF_8))
                    .isOne();
            c.sync().setrange(key, 0, new byte[] {UNKNOWN});
        } finally {
            client.shutdown();
        }
    }

    private byte[] key(String id, String part) {
        return utf8("{" + prefix + ":" + id + "}:" + part);
    }

    private byte[] budgetKey(String part) {
        return utf8("{" + prefix + "}:" + part);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The upload's keys in Redis. */
    private List<String> keys(String id) {
        return TestServer.redisKeys(prefix, id);
    }
}
