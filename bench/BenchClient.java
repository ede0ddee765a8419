import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of {@code bench/run}: drives a running intake server over HTTP from its own process, as a user's
 * client would, and appends what it measured to a results file; {@code table} prints the results as one table.
 * JDK only, run in source mode ({@code java bench/BenchClient.java ...}), so it needs no build.
 *
 * <pre>
 * java bench/BenchClient.java scenario BASE_URL SERVER_PID DB WORKDIR REPEAT RESULTS PAGES_LUA
 * java bench/BenchClient.java shared BASE_A BASE_B PID_A PID_B DB WORKDIR REPEAT RESULTS PAGES_LUA REDIS_URL PREFIX
 * java bench/BenchClient.java table RESULTS SMALL_ROWS LARGE_ROWS
 * </pre>
 *
 * <p>{@code shared} drives two instances that share Redis (STAGING=redis) and one database: each upload is sent to A
 * and followed on B, commits go to B, and wrk reads pages from both at once (16 connections each, then 2 each: the
 * rate with fewer clients waiting on each other, and their latency; then 16 each again, each connection pausing
 * between its pages so that the two together ask for {@value #PACED_RATE} pages/s, and read about 5,000); Redis's
 * memory for a staged large upload is the sum of {@code MEMORY USAGE} over the keys of the prefix.
 *
 * <p>WORKDIR holds the workbooks {@code bench/run} made: {@code small-0.xlsx} .. {@code small-REPEAT.xlsx}
 * (SMALL_ROWS rows, 50,000 by default; distinct seeds), {@code large-0.xlsx} .. {@code large-REPEAT.xlsx}
 * (LARGE_ROWS rows, 1,000,000 by default; distinct seeds:
 * each is committed on PostgreSQL) and optionally {@code large-spreadsheet.xlsx} (LARGE_ROWS rows of a seed of its
 * own, never committed, rewritten by LibreOffice: shared strings and styles, as spreadsheet programs write them).
 * Each operation runs once cold (the first of its kind after the server started) and REPEAT times warm; a results line
 * is {@code operation TAB db TAB cold TAB warm,warm,...}.
 */
public final class BenchClient {
    /** Seconds of pages read before the measured ones ({@code PAGE_WARMUP}, default 15). */
    private static final int PAGE_WARMUP_SECONDS =
            Integer.parseInt(System.getenv().getOrDefault("PAGE_WARMUP", "15"));
    /**
     * Pages a second that the paced page load asks for: each connection pauses a whole number of milliseconds after
     * each answer, so it reads fewer; asking 6,000 reads about 5,000, the shared store's target rate.
     */
    private static final int PACED_RATE = 6000;
    /**
     * Seconds the server is left idle before its resident memory is read again ({@code SETTLE}, default 30; 0 reads
     * it only right after the validation): what a host sees while clerks review, once the collector has given back
     * what the upload used.
     */
    private static final int SETTLE_SECONDS = Integer.parseInt(System.getenv().getOrDefault("SETTLE", "30"));
    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ACCESS = Pattern.compile("\"access\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Where uploads are sent. */
    private final String base;
    /** Where they are followed, committed and (with {@link #base}) paged: {@link #base} itself, or a second instance. */
    private final String other;
    private final long pid;
    private final long otherPid;
    private final String db;
    private final Path workdir;
    private final int repeat;
    private final Path results;
    private final Path pagesLua;
    private final String redisUrl;
    private final String redisPrefix;
    private String token;

    private BenchClient(String base, String other, long pid, long otherPid, String db, String[] rest, String redisUrl,
            String redisPrefix) {
        this.base = base;
        this.other = other;
        this.pid = pid;
        this.otherPid = otherPid;
        this.db = db;
        workdir = Path.of(rest[0]);
        repeat = Integer.parseInt(rest[1]);
        results = Path.of(rest[2]);
        pagesLua = Path.of(rest[3]);
        this.redisUrl = redisUrl;
        this.redisPrefix = redisPrefix;
    }

    public static void main(String[] a) throws Exception {
        // drop an idle connection before the server's idle timeout (Jetty's 30 s) closes it under a request
        System.setProperty("jdk.httpclient.keepalive.timeout", "10");
        if (a.length == 8 && a[0].equals("scenario")) {
            long pid = Long.parseLong(a[2]);
            new BenchClient(a[1], a[1], pid, pid, a[3], Arrays.copyOfRange(a, 4, 8), null, null).scenario();
        } else if (a.length == 12 && a[0].equals("shared")) {
            new BenchClient(a[1], a[2], Long.parseLong(a[3]), Long.parseLong(a[4]), a[5], Arrays.copyOfRange(a, 6, 10),
                    a[10], a[11]).shared();
        } else if (a.length == 4 && a[0].equals("table")) {
            table(Path.of(a[1]), rows(a[2]), rows(a[3]));
        } else {
            System.err.println("usage: scenario BASE_URL SERVER_PID DB WORKDIR REPEAT RESULTS PAGES_LUA"
                    + " | shared BASE_A BASE_B PID_A PID_B DB WORKDIR REPEAT RESULTS PAGES_LUA REDIS_URL PREFIX"
                    + " | table RESULTS SMALL_ROWS LARGE_ROWS");
            System.exit(2);
        }
    }

    /** Two instances sharing Redis: 50,000-row uploads and commits, 1,000,000-row uploads, Redis's memory, pages. */
    private void shared() throws Exception {
        token = login();
        List<Double> upload = new ArrayList<>();
        List<Double> commit = new ArrayList<>();
        for (int i = 0; i <= repeat; i++) {
            Timed t = uploadValidated(workdir.resolve("small-" + i + ".xlsx"));
            upload.add(t.seconds);
            commit.add(commit(t.id));
            delete(t.id);
        }
        record("upload-50k", upload);
        record("commit-50k", commit);

        List<Double> large = new ArrayList<>();
        Timed staged = null;
        for (int i = 0; i <= repeat; i++) {
            if (staged != null) {
                delete(staged.id);
            }
            staged = uploadValidated(workdir.resolve("large-" + i + ".xlsx"));
            large.add(staged.seconds);
            if (i == 0) {
                record("redis-1m", List.of(redisMegabytes()));
            }
        }
        record("upload-1m-generator", large);
        pages(staged.id, 32, "pages", true);
        pages(staged.id, 4, "pages4", false);
        pages(staged.id, 32, "pages-paced", false, PACED_RATE);
        record("rss-1m", List.of(rssMegabytes(pid)));
        record("rss-1m-other", List.of(rssMegabytes(otherPid)));
        delete(staged.id);
    }

    /** The memory Redis gives the keys of this bench's prefix ({@code MEMORY USAGE ... SAMPLES 0}, summed). */
    private double redisMegabytes() throws Exception {
        List<String> keys = List.of(redisCli("--scan", "--pattern", "{" + redisPrefix + ":*").split("\n"));
        long bytes = 0;
        for (String key : keys) {
            if (!key.isBlank()) {
                String used = redisCli("MEMORY", "USAGE", key, "SAMPLES", "0").strip();
                bytes += used.isEmpty() ? 0 : Long.parseLong(used);
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    private String redisCli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-u", redisUrl));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("redis-cli " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    private void scenario() throws Exception {
        token = login();
        boolean postgres = db.equals("postgresql");

        // 50,000 rows: the first upload and commit after start, then warm ones, each a list of its own
        List<Double> upload = new ArrayList<>();
        List<Double> commit = new ArrayList<>();
        for (int i = 0; i <= repeat; i++) {
            Timed t = uploadValidated(workdir.resolve("small-" + i + ".xlsx"));
            upload.add(t.seconds);
            if (i == 0) {
                recordResident("rss-50k");
            }
            commit.add(commit(t.id));
            delete(t.id);
        }
        record("upload-50k", upload);
        record("commit-50k", commit);

        // the first warm list again: every NID is registered now
        List<Double> again = new ArrayList<>();
        for (int i = 0; i <= repeat; i++) {
            Timed t = uploadValidated(workdir.resolve("small-1.xlsx"));
            again.add(t.seconds);
            delete(t.id);
        }
        record("upload-50k-registered", again);

        // 1,000,000 rows as the generator writes them; committed on PostgreSQL (distinct lists), else dropped
        List<Double> large = new ArrayList<>();
        List<Double> largeCommit = new ArrayList<>();
        for (int i = 0; i <= repeat; i++) {
            Timed t = uploadValidated(workdir.resolve("large-" + i + ".xlsx"));
            large.add(t.seconds);
            if (i == 0) {
                recordResident("rss-1m");
            }
            if (postgres) {
                largeCommit.add(commit(t.id));
            }
            delete(t.id);
        }
        record("upload-1m-generator", large);
        if (postgres) {
            record("commit-1m", largeCommit);
        }

        // 1,000,000 rows as a spreadsheet program writes them; the last one stays staged for the page load
        Path lo = workdir.resolve("large-spreadsheet.xlsx");
        Timed staged = null;
        if (Files.exists(lo)) {
            List<Double> spreadsheet = new ArrayList<>();
            for (int i = 0; i <= repeat; i++) {
                if (staged != null) {
                    delete(staged.id);
                }
                staged = uploadValidated(lo);
                spreadsheet.add(staged.seconds);
            }
            record("upload-1m-spreadsheet", spreadsheet);
        } else {
            staged = uploadValidated(workdir.resolve("large-0.xlsx"));
        }
        pages(staged.id, 32, "pages", true);
        delete(staged.id);
    }

    /**
     * wrk against one staged 1,000,000-row upload: 15 s of warm-up by default ({@code PAGE_WARMUP}; the JIT compiles
     * each instance's page path meanwhile), then 10 s measured with {@code connections} in all (on one instance, or half
     * on each of two at once: the rates add up, the worse p50 and p99 are reported), recorded as {@code <key>-rate},
     * {@code <key>-p50-ms} and {@code <key>-p99-ms}.
     */
    private void pages(String id, int connections, String key, boolean warmUp) throws Exception {
        pages(id, connections, key, warmUp, 0);
    }

    /**
     * As above; with {@code pacedRate} &gt; 0 each connection pauses between its pages, so that all of them ask for
     * about that many pages a second.
     */
    private void pages(String id, int connections, String key, boolean warmUp, int pacedRate) throws Exception {
        List<String> bases = base.equals(other) ? List.of(base) : List.of(base, other);
        if (warmUp) {
            runWrk(id, PAGE_WARMUP_SECONDS, bases, connections, 0);
        }
        double rate = 0;
        double p50 = 0;
        double p99 = 0;
        for (String out : runWrk(id, 10, bases, connections, pacedRate)) {
            Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            if (!rps.find()) {
                throw new IllegalStateException("wrk printed no rate:\n" + out);
            }
            if (out.contains("Non-2xx") || out.contains("status ")) {
                throw new IllegalStateException("pages answered other than 200:\n" + out);
            }
            rate += Double.parseDouble(rps.group(1));
            p50 = Math.max(p50, latencyMillis(out, "50%"));
            p99 = Math.max(p99, latencyMillis(out, "99%"));
        }
        record(key + "-rate", List.of(rate));
        record(key + "-p50-ms", List.of(p50));
        record(key + "-p99-ms", List.of(p99));
    }

    /**
     * One wrk per base URL, all at once, with {@code total} connections and {@code rate} pages/s (0: as fast as they
     * are answered) between them; their outputs.
     */
    private List<String> runWrk(String id, int seconds, List<String> bases, int total, int rate) throws Exception {
        List<Process> running = new ArrayList<>();
        for (String url : bases) {
            String connections = String.valueOf(total / bases.size());
            ProcessBuilder pb = new ProcessBuilder("wrk", "-t" + (bases.size() == 1 ? 2 : 1), "-c" + connections,
                    "-d" + seconds + "s", "--latency", "-s", pagesLua.toString(), url).redirectErrorStream(true);
            pb.environment().put("UPLOAD", id);
            pb.environment().put("PAGES", "20000");
            pb.environment().put("TOKEN", token);
            pb.environment().put("CONNECTIONS", connections);
            pb.environment().put("RATE", String.valueOf(rate / bases.size()));
            running.add(pb.start());
        }
        List<String> outs = new ArrayList<>();
        for (Process p : running) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("wrk failed:\n" + out);
            }
            outs.add(out);
        }
        return outs;
    }

    private static double latencyMillis(String wrkOut, String percentile) {
        Matcher m = Pattern.compile(Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(wrkOut);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no " + percentile + " latency:\n" + wrkOut);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private record Timed(String id, double seconds) {
    }

    /**
     * POST the workbook as a raw body, then ask for its summary until validated: the time a clerk waits. The summary
     * is asked for with {@code wait} (answered as soon as validation ends), as the web page asks for it: polling every
     * few milliseconds instead would spend the cores of a small machine on the polls (the client's and the server's
     * side of each request) while the server validates, and time the end only to the polling interval.
     */
    private Timed uploadValidated(Path workbook) throws Exception {
        byte[] bytes = Files.readAllBytes(workbook);
        long start = System.nanoTime();
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/uploads?fileName="
                + workbook.getFileName())).header("Content-Type", XLSX).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        expect(r, 202);
        String id = group(ID, r.body());
        while (true) {
            String status = group(STATUS, expect(send(get(other, "/api/v1/uploads/" + id + "?wait=20")), 200).body());
            if (status.equals("validated")) {
                return new Timed(id, (System.nanoTime() - start) / 1e9);
            }
            if (!status.equals("validating")) {
                throw new IllegalStateException(workbook + " ended " + status);
            }
        }
    }

    private double commit(String id) throws Exception {
        long start = System.nanoTime();
        expect(send(HttpRequest.newBuilder(URI.create(other + "/api/v1/uploads/" + id + "/commit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"records\":\"all\"}"))), 200);
        return (System.nanoTime() - start) / 1e9;
    }

    private void delete(String id) throws Exception {
        expect(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/uploads/" + id)).DELETE()), 204);
    }

    private String login() throws Exception {
        String body = "{\"username\":\"admin\",\"password\":\"" + System.getenv("ADMIN_PASSWORD") + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return group(ACCESS, expect(r, 200).body());
    }

    private static HttpRequest.Builder get(String server, String path) {
        return HttpRequest.newBuilder(URI.create(server + path)).GET();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body);
        }
        return m.group(1);
    }

    private static double rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** Records the server's resident memory now as {@code operation}, and after {@link #SETTLE_SECONDS} idle. */
    private void recordResident(String operation) throws IOException, InterruptedException {
        record(operation, List.of(rssMegabytes(pid)));
        if (SETTLE_SECONDS > 0) {
            Thread.sleep(SETTLE_SECONDS * 1000L);
            record(operation + "-settled", List.of(rssMegabytes(pid)));
        }
    }

    /** Appends {@code operation db cold warm,...}: the first value is the cold one. */
    private void record(String operation, List<Double> values) throws IOException {
        StringBuilder line = new StringBuilder(operation).append('\t').append(db).append('\t').append(values.get(0)).append('\t');
        for (int i = 1; i < values.size(); i++) {
            line.append(i > 1 ? "," : "").append(values.get(i));
        }
        Files.writeString(results, line.append('\n'), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        System.out.println(line.toString().strip());
    }

    private static String rows(String n) {
        return String.format(Locale.ROOT, "%,d", Long.parseLong(n));
    }

    private static Map<String, String> labels(String small, String large) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("startup", "server start → ready (s)");
        m.put("upload-50k", small + " rows upload → validated (s)");
        m.put("upload-50k-registered", small + " rows whose NIDs are all registered → validated (s)");
        m.put("commit-50k", small + "-row commit (s)");
        m.put("upload-1m-generator", large + " rows upload → validated, generator's workbook (s)");
        m.put("upload-1m-spreadsheet", large + " rows upload → validated, spreadsheet program's workbook (s)");
        m.put("commit-1m", large + "-row commit (s)");
        m.put("pages-rate", "pages of 50, 32 connections (wrk), " + large + " rows staged (pages/s)");
        m.put("pages-p50-ms", "the same, p50 (ms)");
        m.put("pages-p99-ms", "the same, p99 (ms)");
        m.put("pages4-rate", "pages of 50, 4 connections (wrk), " + large + " rows staged (pages/s)");
        m.put("pages4-p50-ms", "the same, p50 (ms)");
        m.put("pages4-p99-ms", "the same, p99 (ms)");
        m.put("pages-paced-rate", "pages of 50, 32 connections pausing between pages to ask "
                + rows(String.valueOf(PACED_RATE)) + "/s (pages/s)");
        m.put("pages-paced-p50-ms", "the same, p50 (ms)");
        m.put("pages-paced-p99-ms", "the same, p99 (ms)");
        m.put("rss-50k", "resident memory, " + small + " rows staged (MB)");
        m.put("rss-50k-settled", "the same, after " + SETTLE_SECONDS + " s idle (MB)");
        m.put("rss-1m", "resident memory, " + large + " rows staged (MB)");
        m.put("rss-1m-settled", "the same, after " + SETTLE_SECONDS + " s idle (MB)");
        m.put("rss-1m-other", "the same, the instance the upload was not sent to (MB)");
        m.put("redis-1m", "Redis memory, " + large + " rows staged (MB)");
        return m;
    }

    /** One row per operation and database: cold, warm median, warm spread. */
    private static void table(Path results, String small, String large) throws IOException {
        Map<String, String> labels = labels(small, large);
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(results)) {
            if (!line.isBlank()) {
                String[] f = line.split("\t", -1);
                rows.put(f[0] + "\t" + f[1], f);
            }
        }
        System.out.println("| what | database | cold (first after start) | warm median | warm spread |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, String> label : labels.entrySet()) {
            for (String[] f : rows.values()) {
                if (!f[0].equals(label.getKey())) {
                    continue;
                }
                double[] warm = f.length > 3 && !f[3].isEmpty()
                        ? Arrays.stream(f[3].split(",")).mapToDouble(Double::parseDouble).sorted().toArray() : new double[0];
                String median = warm.length == 0 ? "" : fmt(warm.length % 2 == 1 ? warm[warm.length / 2]
                        : (warm[warm.length / 2 - 1] + warm[warm.length / 2]) / 2);
                String spread = warm.length == 0 ? "" : fmt(warm[0]) + "–" + fmt(warm[warm.length - 1]);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", label.getValue(), f[1],
                        fmt(Double.parseDouble(f[2])), median, spread);
            }
        }
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }
}
