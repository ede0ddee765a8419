package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/**
 * Two instances sharing the machine's Redis (a fresh key prefix): the one that did not validate an upload serves its
 * summary, every filter's pages and single records from the chunks and index slices in Redis, byte for byte as the
 * validating one, without reading the upload whole; an edit and a delete on the other instance show at once.
 */
final class RedisPageReadTest {
    private static final int ROWS = 10_000;
    private static final String[] STATUSES = {"all", "valid", "invalid"};
    private static final String[] FIELDS = {"names", "nid", "phone_number", "gender", "email"};
    private static final Pattern READS =
            Pattern.compile("intake_staging_reads_total\\{what=\"(\\w+)\"[^}]*} ([0-9.E]+)");

    private final String prefix = TestServer.freshRedisPrefix();
    private final String db =
            "jdbc:h2:mem:pages" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    private TestServer a;
    private TestServer b;
    private TestServer third;

    private TestServer instance() {
        return instance(Map.of());
    }

    private TestServer instance(Map<String, String> settings) {
        Map<String, String> env = TestServer.sharedRedis(prefix);
        env.putAll(settings);
        env.put("DB_URL", db);
        return TestServer.start(env);
    }

    @AfterEach
    void stop() {
        TestServer.closeAll(a, b, third);
    }

    @Test
    void theOtherInstanceServesPagesFromChunksAndIndexSlices_editsAndDeletesShowThere() {
        a = instance();
        b = instance();
        String token = a.clerkToken("pages");
        String id = Workbooks.accepted(a, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 17)));
        JsonNode summary = Workbooks.settled(b, token, id);
        assertThat(summary.get("status").asText()).isEqualTo("validated");
        assertThat(summary.get("totals").get("records").asLong()).isEqualTo(ROWS);
        assertThat(TestServer.json(a.get("/api/v1/uploads/" + id, token))).isEqualTo(summary);

        List<String> filters = filters(summary);
        assertThat(filters).hasSizeGreaterThan(30);
        int pages = samePages(id, token, filters);
        assertThat(pages).isGreaterThan(3 * filters.size());
        sameRecord(id, token, 2);
        sameRecord(id, token, ROWS / 2);
        sameRecord(id, token, ROWS + 1);
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id + "/records/" + (ROWS + 5), token), 404))
                .isEqualTo("record.not_found");

        // B read chunks of records, never the whole upload
        assertThat(reads(b, "upload")).isZero();
        assertThat(reads(b, "chunk")).isPositive();
        List<String> keys = keys(id);
        assertThat(keys).contains("{" + prefix + ":" + id + "}:ix", "{" + prefix + ":" + id + "}:ix:rows");
        assertThat(keys).anyMatch(k -> k.endsWith(":ix:invalid::"));

        // an edit on A makes a valid record invalid: B's counts, filters and record follow at once
        JsonNode valid = TestServer.json(b.get("/api/v1/uploads/" + id + "/records?status=valid&size=1", token))
                .get("items")
                .get(0);
        int row = valid.get("row").asInt();
        HttpResponse<String> edited =
                a.patchJson("/api/v1/uploads/" + id + "/records/" + row, token, "{\"nid\":\"12\"}");
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        JsonNode after = TestServer.json(b.get("/api/v1/uploads/" + id, token));
        assertThat(after).isEqualTo(TestServer.json(a.get("/api/v1/uploads/" + id, token)));
        assertThat(after.get("totals").get("invalid").asLong())
                .isEqualTo(summary.get("totals").get("invalid").asLong() + 1);
        List<Integer> rows = new ArrayList<>();
        for (JsonNode r : Workbooks.records(b, token, id, "&status=invalid&field=nid")) {
            rows.add(r.get("row").asInt());
        }
        assertThat(rows).contains(row);
        // the lists the edit changed: each status alone, and those of the NID's field and codes
        samePages(
                id,
                token,
                filters(after).stream()
                        .filter(f -> f.contains("nid") || (!f.contains("&field=") && !f.contains("&code=")))
                        .toList());
        sameRecord(id, token, row);
        assertThat(b.get("/api/v1/uploads/" + id + "/records/" + row, token).body())
                .contains("\"nid\":\"12\"")
                .contains("\"history\":[{");
        assertThat(reads(b, "upload")).isZero();

        assertThat(a.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id, token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id + "/records?status=invalid", token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(b.get("/api/v1/uploads/" + id + "/records/2", token), 404))
                .isEqualTo("upload.not_found");
        assertThat(keys(id)).isEmpty();
    }

    /** Every status alone, with each field, with each code; a code with its own field and with another. */
    private static List<String> filters(JsonNode summary) {
        List<String> out = new ArrayList<>();
        for (String status : STATUSES) {
            out.add("&status=" + status);
            for (String field : FIELDS) {
                out.add("&status=" + status + "&field=" + field);
            }
            for (Iterator<String> codes = summary.get("violationsByCode").fieldNames(); codes.hasNext(); ) {
                String code = codes.next();
                out.add("&status=" + status + "&code=" + code);
                if (!"all".equals(status)) {
                    continue;
                }
                String field = code.substring(0, code.indexOf('.'));
                out.add("&status=" + status + "&code=" + code + "&field=" + ("phone".equals(field) ? "phone" : field));
                out.add("&status=" + status + "&code=" + code + "&field="
                        + ("names".equals(field) ? "gender" : "names"));
            }
        }
        out.add("&code=no.such_code");
        return out;
    }

    /**
     * Compares A's and B's pages of every filter: the first, those around each chunk boundary, the last (partial)
     * one and one past the end, in pages of 100 and 500. Returns the pages compared.
     */
    private int samePages(String id, String token, List<String> filters) {
        int compared = 0;
        for (String filter : filters) {
            for (int size : new int[] {100, 500}) {
                HttpResponse<String> firstOnA = a.get(path(id, filter, 1, size), token);
                assertThat(firstOnA.statusCode()).as(firstOnA.body()).isEqualTo(200);
                JsonNode first = TestServer.json(firstOnA);
                long total = first.get("totalItems").asLong();
                long last = Math.max(1, first.get("totalPages").asLong());
                List<Long> pages = new ArrayList<>(List.of(1L, last, last + 1));
                for (long boundary = RecordChunks.SIZE; boundary < total; boundary += RecordChunks.SIZE) {
                    pages.add(boundary / size + 1);
                }
                for (long page : pages) {
                    HttpResponse<String> onA = a.get(path(id, filter, page, size), token);
                    HttpResponse<String> onB = b.get(path(id, filter, page, size), token);
                    assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
                    assertThat(onB.body()).as(filter + " page " + page).isEqualTo(onA.body());
                    compared++;
                }
            }
        }
        return compared;
    }

    private static String path(String id, String filter, long page, int size) {
        return "/api/v1/uploads/" + id + "/records?page=" + page + "&size=" + size + filter;
    }

    /** Requests that want the same chunk at the same moment on an instance read it from Redis once. */
    @Test
    void aChunkWantedByManyRequestsAtOnceIsReadOnce() throws Exception {
        String token = clerk("together");
        String id = validatedOnAReadOnB(token, 23);
        String expected = a.get("/api/v1/uploads/" + id + "/records?page=3&size=50", token)
                .body();
        long before = reads(b, "chunk");

        int requests = 16;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            CyclicBarrier together = new CyclicBarrier(requests);
            List<Future<HttpResponse<String>>> pages = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                pages.add(pool.submit(() -> {
                    together.await();
                    return b.get("/api/v1/uploads/" + id + "/records?page=3&size=50", token);
                }));
            }
            for (Future<HttpResponse<String>> page : pages) {
                assertThat(page.get().statusCode()).isEqualTo(200);
                assertThat(page.get().body()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(reads(b, "chunk") - before).isEqualTo(1);
        assertThat(reads(b, "upload")).isZero();
    }

    @Test
    void aPageInTheSecondHalfOfAChunkHasTheNextChunkReadAhead() {
        String token = clerk("ahead");
        String id = validatedOnAReadOnThird(token, 29);
        int perChunk = RecordChunks.SIZE / 50;
        long before = reads(third, "chunk");

        // a page of the first half of chunk 0 reads chunk 0 alone
        assertThat(third.get("/api/v1/uploads/" + id + "/records?page=1&size=50", token)
                        .statusCode())
                .isEqualTo(200);
        assertThat(reads(third, "chunk") - before).isEqualTo(1);
        // its second half: chunk 1 is read in the background
        String late = "/api/v1/uploads/" + id + "/records?page=" + (perChunk - 1) + "&size=50";
        assertThat(third.get(late, token).body()).isEqualTo(a.get(late, token).body());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (reads(third, "chunk") - before < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(reads(third, "chunk") - before).isEqualTo(2);
        // paging on into chunk 1 reads nothing more
        for (int page = perChunk; page <= perChunk + 2; page++) {
            String path = "/api/v1/uploads/" + id + "/records?page=" + page + "&size=50";
            assertThat(third.get(path, token).body())
                    .isEqualTo(a.get(path, token).body());
        }
        assertThat(reads(third, "chunk") - before).isEqualTo(2);
        assertThat(reads(third, "upload")).isZero();
    }

    /**
     * An instance whose cache holds the upload's chunks ({@code STAGING_REDIS_CACHE_MB}, by default that of a
     * 1,000,000-row upload) reads each once however often its pages are read; one given no cache reads them again.
     */
    @Test
    void eachChunkIsReadOnceWhileTheCacheHoldsIt_againWithNoCache() {
        String token = clerk("cache");
        String id = validatedOnAReadOnThird(token, 31);
        int chunks = (ROWS + RecordChunks.SIZE - 1) / RecordChunks.SIZE;
        int pages = ROWS / 50;
        for (int pass = 1; pass <= 2; pass++) {
            for (int page = 1; page <= pages; page++) {
                assertThat(third.get(path(id, "", page, 50), token).statusCode())
                        .isEqualTo(200);
            }
            assertThat(reads(third, "chunk")).as("pass %d", pass).isEqualTo(chunks);
        }
        third.close();
        third = instance(Map.of("STAGING_REDIS_CACHE_MB", "0"));
        for (int page = 1; page <= pages; page++) {
            String path = path(id, "", page, 50);
            assertThat(third.get(path, token).body())
                    .isEqualTo(a.get(path, token).body());
        }
        assertThat(reads(third, "chunk")).isGreaterThanOrEqualTo(pages);
        assertThat(reads(third, "upload")).isZero();
    }

    @Test
    void theLegacyRecordListIsServedFromChunksToo() {
        String token = clerk("legacy");
        validatedOnAReadOnThird(token, 37);
        for (String page : List.of("?page=1&size=50", "?page=3&size=7", "?page=199&size=50", "?page=999&size=50")) {
            HttpResponse<String> onThird = third.get("/api/v1/validatedusers/" + page, token);
            assertThat(onThird.statusCode()).as(onThird.body()).isEqualTo(200);
            assertThat(onThird.body())
                    .isEqualTo(a.get("/api/v1/validatedusers/" + page, token).body());
        }
        assertThat(TestServer.json(third.get("/api/v1/validatedusers/?page=1&size=50", token))
                        .get("totalItems")
                        .asLong())
                .isEqualTo(ROWS);
        assertThat(reads(third, "upload")).isZero();
        assertThat(reads(third, "chunk")).isPositive();
    }

    @Test
    void aChunkWrittenForAVersionWhoseMetaIsNotWrittenYetIsNotMixedIn() throws Exception {
        String token = clerk("versions");
        String id = validatedOnAReadOnThird(token, 31);
        String page = "/api/v1/uploads/" + id + "/records?page=1&size=50";
        String expected = a.get(page, token).body();

        // as an edit saved on another instance leaves Redis between its chunks and its meta: chunk 0 of the next
        // version (the same records), the meta still of this one
        String base = "{" + prefix + ":" + id + "}:";
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<byte[], byte[]> c =
                client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            byte[] meta = c.sync().get(bytes(base + "meta"));
            com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(meta, 1, meta.length - 1);
            long version = body.get("version").asLong();
            byte[] chunk = c.sync().get(bytes(base + "c:0"));
            assertThat(RecordChunks.version(chunk)).isLessThanOrEqualTo(version);
            java.nio.ByteBuffer.wrap(chunk).putLong(1, version + 1);
            c.sync().set(bytes(base + "c:0"), chunk, io.lettuce.core.SetArgs.Builder.keepttl());

            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<HttpResponse<String>> read = pool.submit(() -> third.get(page, token));
                // the third instance found the chunk newer than the meta and waits for the next meta, without
                // reading the upload whole (which many reads at once would each do)
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (reads(third, "newer") == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(reads(third, "newer")).isEqualTo(1);
                assertThat(read.isDone()).isFalse();
                body.put("version", version + 1);
                byte[] json = bytes(body.toString());
                byte[] next = new byte[json.length + 1];
                next[0] = meta[0];
                System.arraycopy(json, 0, next, 1, json.length);
                c.sync().set(bytes(base + "meta"), next, io.lettuce.core.SetArgs.Builder.keepttl());
                HttpResponse<String> served = read.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
                assertThat(served.body()).isEqualTo(expected);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            client.shutdown();
        }
        assertThat(reads(third, "upload")).isZero();
    }

    /**
     * Two reports of an upload asked at once on an instance that does not hold it: it reads the upload whole once, the
     * second request waiting for the first's copy (each reading it beside the other could take twice the heap).
     */
    @Test
    void reportsAskedTogether_theUploadIsReadWholeOnce() throws Exception {
        String token = clerk("reports");
        String id = validatedOnAReadOnThird(token, 37);
        String report = "/api/v1/uploads/" + id + "/report.csv";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<HttpResponse<String>>> asked =
                    List.of(pool.submit(() -> third.get(report, token)), pool.submit(() -> third.get(report, token)));
            for (Future<HttpResponse<String>> f : asked) {
                HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(asked.get(0).get().body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(reads(third, "upload")).isEqualTo(1);
    }

    /** Starts A and B; a clerk's token. */
    private String clerk(String name) {
        a = instance();
        b = instance();
        return a.clerkToken(name);
    }

    /** An upload of {@link #ROWS} rows sent to A, followed on B until validated; its id. */
    private String validatedOnAReadOnB(String token, long seed) {
        String id = Workbooks.accepted(a, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, seed)));
        assertThat(Workbooks.settled(b, token, id).get("status").asText()).isEqualTo("validated");
        return id;
    }

    /**
     * As {@link #validatedOnAReadOnB}, then a third instance started to read it: B may have read the upload whole
     * while it followed the validation (its end raced the lease) and would serve its own copy; the third holds
     * nothing of it.
     */
    private String validatedOnAReadOnThird(String token, long seed) {
        String id = validatedOnAReadOnB(token, seed);
        third = instance();
        return id;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void sameRecord(String id, String token, int row) {
        HttpResponse<String> onA = a.get("/api/v1/uploads/" + id + "/records/" + row, token);
        HttpResponse<String> onB = b.get("/api/v1/uploads/" + id + "/records/" + row, token);
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(onA.statusCode());
        assertThat(onB.body()).isEqualTo(onA.body());
    }

    /** The instance's {@code intake_staging_reads_total{what}}. */
    private static long reads(TestServer s, String what) {
        HttpResponse<String> metrics = s.get("/metrics", s.adminToken());
        assertThat(metrics.statusCode()).isEqualTo(200);
        Matcher m = READS.matcher(metrics.body());
        while (m.find()) {
            if (m.group(1).equals(what)) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no intake_staging_reads_total{what=\"" + what + "\"} in " + metrics.body());
    }

    /** The upload's keys in Redis, each with an expiry. */
    private List<String> keys(String id) {
        List<String> out = TestServer.redisKeys(prefix, id);
        RedisClient client = RedisClient.create(TestServer.REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String k : out) {
                if (!k.endsWith(":lease") && !k.endsWith(":lock")) {
                    assertThat(c.sync().pttl(k)).as(k).isPositive();
                }
            }
            return out;
        } finally {
            client.shutdown();
        }
    }
}
