package rw.intake.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/**
 * The real server: {@code java -jar target/intake-server.jar} as a child process on a free port, configured by
 * environment variables, its output in {@code target/it-logs/<name>.log}, driven over HTTP. Started once its liveness
 * probe answers (polled, with a deadline); stopped with SIGKILL, SIGTERM, or {@link #close()} (SIGKILL if running).
 */
final class ServerProcess implements AutoCloseable {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "it-admin-password-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static final Duration START = Duration.ofMinutes(3);
    /** Rows of the workbook the robustness tests commit: enough for the partition path and a commit of seconds. */
    static final int ROWS = 200_000;

    private static byte[] workbook;

    private final Process process;
    private final int port;
    private final Path log;
    /** Where this process's lines start in {@link #log}, which keeps the lines of earlier runs of the same name. */
    private final long logStart;

    private String token;

    private ServerProcess(Process process, int port, Path log, long logStart) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.logStart = logStart;
    }

    /** The 200,000-row workbook (10% invalid records), generated once per test JVM. */
    static synchronized byte[] workbook() {
        if (workbook == null) {
            workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 14));
        }
        return workbook;
    }

    /**
     * Starts the jar with the run command's JVM options ({@code jvm.options}) and {@code env} (plus a free port, a JWT
     * secret and the admin account), and {@code jvmOptions} after the run command's, and waits until it is live. The
     * warm-up is off unless {@code env} sets {@code WARMUP}: what these tests stop, kill and cut off does not depend on
     * it, and it would take seconds of the two cores at every start (the warm-up's own stop is tested with it on).
     */
    static ServerProcess start(String name, Map<String, String> env, String... jvmOptions) {
        ServerProcess server = launch(name, env, jvmOptions);
        try {
            server.awaitLive();
        } catch (RuntimeException | Error ex) {
            server.close(); // no server left running behind a failed start
            throw ex;
        }
        return server;
    }

    /** As {@link #start}, without waiting for the server to be live: it is starting when this returns. */
    static ServerProcess launch(String name, Map<String, String> env, String... jvmOptions) {
        Path jar = Paths.get(System.getProperty("intake.server.jar", "target/intake-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar.toAbsolutePath() + " is missing: run the integration tests with mvn verify");
        }
        int port = freePort();
        Path log = Paths.get("target", "it-logs", name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + Paths.get("jvm.options").toAbsolutePath());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> e = pb.environment();
        e.put("PORT", String.valueOf(port));
        e.put("JWT_SECRET", "it-secret-it-secret-it-secret-0123456789abcdef");
        e.put("ADMIN_USERNAME", ADMIN);
        e.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
        e.put("WARMUP", "false");
        e.putAll(env);
        try {
            Files.createDirectories(log.getParent());
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new ServerProcess(pb.start(), port, log, logStart);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void awaitLive() {
        boolean live = poll(START, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the server exited with " + process.exitValue() + "; the end of " + log + ":\n" + logTail());
            }
            try {
                return send(HttpRequest.newBuilder(uri("/api/v1/health/live"))
                                        .GET()
                                        .build())
                                .statusCode()
                        == 200;
            } catch (UncheckedIOException ex) {
                if (ex.getCause() instanceof ConnectException) {
                    return false;
                }
                throw ex;
            }
        });
        if (!live) {
            throw new IllegalStateException("the server did not answer within " + START + "; see " + log);
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; whether it held. */
    static boolean poll(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = TimeUnit.MILLISECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    String token() {
        if (token == null) {
            HttpResponse<String> r = call(HttpRequest.newBuilder(uri("/api/v1/token"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"username\":\"" + ADMIN + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}"))
                    .build());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("login: " + r.statusCode() + " " + r.body());
            }
            token = json(r).get("access").asText();
        }
        return token;
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", "Bearer " + token());
    }

    HttpResponse<String> get(String path) {
        return call(authorized(path).GET().build());
    }

    HttpResponse<String> getPublic(String path) {
        return call(HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    HttpResponse<String> upload(byte[] xlsx) {
        return call(authorized("/api/v1/uploads?fileName=people.xlsx")
                .header("Content-Type", XLSX)
                .POST(HttpRequest.BodyPublishers.ofByteArray(xlsx))
                .build());
    }

    /** Uploads the workbook and waits for its validation; the upload's id. */
    String uploadValidated(byte[] xlsx) {
        HttpResponse<String> r = upload(xlsx);
        if (r.statusCode() != 202) {
            throw new AssertionError("upload: " + r.statusCode() + " " + r.body());
        }
        String id = json(r).get("id").asText();
        if (!poll(Duration.ofMinutes(2), () -> !"validating".equals(status(id)))) {
            throw new AssertionError("upload " + id + " still validating; see " + log);
        }
        if (!"validated".equals(status(id))) {
            throw new AssertionError(
                    "upload " + id + ": " + get("/api/v1/uploads/" + id).body());
        }
        return id;
    }

    String status(String id) {
        return json(get("/api/v1/uploads/" + id)).get("status").asText();
    }

    HttpResponse<String> commit(String id) {
        return call(commitRequest(id));
    }

    /** Starts the commit; the answer completes the future (exceptionally if the connection is cut). */
    CompletableFuture<HttpResponse<String>> commitAsync(String id) {
        return CLIENT.sendAsync(commitRequest(id), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The answer of a request sent with {@code sendAsync}; if none came (the connection closed first), an error that
     * holds the end of the server's log, which says what the server was doing.
     */
    HttpResponse<String> answer(CompletableFuture<HttpResponse<String>> request) {
        try {
            return request.join();
        } catch (CompletionException ex) {
            throw new AssertionError("no answer: " + ex.getCause() + "; the end of " + log + ":\n" + logTail(), ex);
        }
    }

    private HttpRequest commitRequest(String id) {
        return authorized("/api/v1/uploads/" + id + "/commit")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"records\":\"all\"}"))
                .build();
    }

    /**
     * The users the database holds, counted once the server is ready: until then its warm-up rehearses commits and
     * rolls them back, and H2's count of a table (no filter) can include rows of a transaction being rolled back.
     */
    long committedUsers() {
        if (!poll(START, () -> getPublic("/api/v1/health/ready").statusCode() == 200)) {
            throw new IllegalStateException("the server was not ready within " + START + "; see " + log);
        }
        return json(get("/api/v1/users?size=1")).get("totalItems").asLong();
    }

    /** SIGKILL, and waits for the process to end. */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM (what {@link Process#destroy()} sends on Unix). */
    void terminate() {
        process.destroy();
    }

    /** The exit status, waiting at most {@code timeout}; null if still running. */
    Integer waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The last lines of the server's log (at most 40), for a failure's message. */
    private String logTail() {
        List<String> lines = logLines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The server's log lines so far: this process's, not those an earlier run of the same name left in the file. */
    List<String> logLines() {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            channel.position(logStart);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Sends a request to this server. When it gets no answer in its time, the failure carries the server's threads
     * ({@code jcmd PID Thread.print}), also appended to its log: what a hang waits on.
     */
    private HttpResponse<String> call(HttpRequest request) {
        try {
            return send(request);
        } catch (UncheckedIOException ex) {
            if (!(ex.getCause() instanceof HttpTimeoutException) || !process.isAlive()) {
                throw ex;
            }
            String threads = threads();
            try {
                Files.writeString(log, threads, StandardOpenOption.APPEND);
            } catch (IOException e) {
                ex.addSuppressed(e);
            }
            throw new AssertionError(
                    "no answer to " + request.method() + " " + request.uri().getPath() + " in "
                            + request.timeout().orElseThrow() + "; the server's threads:\n" + threads,
                    ex);
        }
    }

    /** The server's thread dump, as jcmd prints it. */
    private String threads() {
        ProcessBuilder pb = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "jcmd")
                                .toString(),
                        String.valueOf(process.pid()),
                        "Thread.print")
                .redirectErrorStream(true);
        try {
            Process jcmd = pb.start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException ex) {
            return "(jcmd failed: " + ex + ")";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException ex) {
            throw new UncheckedIOException("not JSON: " + r.body(), ex);
        }
    }

    /** The environment of a server on {@code dbUrl}, with more variables. */
    static Map<String, String> env(String dbUrl, String... more) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_URL", dbUrl);
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
