package rw.intake.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/**
 * Upload → validated time, commit time, page latency under 32 concurrent clients and the heap held by a staged upload,
 * against the real server on loopback. Arguments: row counts (default {@code 50000 1000000}). {@code DB_URL} (and
 * {@code DB_USER}, {@code DB_PASSWORD}) in the environment select the commit database; default a new H2 file database
 * under {@code target/bench-h2}, as the server's default is an H2 file.
 * Untimed 50,000-row uploads, paged and committed, warm the JVM first ({@code -Dbench.warmups=N}, default 1;
 * {@code -Dbench.warmup=false} skips them). Every upload has a seed of its own, so none meets NIDs registered before.
 * {@code -Dbench.pages=false} skips the in-JVM page clients; {@code -Dbench.hold=SECONDS} keeps the server up that
 * long after the last upload, with that upload staged, and prints the port, token and a page URL for an outside load
 * generator (wrk, see {@code src/test/resources/bench/pages.lua}).
 *
 * <pre>
 * MAVEN_OPTS="-Xmx4g" mvn -B -o -q -pl server-javalin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=rw.intake.server.bench.UploadBench -Dexec.args="50000 1000000"
 * </pre>
 *
 * <p>The figures it gives, and the commands that reproduce them, are in docs/performance.md.
 */
public final class UploadBench {
    private static final int CLIENTS = 32;
    private static final long PAGE_SECONDS = 10;
    private static final long WARM_UP_PAGE_SECONDS = 5;

