package rw.intake.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/**
 * JMH: the error report of a large staged upload over real HTTP on loopback, one shot per download, timed to its last
 * byte: {@code report} ({@code report.xlsx?status=all} by default) of a staged upload of {@code rows} generated
 * records ({@code invalid} of them with defects). The forked JVM prints the process CPU of each download and, at the
 * end, the live heap a report holds while it streams: a last, untimed download of the same report stops reading after
 * 1, 4 and 16 MiB (the server then blocks on the full socket), collects, and takes the live heap over the live heap
 * before it: fastexcel's buffers, its list of row slots, the capped comments, the socket's buffers. It does not grow
 * with the upload's bytes. Run by the {@code jmh} profile:
 *
 * <pre>
 * mvn -B -q -Pjmh -pl server-javalin test-compile exec:exec@jmh -Djmh.args="ReportBench"
 * mvn -B -q -Pjmh -pl server-javalin test-compile exec:exec@jmh \
 *     -Djmh.args="ReportBench -p report=report.xlsx?status=invalid,report.csv?status=all"
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ReportBench {

    @Param("1000000")
    public int rows;

    @Param("0.1")
    public double invalid;

    @Param("report.xlsx?status=all")
    public String report;

    private TestServer server;
    private String token;
    private String path;
    private long cpuBefore;

    @Setup(Level.Trial)
    public void stage() {
        server = TestServer.start(Map.of("STAGING_MAX_RECORDS", "10000000"));
        token = server.clerkToken("bench");
        String id = upload(SampleSpec.of(rows, 2026).withInvalidRatio(invalid));
        JsonNode totals =
                TestServer.json(server.get("/api/v1/uploads/" + id, token)).get("totals");
        System.out.printf(
                Locale.ROOT,
                "%n%,d records staged, %,d invalid, %,d with warnings%n",
                totals.get("records").asLong(),
                totals.get("invalid").asLong(),
                totals.get("withWarnings").asLong());
        path = "/api/v1/uploads/" + id + "/" + report;
    }

    @Setup(Level.Iteration)
    public void cpuBefore() {
        cpuBefore = processCpuNanos();
    }

    @TearDown(Level.Iteration)
    public void cpuAfter() {
        System.out.printf(Locale.ROOT, "  process CPU %,d ms%n", (processCpuNanos() - cpuBefore) / 1_000_000);
    }

    @TearDown(Level.Trial)
    public void heapAndStop() {
        try {
            long before = liveHeap();
            long peak = 0;
            int probe = 0;
            long[] probes = {1L << 20, 4L << 20, 16L << 20};
            long bytes = 0;
            try (InputStream in = open()) {
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    bytes += n;
                    if (probe < probes.length && bytes >= probes[probe]) {
                        peak = Math.max(peak, liveHeap() - before);
                        probe++;
                    }
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n%s: live heap while streaming, over the live heap before: at most %.1f MB (%d probes)%n",
                    report,
                    peak / 1e6,
                    probe);
        } finally {
            server.close();
        }
    }

    /** The whole report, read to its last byte: its length. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public long download() throws IOException {
        long bytes = 0;
        try (InputStream in = open()) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes += n;
            }
        }
        return bytes;
    }

    private InputStream open() {
        HttpResponse<InputStream> r =
                server.send(server.request(path, token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode());
        }
        return r.body();
    }

    private String upload(SampleSpec spec) {
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
