package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/**
 * SIGTERM to the real server while it commits 200,000 records (PostgreSQL, whose COPY keeps the commit within the
 * grace period even on a busy machine; skipped without {@code INTAKE_TEST_POSTGRES_URL}): new uploads are refused, the
 * running commit finishes and is answered, an upload still validating is reported lost, and the process exits 0 within
 * the grace period, leaving the whole commit in the database.
 */
final class SigtermIT {

    private static final int GRACE_SECONDS = 120;

    @Test
    void sigtermDuringCommit_commitAnswered_newUploadRefused_exit0() {
        byte[] workbook = ServerProcess.workbook();
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.POSTGRESQL)) {
            try (ServerProcess server = ServerProcess.start(
                    "sigterm", ServerProcess.env(db.url(), "SHUTDOWN_GRACE_SECONDS", String.valueOf(GRACE_SECONDS)))) {
                String id = server.uploadValidated(workbook);
                String waiting = server.uploadValidated(workbook);
                CompletableFuture<HttpResponse<String>> commit = server.commitAsync(id);
                assertThat(ServerProcess.poll(Duration.ofSeconds(60), () -> "committing".equals(server.status(id))))
                        .isTrue();
                HttpResponse<String> validating = server.upload(workbook);
                assertThat(validating.statusCode()).as(validating.body()).isEqualTo(202);
                String lost = ServerProcess.json(validating).get("id").asText();
                long start = System.nanoTime();

                server.terminate();

                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(10),
                                () -> server.logLines().stream().anyMatch(l -> l.contains("shutting down"))))
                        .isTrue();
                HttpResponse<String> refused = server.upload(workbook);
                HttpResponse<String> preview = server.get("/api/v1/uploads/" + waiting + "/commit-preview");
                HttpResponse<String> answered = server.answer(commit);
                Integer exit = server.waitFor(Duration.ofSeconds(GRACE_SECONDS + 10));
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(ServerProcess.json(refused).get("code").asText()).isEqualTo("server.shutting_down");
                assertThat(preview.statusCode()).as(preview.body()).isEqualTo(503);
                assertThat(ServerProcess.json(preview).get("code").asText()).isEqualTo("server.shutting_down");
                assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
                assertThat(ServerProcess.json(answered).get("committed").asLong())
                        .isEqualTo(ServerProcess.ROWS);
                assertThat(exit).isEqualTo(0);
                assertThat(seconds).isLessThanOrEqualTo(GRACE_SECONDS);
                assertThat(server.logLines())
                        .anyMatch(l -> l.contains("upload " + lost) && l.contains("is lost"))
                        .noneMatch(l -> l.contains("Couldn't stop Thread"));
            }
            try (ServerProcess server = ServerProcess.start("sigterm-restarted", ServerProcess.env(db.url()))) {
                assertThat(server.committedUsers()).isEqualTo(ServerProcess.ROWS);
            }
        }
    }

    /**
     * SIGTERM while a commit waits for a table another connection locked, past a grace period of 1 s: its connection is
     * closed at the end of the grace period, so the commit is answered 503 while the lock is still held (only the closed
     * connection can end it), never saves its rows once the lock is released, and the process keeps the signal's
     * status. The lock is held until the answer: released earlier, the commit would race the closing of its connection.
     */
    @Test
    void sigtermDuringACommitPastTheGrace_itsConnectionClosed_nothingSavedAfter() throws SQLException {
        byte[] workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(300, 5));
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.POSTGRESQL)) {
            try (ServerProcess server = ServerProcess.start(
                    "sigterm-past-grace", ServerProcess.env(db.url(), "SHUTDOWN_GRACE_SECONDS", "1"))) {
                String id = server.uploadValidated(workbook);
                // the warm-up's rehearsed commits and the registered-NID filter's load are over: only the commit below
                // waits for the lock
                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(60),
                                () -> server.getPublic("/api/v1/health/ready").statusCode() == 200
                                        && server.logLines().stream()
                                                .anyMatch(l -> l.contains("registered-NID filter loaded"))))
                        .isTrue();
                CompletableFuture<HttpResponse<String>> commit;
                HttpResponse<String> answered;
                try (Connection lock = DriverManager.getConnection(db.url())) {
                    lock.setAutoCommit(false);
                    try (Statement s = lock.createStatement()) {
                        s.execute("LOCK TABLE uploads IN ACCESS EXCLUSIVE MODE");
                    }
                    commit = server.commitAsync(id);
                    assertThat(ServerProcess.poll(Duration.ofSeconds(60), () -> "committing".equals(server.status(id))))
                            .isTrue();

                    server.terminate();

                    answered = server.answer(commit);
                    lock.rollback();
                }
                Integer exit = server.waitFor(Duration.ofSeconds(30));

                assertThat(answered.statusCode()).as(answered.body()).isEqualTo(503);
                assertThat(server.logLines()).anyMatch(l -> l.contains("after the grace period"));
                assertThat(exit).isEqualTo(143);
            }
            assertThat(ItDatabase.queryLong(db.url(), "SELECT COUNT(*) FROM users"))
                    .isZero();
            assertThat(ItDatabase.queryLong(db.url(), "SELECT COUNT(*) FROM uploads"))
                    .isZero();
        }
    }

    /**
     * SIGTERM while an upload's body is still arriving (a part of it sent, the rest never): the upload is answered 503
     * {@code server.shutting_down}, not a 400 that blames the client, and the process exits 0.
     */
    @Test
    void sigtermWhileAnUploadsBodyArrives_503ShuttingDown_exit0() throws IOException {
        try (ServerProcess server =
                        ServerProcess.start("sigterm-body", ServerProcess.env("jdbc:h2:mem:body;DB_CLOSE_DELAY=-1"));
                Socket socket = readySocket(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead(server, "Content-Length: 1000000\r\n\r\nPK"));
            out.write(new byte[5_000]);
            out.flush();

            server.terminate();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 503 ").contains("\"code\":\"server.shutting_down\"");
            assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
            assertThat(server.logLines()).noneMatch(l -> l.contains("Exception in thread"));
        }
    }

    /**
     * SIGTERM while an upload's body is still arriving at a steady pace, past the HTTP server's 5 s for requests in
     * progress: the body is read to its end and the upload answered 503 {@code server.shutting_down}. (A refusal sent
     * while the client was still sending was lost with the connection: the client saw it reset, with no answer.)
     */
    @Test
    void sigtermWhileAnUploadsBodyStillArrives_readToItsEnd_503ShuttingDown() throws Exception {
        int chunk = 16 * 1024;
        int chunks = 160; // 2.6 MB at 16 KB every 50 ms: about 8 s
        try (ServerProcess server = ServerProcess.start(
                        "sigterm-arriving", ServerProcess.env("jdbc:h2:mem:arriving;DB_CLOSE_DELAY=-1"));
                Socket socket = readySocket(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(
                    uploadHead(server, "Expect: 100-continue\r\nContent-Length: " + (2 + chunk * chunks) + "\r\n\r\n"));
            out.flush();
            // the go-ahead comes once the server reads the body: the upload is being received when the signal comes
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length()), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            out.write("PK".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    for (; n < chunks; n++) {
                        out.write(new byte[chunk]);
                        out.flush();
                        Thread.sleep(50); // the client's pace, not a wait for the server
                    }
                } catch (IOException | InterruptedException e) {
                    // the connection was cut: the count says how far it got
                }
                return n;
            });

            server.terminate();

            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(sent.get(60, TimeUnit.SECONDS)).isEqualTo(chunks);
            assertThat(answer).startsWith("HTTP/1.1 503 ").contains("\"code\":\"server.shutting_down\"");
            assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
        }
    }

    /** A socket to {@code server}, once it is ready. */
    private static Socket readySocket(ServerProcess server) throws IOException {
        assertThat(ServerProcess.poll(
                        Duration.ofSeconds(60),
                        () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                .isTrue();
        Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), server.uri("/").getPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** The head of a raw upload of a workbook, its last headers (and what follows them) {@code rest}. */
    private static byte[] uploadHead(ServerProcess server, String rest) {
        return ("POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.token()
                        + "\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
                        + rest)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * SIGTERM while an upload is still validating (in-memory staging, which loses it with the process): its validation
     * stops, and a client waiting for its end is answered that it failed, {@code upload.validation_lost}, not that it
     * is validated; the process exits 0.
     */
    @Test
    void sigtermWhileValidating_aWaitingClientIsToldItFailed_exit0() throws IOException {
        sigtermWhileValidating("validating", false);
    }

    /**
     * The same while another upload's body is still arriving, which holds the stop until it is read: the validation
     * stops at the signal all the same, and its waiting client is told so then, not that it is validated (it ran to its
     * end while the body arrived, to be lost once the body had been refused).
     */
    @Test
    void sigtermWhileValidatingAndAnotherUploadsBodyArrives_theWaitingClientIsToldItFailed() throws IOException {
        sigtermWhileValidating("validating-arriving", true);
    }

    private static void sigtermWhileValidating(String name, boolean anotherBodyArriving) throws IOException {
        try (ServerProcess server = ServerProcess.start(
                "sigterm-" + name, ServerProcess.env("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1"))) {
            assertThat(ServerProcess.poll(
                            Duration.ofSeconds(60),
                            () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                    .isTrue();
            HttpResponse<String> sent = server.upload(ServerProcess.workbook());
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
            String id = ServerProcess.json(sent).get("id").asText();
            String first;
            String answer;
            try (Socket socket =
                    new Socket(InetAddress.getLoopbackAddress(), server.uri("/").getPort())) {
                socket.setSoTimeout(60_000);
                // pipelined: the summary, then the same waiting for the end; once the first is answered, the server
                // reads the second, which is waiting when the signal comes
                String head = " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.token() + "\r\n";
                OutputStream out = socket.getOutputStream();
                out.write(("GET /api/v1/uploads/" + id + head + "\r\n" + "GET /api/v1/uploads/" + id + "?wait=20" + head
                                + "Connection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                first = response(in);
                try (Socket arriving = anotherBodyArriving ? readySocket(server) : null) {
                    if (arriving != null) {
                        // a part of the body sent, the rest never: the stop waits for it until it is cut off
                        OutputStream body = arriving.getOutputStream();
                        body.write(uploadHead(server, "Content-Length: 1000000\r\n\r\nPK"));
                        body.write(new byte[5_000]);
                        body.flush();
                    }

                    server.terminate();

                    answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            assertThat(first).startsWith("HTTP/1.1 200 ").contains("\"status\":\"validating\"");
            assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
            assertThat(server.logLines())
                    .anyMatch(l -> l.contains("upload " + id) && l.contains("was still being validated and is lost"));
            assertThat(answer)
                    .startsWith("HTTP/1.1 200 ")
                    .contains("\"status\":\"failed\"")
                    .contains("\"code\":\"upload.validation_lost\"");
        }
    }

    /** One HTTP/1.1 answer with a {@code Content-Length}, read from {@code in}: its head and body. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the answer ended in its head: " + head);
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)\r\nContent-Length: *(\\d+)").matcher(head);
        assertThat(length.find()).as(head.toString()).isTrue();
        return head + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }

    /**
     * SIGTERM to the real server on embedded H2 while its warm-up rehearses commits: the warm-up stops after its round
     * (rolled back), the process exits 0 with no error, and the restarted server finds no row and a clean stop.
     */
    @Test
    void sigtermOnH2DuringTheWarmup_warmupStopped_exit0_nothingKept() {
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.H2)) {
            try (ServerProcess server =
                    ServerProcess.start("sigterm-h2-warmup", ServerProcess.env(db.url(), "WARMUP", "true"))) {
                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(30),
                                () -> server.logLines().stream().anyMatch(l -> l.contains("intake listening"))))
                        .isTrue();
                assertThat(server.getPublic("/api/v1/health/ready").statusCode())
                        .as("still warming up")
                        .isEqualTo(503);

                server.terminate();

                assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
                assertThat(server.logLines())
                        .anyMatch(l -> l.contains("warm-up stopped") && l.contains("the server is stopping"))
                        .noneMatch(l -> l.contains(" ERROR ") || l.contains("still in use at close"));
            }
            try (ServerProcess server =
                    ServerProcess.start("sigterm-h2-warmup-restarted", ServerProcess.env(db.url()))) {
                assertThat(server.committedUsers()).isZero();
                assertThat(server.logLines()).noneMatch(l -> l.contains("unclean stop"));
            }
        }
    }

    /**
     * SIGTERM to the real server on embedded H2 while it starts, after its database was opened (held here at its
     * connection to Redis: a peer that takes the connection and never answers): the start ends, the process exits 0,
     * and the next start finds a clean stop (decision 14), with no compaction or check.
     */
    @Test
    void sigtermOnH2WhileStarting_exit0_nextStartSeesACleanStop() throws IOException {
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.H2);
                ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
            String redis = "redis://127.0.0.1:" + silent.getLocalPort();
            try (ServerProcess server = ServerProcess.launch(
                    "sigterm-h2-starting", ServerProcess.env(db.url(), "STAGING", "redis", "REDIS_URL", redis))) {
                // the server connects to Redis once its database is open: it is starting
                Socket held = silent.accept();
                try {
                    server.terminate();
                    assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
                } finally {
                    held.close();
                }
                assertThat(server.logLines())
                        .anyMatch(l -> l.contains("intake stopped while starting"))
                        .noneMatch(l -> l.contains("intake listening"));
            }
            try (ServerProcess server =
                    ServerProcess.start("sigterm-h2-starting-restarted", ServerProcess.env(db.url()))) {
                assertThat(server.logLines())
                        .noneMatch(l -> l.contains("not stopped cleanly"))
                        .noneMatch(l -> l.contains("unclean stop"));
            }
        }
    }

    /**
     * SIGTERM to the real server on embedded H2 after a commit was answered: the process exits 0, the restarted server
     * finds the commit whole, and does not check the database, whose stop was marked clean (decision 14).
     */
    @Test
    void sigtermOnH2_commitKept_nextStartSeesACleanStop() {
        byte[] workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(2_000, 15));
        try (ItDatabase db = ItDatabase.fresh(ItDatabase.Kind.H2)) {
            try (ServerProcess server = ServerProcess.start("sigterm-h2", ServerProcess.env(db.url()))) {
                HttpResponse<String> commit = server.commit(server.uploadValidated(workbook));
                assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);

                server.terminate();

                assertThat(server.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
            }
            try (ServerProcess server = ServerProcess.start("sigterm-h2-restarted", ServerProcess.env(db.url()))) {
                assertThat(server.committedUsers()).isEqualTo(2_000);
                assertThat(server.logLines()).noneMatch(l -> l.contains("unclean stop"));
            }
        }
    }
}
