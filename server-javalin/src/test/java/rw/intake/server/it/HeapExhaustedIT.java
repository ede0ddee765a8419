package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/**
 * A request that asks for more heap than the server has: the real server in a 64 MB heap, sent the head of a 100 MB
 * upload, whose body it reads into one array of the declared length. The {@link OutOfMemoryError} is answered as any
 * server fault (a 500 problem with an error id the log carries, and every answer's headers), and the server goes on
 * serving.
 */
final class HeapExhaustedIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DECLARED = 100L * 1024 * 1024;

    @Test
    void uploadLargerThanTheHeap_500Problem_serverGoesOn() throws IOException {
        try (ServerProcess server = ServerProcess.start(
                "heap-exhausted",
                ServerProcess.env("jdbc:h2:mem:heap;DB_CLOSE_DELAY=-1", "STAGING_MAX_RECORDS", "20000"),
                "-Xms32m",
                "-Xmx64m")) {
            String token = server.token();

            Answer answer = rawUpload(server, token);

            assertThat(answer.status()).as(answer.body()).isEqualTo(500);
            assertThat(answer.headers().get("content-type")).isEqualTo("application/problem+json");
            assertThat(answer.headers().get("x-content-type-options")).isEqualTo("nosniff");
            JsonNode problem = JSON.readTree(answer.body());
            assertThat(problem.get("code").asText()).isEqualTo("server.error");
            assertThat(problem.get("title").asText()).isEqualTo("Internal Server Error");
            String id = problem.get("errorId").asText();
            assertThat(answer.headers().get("x-request-id")).isEqualTo(id);
            assertThat(problem.get("requestId").asText()).isEqualTo(id);
            assertThat(problem.get("detail").asText()).contains(id).doesNotContain("OutOfMemory");
            assertThat(server.logLines())
                    .anyMatch(l -> l.contains("error id " + id))
                    .anyMatch(l -> l.contains("OutOfMemoryError"));

            // the array was never made: the heap is the server's again
            String upload = server.uploadValidated(SampleWorkbooks.xlsxBytes(SampleSpec.of(2_000, 3)));
            HttpResponse<String> page = server.get("/api/v1/uploads/" + upload + "/records?size=5");
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(ServerProcess.json(page).get("totalItems").asLong()).isEqualTo(2_000);
        }
    }

    private record Answer(int status, Map<String, String> headers, String body) {}

    /** Sends the head of a raw upload declaring {@link #DECLARED} bytes and a few bytes of it; reads the answer. */
    private static Answer rawUpload(ServerProcess server, String token) throws IOException {
        try (Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), server.uri("/").getPort())) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/uploads?fileName=big.xlsx HTTP/1.1\r\n"
                            + "Host: 127.0.0.1\r\n"
                            + "Authorization: Bearer " + token + "\r\n"
                            + "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
                            + "Content-Length: " + DECLARED + "\r\n\r\n"
                            + "PK")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
