package rw.intake.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import rw.intake.server.internal.auth.Accounts;
import rw.intake.server.internal.auth.Passwords;
import rw.intake.storage.Storage;

/**
 * The real server on a free port over a fresh in-memory H2 database (or {@code DB_URL} from the overrides), with an
 * admin account and helpers for real HTTP calls. Either {@link #start()} it and close it after the test, or register
 * it as a JUnit extension ({@code @RegisterExtension static final TestServer SERVER = TestServer.perClass();}) to
 * have it started before the class's tests and closed after them.
 */
public final class TestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

    private static final ObjectMapper MAPPER = ServerApp.objectMapper();

    private final ServerConfig config;
    private Storage storage;
    private Javalin app;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

    private TestServer(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("DB_URL", "jdbc:h2:mem:t" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        env.put("JWT_SECRET", JWT_SECRET);
        env.put("ADMIN_USERNAME", ADMIN);
        env.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
        // a busy test machine must not turn a wait for a pooled connection into 503 database.unavailable
        env.put("DB_CONNECT_TIMEOUT_SECONDS", "30");
        // the warm-up after start has tests of its own (WarmupTest); elsewhere it would only slow the tests down
        env.put("WARMUP", "false");
        if ("redis".equals(stagingUnderTest())) {
            env.put("STAGING", "redis");
            env.put("REDIS_URL", REDIS_URL);
            env.put("STAGING_REDIS_PREFIX", freshRedisPrefix());
        }
        env.putAll(overrides);
        this.config = ServerConfig.fromEnv(env);
    }

    /** The shared Redis of the tests (the machine's; {@code .ci/run} starts it). */
    public static final String REDIS_URL = "redis://127.0.0.1:6379";

    /**
     * The staging store the tests run on: {@code redis} when the system property {@code intake.test.staging} or the
     * variable {@code INTAKE_TEST_STAGING} says so (the second surefire execution), else {@code memory}.
     */
    public static String stagingUnderTest() {
        String s = System.getProperty("intake.test.staging", System.getenv("INTAKE_TEST_STAGING"));
        return s == null || s.isBlank() ? "memory" : s.strip();
    }

    /**
     * The settings of an instance staging in the machine's Redis under {@code prefix} (a new map, for the test to add
     * its database to): instances started with the same prefix and database share their staging.
     */
    public static Map<String, String> sharedRedis(String prefix) {
        Map<String, String> env = new HashMap<>();
        env.put("STAGING", "redis");
        env.put("REDIS_URL", REDIS_URL);
        env.put("STAGING_REDIS_PREFIX", prefix);
        return env;
    }

    /** The keys of upload {@code id} staged in the machine's Redis under {@code prefix}, scanned. */
    public static List<String> redisKeys(String prefix, String id) {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> out = new ArrayList<>();
            ScanArgs match =
                    ScanArgs.Builder.matches("{" + prefix + ":" + id + "}*").limit(1000);
            KeyScanCursor<String> cursor = c.sync().scan(match);
            out.addAll(cursor.getKeys());
            while (!cursor.isFinished()) {
                cursor = c.sync().scan(ScanCursor.of(cursor.getCursor()), match);
                out.addAll(cursor.getKeys());
            }
            return out;
        } finally {
            client.shutdown();
        }
    }

    /** Closes each of the servers a test started (null for one it did not). */
    public static void closeAll(TestServer... servers) {
        for (TestServer s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** A key prefix no other test uses, so that tests share the machine's Redis without seeing each other. */
    public static String freshRedisPrefix() {
        return "intake-test-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private TestServer open() {
        this.storage = config.openStorage();
        Accounts.ensureAdmin(storage.accounts(), config.adminUsername(), config.adminPassword());
        this.app = ServerApp.create(config, storage, nanos::get).start();
        return this;
    }

    /** A server on embedded defaults, started. */
    public static TestServer start() {
        return new TestServer(Map.of()).open();
    }

    /** A server with some environment variables set (e.g. {@code MAX_ROWS}, {@code DB_URL}), started. */
    public static TestServer start(Map<String, String> overrides) {
        return new TestServer(overrides).open();
    }

    /** A server on embedded defaults that a test class registers as an extension: started before all, closed after. */
    public static TestServer perClass() {
        return new TestServer(Map.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Moves the server's clock (staging expiry, login throttling) forward. */
    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    public ServerConfig config() {
        return config;
    }

    public Storage storage() {
        return storage;
    }

    public Javalin app() {
        return app;
    }

    public HttpClient client() {
        return client;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    /** An access token of the admin. */
    public String adminToken() {
        return tokens.computeIfAbsent(ADMIN, u -> login(u, ADMIN_PASSWORD));
    }

    /** An access token of clerk {@code username}, created on first use with password {@code username + "-password"}. */
    public String clerkToken(String username) {
        return tokens.computeIfAbsent(username, u -> {
            if (storage.accounts().find(u).isEmpty()) {
                // A fixture, as if seeded: the password rules and the hash's cost are tested on their own
                // (AccountsTest, PasswordsTest); a cheap hash spares the tests' signing in the slow one's CPU.
                storage.accounts().create(u, Passwords.hash(clerkPassword(u), 1_000), "clerk");
            }
            return login(u, clerkPassword(u));
        });
    }

    /** The password of a clerk made by {@link #clerkToken}. */
    public static String clerkPassword(String username) {
        return username + "-password";
    }

    /** Logs in over HTTP; the access token. */
    public String login(String username, String password) {
        HttpResponse<String> r = postJson(
                "/api/v1/token", null, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("login failed: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("access").asText();
    }

    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public HttpResponse<String> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the request, its body read by {@code handler}. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            try {
                return client.send(request, handler);
            } catch (IOException ex) {
                // a kept-alive connection the server had closed as the request went out on it: no byte of an answer
                // came, so the server read none of the request; the JDK client sends such a GET again itself, not a
                // POST
                if (!String.valueOf(ex.getMessage()).contains("received no bytes")) {
                    throw ex;
                }
                return client.send(request, handler);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public HttpResponse<String> get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    public HttpResponse<String> delete(String path, String token) {
        return send(request(path, token).DELETE().build());
    }

    public HttpResponse<String> postJson(String path, String token, String json) {
        return send(request(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public HttpResponse<String> patchJson(String path, String token, String json) {
        return send(request(path, token)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** POSTs {@code bytes} as a multipart/form-data part named {@code part}, with filename {@code fileName}. */
    public HttpResponse<String> postMultipart(String path, String token, String part, String fileName, byte[] bytes) {
        String boundary = "----intake" + UUID.randomUUID().toString().replace("-", "");
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\""
                        + fileName
                        + "\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bytes, 0, body, head.length, bytes.length);
        System.arraycopy(tail, 0, body, head.length + bytes.length, tail.length);
        return send(request(path, token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    public static JsonNode json(HttpResponse<String> r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException ex) {
            throw new UncheckedIOException("not JSON: " + r.body(), ex);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    @Override
    public void close() {
        app.stop();
        storage.close();
    }
}
