package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * The files held in memory at once are bounded: bodies being received hold their declared length of the budget (a
 * quarter of the heap, and at least one file of the size limit), and a file that does not fit is refused with 503
 * {@code staging.full} rather than filling the heap. Here the budget is filled by bodies that are still being sent.
 */
final class UploadMemoryTest {
    private static final long MAX_BYTES = 64L * 1024 * 1024;
    private static final Pattern GAUGE = Pattern.compile("(?m)^intake_upload_bodies_bytes(_max)? (\\S+)$");

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("MAX_UPLOAD_BYTES", Long.toString(MAX_BYTES), "WARMUP", "false"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void filesHeldInMemoryFillTheBudget_theNextIsStagingFull_untilTheyAreDone() throws IOException {
        String token = server.clerkToken("memory");
        long capacity = gauge("_max");
        assertThat(capacity).isGreaterThanOrEqualTo(MAX_BYTES);
        int stalled = (int) (capacity / MAX_BYTES);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < stalled; i++) {
                Socket s = new Socket(
                        InetAddress.getLoopbackAddress(), server.app().port());
                sockets.add(s);
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                                + "\r\nContent-Type: " + IncomingFile.XLSX + "\r\nContent-Length: " + MAX_BYTES
                                + "\r\n\r\nPK")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            assertThat(awaitHeld(stalled * MAX_BYTES))
                    .as("the bodies being sent hold the budget")
                    .isTrue();

            // the rest of the budget and one byte more
            byte[] body = new byte[(int) (capacity - stalled * MAX_BYTES + 1)];
            HttpResponse<String> refused = server.send(server.request("/api/v1/uploads", token)
                    .header("Content-Type", IncomingFile.XLSX)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build());
            assertThat(Workbooks.problemCode(refused, 503)).isEqualTo("staging.full");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(TestServer.json(refused).get("maxBytesInFlight").asLong())
                    .isEqualTo(capacity);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertThat(awaitHeld(0)).as("bodies cut short give their bytes back").isTrue();
        String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(1, 3)));
        assertThat(Workbooks.settled(server, token, id).get("status").asText()).isEqualTo("validated");
        assertThat(awaitHeld(0))
                .as("a file read to its end gives its bytes back")
                .isTrue();
    }

    /** Asks the metrics until the bytes held are {@code bytes}, for at most 30 s. */
    private static boolean awaitHeld(long bytes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (gauge("") == bytes) {
                return true;
            }
        }
        return false;
    }

    private static long gauge(String suffix) {
        String metrics = server.get("/metrics", server.adminToken()).body();
        Matcher m = GAUGE.matcher(metrics);
        while (m.find()) {
            if (suffix.equals(m.group(1) == null ? "" : m.group(1))) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no intake_upload_bodies_bytes" + suffix + " in " + metrics);
    }
}
