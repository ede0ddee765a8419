package rw.intake.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/**
 * The error report of a large staged upload over real HTTP on loopback: time to the last byte of
 * {@code report.xlsx?status=all}, {@code ?status=invalid} and {@code report.csv?status=all}, and the live heap while a
 * report streams. Arguments: the row count (default 1,000,000) and the share of invalid records (default 0.1).
 *
 * <p>Memory: a second, untimed download of the .xlsx stops reading after 1, 4 and 16 MiB
 * (the server then blocks on the full socket), forces a full GC and takes the live heap; the growth over the live heap
 * before the download is what the report holds: fastexcel's buffers, its list of row slots (one reference a row), the
 * capped comments, the socket's buffers. It does not grow with the upload's bytes.
 *
 * <pre>
 * MAVEN_OPTS="-Xmx4g" mvn -B -o -q -pl server-javalin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=rw.intake.server.bench.ReportBench -Dexec.args="1000000 0.1"
 * </pre>
 *
 * <p>Its figures are in docs/performance.md (RB).
 */
public final class ReportBench {
    private static final int WARM_UPS = 3;

    private ReportBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        double invalid = args.length > 1 ? Double.parseDouble(args[1]) : 0.1;
        Map<String, String> env = new HashMap<>();
        env.put("STAGING_MAX_RECORDS", "10000000");
        try (TestServer server = TestServer.start(env)) {
            String token = server.clerkToken("bench");
            String warm = upload(server, token, SampleSpec.of(50_000, 3).withInvalidRatio(invalid));
            for (int i = 0; i < WARM_UPS; i++) {
                download(server, token, "/api/v1/uploads/" + warm + "/report.xlsx?status=all", false);
                download(server, token, "/api/v1/uploads/" + warm + "/report.csv?status=all", false);
            }
            String id = upload(server, token, SampleSpec.of(rows, 2026).withInvalidRatio(invalid));
            JsonNode totals =
                    TestServer.json(server.get("/api/v1/uploads/" + id, token)).get("totals");
            System.out.printf(
                    Locale.ROOT,
                    "%,d records staged, %,d invalid, %,d with warnings%n",
                    totals.get("records").asLong(),
                    totals.get("invalid").asLong(),
                    totals.get("withWarnings").asLong());
            for (String q : new String[] {
                "report.xlsx?status=all",
                "report.xlsx?status=invalid",
                "report.csv?status=all",
                "report.xlsx?status=all"
            }) {
                download(server, token, "/api/v1/uploads/" + id + "/" + q, false);
            }
            download(server, token, "/api/v1/uploads/" + id + "/report.xlsx?status=all", true);
        }
        System.exit(0);
    }

    private static String upload(TestServer server, String token, SampleSpec spec) {
        String id = Workbooks.accepted(server, token, SampleWorkbooks.xlsxBytes(spec));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!"validating"
                    .equals(TestServer.json(server.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())) {
                return id;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new IllegalStateException("upload " + id + " still validating after 30 minutes");
    }

    private static void download(TestServer server, String token, String path, boolean probeHeap) throws Exception {
        long before = probeHeap ? liveHeap() : 0;
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        HttpResponse<InputStream> r = server.client()
                .send(server.request(path, token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode());
        }
        long first = System.nanoTime();
        long bytes = 0;
        long peak = 0;
        long[] probes = {1L << 20, 4L << 20, 16L << 20};
        int probe = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = r.body()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes += n;
                if (probeHeap && probe < probes.length && bytes >= probes[probe]) {
                    peak = Math.max(peak, liveHeap() - before);
                    probe++;
                }
            }
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        long t1 = System.nanoTime();
        if (probeHeap) {
            System.out.printf(
                    Locale.ROOT,
                    "  %s: live heap while streaming, over the live heap before: at most %.1f MB "
                            + "(%d probes, %,d bytes)%n",
                    path.substring(path.lastIndexOf('/') + 1),
                    peak / 1e6,
                    probe,
                    bytes);
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "  %s: %,d bytes, first byte after %d ms, last after %d ms, process CPU %d ms%n",
                    path.substring(path.lastIndexOf('/') + 1),
                    bytes,
                    (first - t0) / 1_000_000,
                    (t1 - t0) / 1_000_000,
                    (processCpuNanos() - cpu0) / 1_000_000);
        }
    }

    /**
     * The heap in use right after a full GC, from each heap pool's usage after its last collection: the heap's usage
     * read a moment later would also count what the still running server allocated since.
     */
    private static long liveHeap() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