    private UploadBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {50_000, 1_000_000}
                : Arrays.stream(args).mapToInt(a -> Integer.parseInt(a.replace("_", ""))).toArray();
        Map<String, String> env = new HashMap<>();
        for (String key : List.of("DB_URL", "DB_USER", "DB_PASSWORD")) {
            if (System.getenv(key) != null) {
                env.put(key, System.getenv(key));
            }
        }
        // The server's default database is an H2 file: measure that, not an in-memory H2 (whose rows live on the heap).
        env.putIfAbsent("DB_URL", "jdbc:h2:file:" + java.nio.file.Path.of("target", "bench-h2", "intake-" + System.nanoTime())
            .toAbsolutePath());
        env.put("STAGING_MAX_RECORDS", "10000000");
        try (TestServer server = TestServer.start(env)) {
            System.out.printf(Locale.ROOT, "database: %s%n", server.storage().dialect());
            String token = server.clerkToken("bench");
            int warmUps = Boolean.parseBoolean(System.getProperty("bench.warmup", "true")) ? Integer.getInteger("bench.warmups", 1) : 0;
            for (int w = 0; w < warmUps; w++) {
                warmUp(server, token, 7 + w);
            }
            long hold = Long.getLong("bench.hold", 0);
            for (int i = 0; i < sizes.length; i++) {
                run(server, token, sizes[i], 2026 + i, hold > 0 && i == sizes.length - 1 ? hold : 0);
            }
        }
        System.exit(0);
    }

    /**
     * One untimed 50,000-row upload, paged by the 32 clients for a few seconds and committed, so that the timed runs
     * (and an outside load generator on a held server) meet compiled code. Each warm-up and each timed run has a seed
     * of its own, so no run meets NIDs an earlier one registered.
     */
    private static void warmUp(TestServer server, String token, int seed) throws Exception {
        long t0 = System.nanoTime();
        String id = Workbooks.accepted(server, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(50_000, seed)));
        waitValidated(server, token, id);
        pages(server, token, id, 50_000, WARM_UP_PAGE_SECONDS);
        server.postJson("/api/v1/uploads/" + id + "/commit", token, "");
        server.delete("/api/v1/uploads/" + id, token);
        System.out.printf(Locale.ROOT, "warm-up (50,000 rows, untimed): %d ms%n", ms(System.nanoTime() - t0));
    }

    private static void run(TestServer server, String token, int rows, int seed, long holdSeconds) throws Exception {
        byte[] workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(rows, seed));
        long heapBefore = usedHeapAfterGc();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        String id = Workbooks.accepted(server, token, workbook);
        long accepted = System.nanoTime();
        long cpuAccepted = processCpuNanos();
        JsonNode summary = waitValidated(server, token, id);
        long validated = System.nanoTime();
        long cpuValidated = processCpuNanos();
        long heapAfter = usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "%,d rows (%,d bytes): 202 after %d ms, validated after %d ms (%s, %d valid)%n",
                rows, workbook.length, ms(accepted - t0), ms(validated - t0), summary.get("status").asText(),
                summary.get("totals").get("valid").asLong());
        System.out.printf(Locale.ROOT, "  process CPU: %d ms to the 202, %d ms to validated (%.2f cores busy on average)%n",
                ms(cpuAccepted - cpu0), ms(cpuValidated - cpu0), (double) (cpuValidated - cpu0) / (validated - t0));
        System.out.printf(Locale.ROOT, "  heap growth, upload to validated: %.1f MB (%.0f bytes/record)%n", (heapAfter - heapBefore) / 1e6,
                (double) (heapAfter - heapBefore) / rows);
        if (Boolean.parseBoolean(System.getProperty("bench.pages", "true"))) {
            pages(server, token, id, rows, PAGE_SECONDS);
        }
        if (holdSeconds > 0) {
            System.out.printf(Locale.ROOT, "HOLD port=%d token=%s upload=%s rows=%d for %d s%n", server.app().port(), token,
                    id, rows, holdSeconds);
            System.out.printf(Locale.ROOT, "  e.g. UPLOAD=%s PAGES=%d TOKEN=%s wrk -t2 -c32 -d10s --latency "
                    + "-s server-javalin/src/test/resources/bench/pages.lua http://127.0.0.1:%d%n", id, rows / 50, token,
                    server.app().port());
            System.out.flush();
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
        long c0 = System.nanoTime();
        HttpResponse<String> commit = server.postJson("/api/v1/uploads/" + id + "/commit", token, "");
        System.out.printf(Locale.ROOT, "  commit: %d ms -> %s%n", ms(System.nanoTime() - c0), commit.body());
        long heapCommitted = usedHeapAfterGc();
        server.delete("/api/v1/uploads/" + id, token);
        long heapDeleted = usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "  heap released by DELETE: %.1f MB (%.0f bytes/record)%n",
                (heapCommitted - heapDeleted) / 1e6, (double) (heapCommitted - heapDeleted) / rows);
    }

    private static void pages(TestServer server, String token, String id, int rows, long pageSeconds) throws Exception {
        String[] filters = {"", "&status=valid", "&status=invalid", "&field=nid", "&code=phone.invalid",
            "&status=invalid&field=email"};
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(pageSeconds);
        List<Future<long[]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < CLIENTS; c++) {
            futures.add(pool.submit(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (System.nanoTime() < end && n < lat.length) {
                    int page = 1 + rnd.nextInt(Math.max(1, rows / 50 / 4));
                    String f = filters[rnd.nextInt(filters.length)];
                    long s = System.nanoTime();
                    HttpResponse<String> r = server.get("/api/v1/uploads/" + id + "/records?size=50&page=" + page + f,
                            token);
                    lat[n++] = System.nanoTime() - s;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(r.statusCode() + " " + r.body());
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : futures) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf(Locale.ROOT, "  pages of 50, %d clients: %,d pages in %.1f s = %,.0f pages/s, p50 %.2f ms, "
                + "p99 %.2f ms%n", CLIENTS, lat.length, seconds, lat.length / seconds, lat[lat.length / 2] / 1e6,
                lat[(int) (lat.length * 0.99)] / 1e6);
    }

    private static JsonNode waitValidated(TestServer server, String token, String id) {
        while (true) {
            JsonNode s = TestServer.json(server.get("/api/v1/uploads/" + id, token));
            if (!"validating".equals(s.get("status").asText())) {
                return s;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** CPU time of the whole process (all threads, GC and JIT included), so that runs on a shared machine compare. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
