package rw.intake.server.internal.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import rw.intake.server.TestServer;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.server.internal.upload.Workbooks;

/** {@code GET /metrics} (who may read it, what it holds), the request id and the request log, over real HTTP. */
final class OperationsTest {
    private static final String METRICS_TOKEN = "metrics-token-for-tests-0123456789";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("METRICS_TOKEN", METRICS_TOKEN));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void metrics_needMetricsTokenOrAdmin() {
        HttpResponse<String> none = server.get("/metrics", null);
        HttpResponse<String> clerk = server.get("/metrics", server.clerkToken("metrics-clerk"));
        HttpResponse<String> forged = server.get("/metrics", "not-a-token");
        HttpResponse<String> admin = server.get("/metrics", server.adminToken());
        HttpResponse<String> token = server.get("/metrics", METRICS_TOKEN);

        assertThat(Workbooks.problemCode(none, 401)).isEqualTo("auth.missing_token");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(Workbooks.problemCode(clerk, 403)).isEqualTo("auth.forbidden");
        assertThat(Workbooks.problemCode(forged, 401)).isEqualTo("auth.invalid_token");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(token.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    }

    /** An admin's access token opens the metrics only while it opens the other routes: not once revoked or disabled. */
    @Test
    void metrics_anAdminsTokenRevokedOrDisabled_refused() {
        String admin = server.adminToken();
        String password = "Metrics-reader-pass-1";
        assertThat(server.postJson(
                                "/api/v1/accounts",
                                admin,
                                "{\"username\":\"metrics-admin\",\"password\":\"" + password + "\",\"role\":\"admin\"}")
                        .statusCode())
                .isEqualTo(201);
        String first = server.login("metrics-admin", password);
        assertThat(server.get("/metrics", first).statusCode()).isEqualTo(200);

        String changed = "Metrics-reader-pass-2";
        assertThat(server.postJson(
                                "/api/v1/accounts/metrics-admin/password", admin, "{\"password\":\"" + changed + "\"}")
                        .statusCode())
                .isEqualTo(204);
        assertThat(Workbooks.problemCode(server.get("/metrics", first), 401)).isEqualTo("auth.token_revoked");

        String second = server.login("metrics-admin", changed);
        assertThat(server.get("/metrics", second).statusCode()).isEqualTo(200);
        assertThat(server.patchJson("/api/v1/accounts/metrics-admin", admin, "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(Workbooks.problemCode(server.get("/metrics", second), 401)).isEqualTo("auth.account_disabled");
        assertThat(server.get("/metrics", METRICS_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_namesAppearAndChange() {
        String clerk = server.clerkToken("metrics-uploader");
        String before = scrape();
        double accepted = value(before, "intake_uploads_total", "outcome=\"accepted\"");
        double validated = value(before, "intake_uploads_total", "outcome=\"validated\"");
        double commits = value(before, "intake_commit_seconds_count", "database=\"h2\",outcome=\"committed\"");

        String id = Workbooks.accepted(server, clerk, Workbooks.xlsx(Workbooks.people(1, 40)));
        Workbooks.settled(server, clerk, id);
        String staged = scrape();
        assertThat(server.postJson("/api/v1/uploads/" + id + "/commit", clerk, "")
                        .statusCode())
                .isEqualTo(200);
        String after = scrape();

        assertThat(value(after, "intake_uploads_total", "outcome=\"accepted\"")).isEqualTo(accepted + 1);
        assertThat(value(after, "intake_uploads_total", "outcome=\"validated\""))
                .isEqualTo(validated + 1);
        assertThat(value(after, "intake_validation_seconds_count", "outcome=\"validated\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(after, "intake_validation_rows_sum", "")).isGreaterThanOrEqualTo(40);
        assertThat(value(after, "intake_commit_seconds_count", "database=\"h2\",outcome=\"committed\""))
                .isEqualTo(commits + 1);
        assertThat(value(after, "intake_commit_rows_sum", "database=\"h2\"")).isGreaterThanOrEqualTo(40);
        assertThat(value(staged, "intake_staging_records", "")).isGreaterThanOrEqualTo(40);
        assertThat(value(staged, "intake_staging_bytes", "")).isPositive();
        assertThat(value(staged, "intake_staging_records_max", "")).isEqualTo(2_000_000);
        assertThat(value(staged, "intake_staging_records_per_user_max", "")).isEqualTo(1_000_000);
        assertThat(value(
                        after,
                        "intake_http_requests_seconds_count",
                        "method=\"GET\",route=\"/api/v1/uploads/{id}\",status=\"200\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(
                        after,
                        "intake_http_requests_seconds_count",
                        "method=\"POST\",route=\"/api/v1/uploads/{id}/commit\",status=\"200\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(after)
                .contains("jvm_memory_used_bytes{")
                .contains("jvm_threads_live_threads")
                .contains("hikaricp_connections_max{")
                .contains("process_uptime_seconds");
        assertThat(after).doesNotContain(id);
        // every meter of intake's own says what it counts: no "# HELP name" line without words
        assertThat(after.lines().filter(l -> l.startsWith("# HELP intake_")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l.split(" ", 4)[3]).as(l).isNotBlank());

        server.delete("/api/v1/uploads/" + id, clerk);
        assertThat(value(scrape(), "intake_staging_records", ""))
                .isLessThan(value(staged, "intake_staging_records", ""));
    }

    /**
     * The staging gauges are read by scrapes on threads of their own while an upload's records are being staged, its
     * store's tables growing meanwhile (a block of the arena, an interned message): every scrape reads a number.
     */
    @Test
    void metrics_stagingBytesANumberWhileAnUploadValidates() throws Exception {
        String clerk = server.clerkToken("metrics-while-validating");
        byte[] csv = pairsSharingNids(100_000);
        ExecutorService scrapers = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                HttpResponse<String> r = server.send(server.request("/api/v1/uploads?fileName=pairs.csv", clerk)
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(csv))
                        .build());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                String id = TestServer.json(r).get("id").asText();
                AtomicBoolean validating = new AtomicBoolean(true);
                List<Future<List<String>>> read = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    read.add(scrapers.submit(() -> {
                        List<String> samples = new ArrayList<>();
                        do {
                            samples.add(sample(scrape(), "intake_staging_bytes"));
                        } while (validating.get());
                        return samples;
                    }));
                }
                Workbooks.settled(server, clerk, id);
                validating.set(false);
                for (Future<List<String>> f : read) {
                    assertThat(f.get(1, TimeUnit.MINUTES))
                            .isNotEmpty()
                            .allSatisfy(v ->
                                    assertThat(Double.parseDouble(v)).isFinite().isPositive());
                }
                server.delete("/api/v1/uploads/" + id, clerk);
            }
        } finally {
            scrapers.shutdownNow();
        }
    }

    /** A CSV list of {@code rows} records, each two sharing a NID: a message of its own for every second record. */
    private static byte[] pairsSharingNids(int rows) {
        StringBuilder csv = new StringBuilder(rows * 96)
                .append(String.join(",", Workbooks.HEADER))
                .append('\n');
        for (int i = 0; i < rows; i++) {
            String[] p = Workbooks.person(i);
            p[1] = Workbooks.person(i / 2)[1];
            csv.append(String.join(",", p)).append('\n');
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The text of the sample {@code name} (without labels) as the scrape gives it. */
    private static String sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(name).isTrue();
        return m.group(1);
    }

    /** Methods HTTP does not define share one series: a request cannot add series to the metrics at will. */
    @Test
    void metrics_unknownMethodsShareOneSeries() {
        for (String method : new String[] {"ZQX1", "ZQX2", "ZQX3"}) {
            server.send(server.request("/api/v1/", null)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build());
        }

        String scraped = scrape();
        assertThat(scraped).doesNotContain("ZQX").contains("intake_http_requests_seconds_count{method=\"OTHER\"");
    }

    /** An answer Jetty gives before routing (a URI too long) is counted with the route {@code -}, as it is logged. */
    @Test
    void metrics_answerBeforeRoutingCounted() {
        double counted = tooLongCounted(scrape());

        HttpResponse<String> r = server.get("/api/v1/uploads?sheet=" + "a".repeat(20_000), null);

        assertThat(Workbooks.problemCode(r, 414)).isEqualTo("request.uri_too_long");
        assertThat(tooLongCounted(scrape())).isEqualTo(counted + 1);
    }

    /**
     * Jetty's own 503, which a request meets on a connection kept alive while the HTTP server stops (its context no
     * longer available), is {@code server.shutting_down} with {@code Retry-After}, not a server fault.
     */
    @Test
    void jettyUnavailable_503ShuttingDown() {
        ContextHandler context = server.app().jettyServer().server().getDescendant(ContextHandler.class);
        context.setAvailable(false);
        HttpResponse<String> r;
        try {
            r = server.get("/api/v1/health/live", null);
        } finally {
            context.setAvailable(true);
        }

        assertThat(Workbooks.problemCode(r, 503)).isEqualTo("server.shutting_down");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(TestServer.json(r).get("detail").asText())
                .isEqualTo("the server is shutting down; send the request again in a moment");
        assertThat(server.get("/api/v1/health/live", null).statusCode()).isEqualTo(200);
    }

    /** The 414s counted with the route {@code -}, whatever method Jetty read before it gave up on the request. */
    private static double tooLongCounted(String scraped) {
        Matcher m = Pattern.compile(
                        "(?m)^intake_http_requests_seconds_count\\{method=\"[A-Z]+\",route=\"-\",status=\"414\"[^}]*} (\\S+)$")
                .matcher(scraped);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /**
     * A body sent a byte every half second, as a client that means to hold a request thread sends it: cut off with 408
     * {@code request.too_slow} once the grace period is over, and the connection closed. So is, at the same time, a body
     * that stops arriving (after 20 KB, faster than the slowest pace on average), well before the connection's idle
     * timeout of 30 s.
     */
    @Test
    void slowBody_cutOffAs408AfterTheGracePeriod() throws Exception {
        try (Socket socket = new Socket(
                        InetAddress.getLoopbackAddress(), server.app().port());
                Socket stalled = new Socket(
                        InetAddress.getLoopbackAddress(), server.app().port())) {
            socket.setSoTimeout(60_000);
            stalled.setSoTimeout(60_000);
            stalled.getOutputStream()
                    .write(("POST /api/v1/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 60000\r\n\r\n{\"username\":" + " ".repeat(20_000))
                            .getBytes(StandardCharsets.ISO_8859_1));
            stalled.getOutputStream().flush();
            java.io.OutputStream out = socket.getOutputStream();
            String head = String.join(
                    "\r\n",
                    "POST /api/v1/token HTTP/1.1",
                    "Host: localhost",
                    "Content-Type: application/json",
                    "Content-Length: 60000",
                    "",
                    "");
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long start = System.nanoTime();
            Thread drip = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(500); // the slow client's pace, not a wait for the server
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection, or the test is over
                }
            });
            drip.start();
            String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } finally {
                drip.interrupt();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

            assertThat(answer).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request.too_slow\"");
            assertThat(seconds).isGreaterThanOrEqualTo(RequestBodies.GRACE_SECONDS);

            String stalledAnswer = new String(stalled.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            long stalledSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(stalledAnswer).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request.too_slow\"");
            assertThat(stalledSeconds)
                    .as("cut off by the grace period, not the idle timeout")
                    .isLessThan(25);
        }
    }

    /**
     * One address holds at most {@code HTTP_THREADS_PER_ADDRESS} request threads (2 here): with two slow bodies of
     * 127.0.0.1 being read (the server asked for them: {@code 100 Continue}), its third request waits, while another
     * address (127.0.0.2) is answered at once; once a slow body is complete, the waiting request is answered.
     */
    @Test
    void slowBodies_holdAtMostTheirAddressesThreads() throws Exception {
        try (TestServer limited = TestServer.start(Map.of("HTTP_THREADS_PER_ADDRESS", "2"));
                Socket slow1 = from("127.0.0.1", limited);
                Socket slow2 = from("127.0.0.1", limited);
                Socket third = from("127.0.0.1", limited);
                Socket other = from("127.0.0.2", limited)) {
            String body = "{\"username\":\"nobody\",\"password\":\"not-the-password\"}";
            for (Socket slow : List.of(slow1, slow2)) {
                send(
                        slow,
                        "POST /api/v1/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
                assertThat(line(slow)).isEqualTo("HTTP/1.1 100 Continue");
            }
            String live = "GET /api/v1/health/live HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
            send(third, live);
            send(other, live);

            String otherAnswer = new String(other.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(otherAnswer).startsWith("HTTP/1.1 200 ");
            assertThat(third.getInputStream().available())
                    .as("the third request of 127.0.0.1 waits for one of its threads")
                    .isZero();

            send(slow1, body);
            assertThat(line(slow1)).isEmpty(); // the end of the 100 Continue
            assertThat(line(slow1)).startsWith("HTTP/1.1 401 ");
            String thirdAnswer = new String(third.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(thirdAnswer).startsWith("HTTP/1.1 200 ");
        }
    }

    /** A socket to {@code server} from the local address {@code local} (any of 127.0.0.0/8 is this host's). */
    private static Socket from(String local, TestServer server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.app().port(), InetAddress.getByName(local), 0);
        s.setSoTimeout(60_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One line of the answer, without its CR LF. */
    private static String line(Socket s) throws IOException {
        StringBuilder b = new StringBuilder();
        java.io.InputStream in = s.getInputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                break;
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void requestId_onEveryAnswerAndInProblems() {
        HttpResponse<String> ok = server.get("/api/v1/", null);
        HttpResponse<String> notFound = server.get("/api/v1/nowhere", server.adminToken());
        HttpResponse<String> kept = server.send(server.request("/api/v1/uploads/none", server.adminToken())
                .header("X-Request-Id", "trace-42.a:b")
                .GET()
                .build());
        HttpResponse<String> replaced = server.send(server.request("/api/v1/uploads/none", server.adminToken())
                .header("X-Request-Id", "two words")
                .GET()
                .build());
        HttpResponse<String> unauthorized = server.get("/api/v1/uploads", null);

        assertThat(ok.headers().firstValue("X-Request-Id").orElse("")).matches("[0-9a-f-]{36}");
        for (HttpResponse<String> problem : List.of(notFound, kept, replaced, unauthorized)) {
            String header = problem.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(TestServer.json(problem).get("requestId").asText()).isEqualTo(header);
        }
        assertThat(kept.headers().firstValue("X-Request-Id")).hasValue("trace-42.a:b");
        assertThat(replaced.headers().firstValue("X-Request-Id").orElse("")).matches("[0-9a-f-]{36}");
        assertThat(ok.headers().firstValue("X-Request-Id"))
                .isNotEqualTo(notFound.headers().firstValue("X-Request-Id"));
        for (HttpResponse<String> r : List.of(ok, notFound, replaced, unauthorized)) {
            UUID id = UUID.fromString(r.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(id.version()).as("version of %s", id).isEqualTo(4);
            assertThat(id.variant()).as("variant of %s", id).isEqualTo(2);
        }
    }

    @Test
    void requestLog_oneLinePerRequest() {
        Logger logger = (Logger) LoggerFactory.getLogger(RequestLog.LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            String clerk = server.clerkToken("logged");
            HttpResponse<String> r = server.send(server.request("/api/v1/uploads/u-123", clerk)
                    .header("X-Request-Id", "log-test-1")
                    .GET()
                    .build());
            HttpResponse<String> anonymous = server.send(server.request("/api/v1/", null)
                    .header("X-Request-Id", "log-test-2")
                    .GET()
                    .build());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(anonymous.statusCode()).isEqualTo(200);
        } finally {
            logger.detachAppender(lines);
        }
        List<String> mine = lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("id=log-test-"))
                .toList();
        assertThat(mine).hasSize(2);
        assertThat(mine.get(0)).matches("GET /api/v1/uploads/\\{id} 404 \\d+\\.\\dms id=log-test-1 user=logged");
        assertThat(mine.get(1)).matches("GET /api/v1 200 \\d+\\.\\dms id=log-test-2 user=-");
    }

    /**
     * The log's format, as the shipped configuration writes it: a message of several lines (the SQL a database error
     * quotes) is one line, its breaks written as {@code \n}; a stack trace follows its line, once, each frame and each
     * cause on a line of its own, and an exception's message of several lines on one.
     */
    @Test
    void logFormat_aMessageOfSeveralLines_isOneLine() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Encoder<ILoggingEvent> encoder =
                ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT")).getEncoder();
        Logger logger = (Logger) LoggerFactory.getLogger(OperationsTest.class);
        String message = "reading failed: [statement:\"SELECT u.id\n FROM users u\r\n WHERE 1 = 1\r ORDER BY id\"]";

        String line = new String(
                encoder.encode(new LoggingEvent(Logger.FQCN, logger, Level.WARN, message, null, null)),
                StandardCharsets.UTF_8);
        String withTrace = new String(
                encoder.encode(new LoggingEvent(
                        Logger.FQCN,
                        logger,
                        Level.ERROR,
                        "failed",
                        new IllegalStateException(
                                "reading failed",
                                new IllegalArgumentException("ERROR: no column\n  Hint: FROM users u")),
                        null)),
                StandardCharsets.UTF_8);

        assertThat(line.lines()).hasSize(1);
        assertThat(line)
                .endsWith(" WARN  [" + Thread.currentThread().getName() + "] r.i.s.i.o.OperationsTest - reading failed:"
                        + " [statement:\"SELECT u.id\\n FROM users u\\n WHERE 1 = 1\\n ORDER BY id\"]"
                        + System.lineSeparator());
        assertThat(withTrace.lines().toList())
                .hasSizeGreaterThan(2)
                .first()
                .asString()
                .endsWith("- failed");
        List<String> trace = withTrace.lines().toList();
        assertThat(trace.get(1)).isEqualTo("java.lang.IllegalStateException: reading failed");
        assertThat(trace.subList(2, trace.size()))
                .allSatisfy(l -> assertThat(l).matches("\t(at |\\.\\.\\. ).*|Caused by: .*"))
                .containsOnlyOnce(
                        "Caused by: java.lang.IllegalArgumentException: ERROR: no column\\n  Hint: FROM users u");
    }

    private static String scrape() {
        HttpResponse<String> r =
                server.send(server.request("/metrics", METRICS_TOKEN).GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the sample {@code name{labels...}}, where the labels start with {@code labels}; 0 if absent. */
    private static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{" + Pattern.quote(labels) + "[^}]*})? (\\S+)$")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(2)) : 0;
    }

    @Test
    void requestLineMillis_oneDecimalAsFormatWritesIt() {
        for (double ms : new double[] {0, 0.04, 0.05, 3.96, 12.4, 12.449, 999.95, 1234.5, 86_400_000.1}) {
            assertThat(RequestLog.tenths(ms)).as("%s", ms).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f", ms));
        }
    }
}
