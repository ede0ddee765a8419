package rw.intake.server.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The workload of {@code java -XX:ArchiveClassesAtExit=intake.jsa -jar intake-server.jar --train}, which the package
 * step runs to build the class-data-sharing archive that the documented run command uses: a client on loopback takes
 * a started server through what users do (sign in, upload a workbook and a CSV file, wait for validation, page and
 * filter, fix a record, download the error report, commit, list the saved users, delete), so that every class those
 * requests load is in the archive. Throws on any unexpected answer.
 */
public final class Training {

    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    /** Rows of the workbook uploaded: the warm-up at start has run the larger chunks through already. */
    private static final int ROWS = 1_000;

    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(2);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private String token;

    private Training(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Runs the workload against the server on {@code port}, signed in as this admin. */
    public static void run(int port, String admin, String password) throws IOException, InterruptedException {
        new Training(port).workload(admin, password);
    }

    private void workload(String admin, String password) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (send(get(Health.READY)).statusCode() != 200) {
            pause(deadline, "ready");
        }
        String body = json.writeValueAsString(java.util.Map.of("username", admin, "password", password));
        token = field(expect(send(post("/api/v1/token", "application/json", body)), 200), "access");

        String id = upload(Warmup.workbook(ROWS), XLSX, "train.xlsx");
        String u = "/api/v1/uploads/" + id;
        expect(send(get(u + "/records?page=1&size=50")), 200);
        expect(send(get(u + "/records?status=invalid&field=nid&page=1&size=50")), 200);
        expect(send(get(u + "/records?code=phone.invalid&page=2&size=20")), 200);
        expect(send(get(u + "/records/2")), 200);
        expect(
                send(request(u + "/records/3")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"nid\":\"1199880012345678\"}"))
                        .header("Content-Type", "application/json")),
                200);
        expect(send(get(u + "/report.xlsx?status=invalid")), 200);
        expect(send(get(u + "/report.csv?status=all")), 200);
        expect(send(post(u + "/commit", "application/json", "{\"records\":\"all\"}")), 200);
        expect(send(get("/api/v1/users?uploadId=" + id + "&valid=false&page=1&size=50")), 200);
        expect(send(get("/api/v1/uploads")), 200);
        expect(send(request(u).DELETE()), 204);

        String csv = upload("""
                        names,nid,phone_number,gender,email
                        Aline Uwase,1199570012345678,0788123456,F,aline@example.rw
                        Eric Habimana,11995800123456,+250 788 123 457,M,eric@example
                        """.getBytes(StandardCharsets.UTF_8), "text/csv", "train.csv");
        expect(send(request("/api/v1/uploads/" + csv).DELETE()), 204);

        expect(send(get("/")), 200);
        expect(send(get("/api/v1/openapi.json")), 200);
        expect(send(get("/metrics")), 200);
        expect(send(get("/api/v1/uploads/none")), 404);
    }

    /** Posts a file as a raw body and waits until it is validated; returns its id. */
    private String upload(byte[] file, String type, String name) throws IOException, InterruptedException {
        HttpRequest.Builder b = request("/api/v1/uploads?fileName=" + name)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(file));
        String id = field(expect(send(b), 202), "id");
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            String status = field(expect(send(get("/api/v1/uploads/" + id)), 200), "status");
            if (status.equals("validated")) {
                return id;
            }
            if (!status.equals("validating")) {
                throw new IllegalStateException(name + " ended " + status);
            }
            pause(deadline, name + " validated");
        }
    }

    private static void pause(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the server was not " + what + " in time");
        }
        LockSupport.parkNanos(POLL_NANOS);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(1));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private HttpRequest.Builder get(String path) {
        return request(path).GET();
    }

    private HttpRequest.Builder post(String path, String type, String body) {
        return request(path).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.uri().getPath() + " answered "
                    + r.statusCode() + " instead of " + status + ": " + r.body());
        }
        return r;
    }

    private String field(HttpResponse<String> r, String name) throws IOException {
        JsonNode value = json.readTree(r.body()).get(name);
        if (value == null) {
            throw new IllegalStateException("no " + name + " in " + r.body());
        }
        return value.asText();
    }
}
