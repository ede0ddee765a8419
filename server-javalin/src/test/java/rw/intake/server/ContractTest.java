package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.server.internal.upload.Workbooks;

/** Answers at the edges of the contract: wrong methods, oversized requests, ambiguous bodies. Real HTTP. */
final class ContractTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    @Test
    void wrongMethod_405WithAllow() {
        HttpResponse<String> put = SERVER.send(SERVER.request("/api/v1/uploads", SERVER.adminToken())
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());
        HttpResponse<String> deleteToken = SERVER.delete("/api/v1/token", null);

        assertThat(Workbooks.problemCode(put, 405)).isEqualTo("route.method_not_allowed");
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST, HEAD");
        assertThat(TestServer.json(put).get("detail").asText()).isEqualTo("this route allows GET, POST, HEAD");
        assertThat(Workbooks.problemCode(deleteToken, 405)).isEqualTo("route.method_not_allowed");
        assertThat(deleteToken.headers().firstValue("Allow")).hasValue("POST");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/nowhere", SERVER.adminToken()), 404))
                .isEqualTo("route.not_found");
    }

    /**
     * {@code X-HTTP-Method-Override} changes nothing: a {@code GET} or {@code HEAD} of the commit route is 405 and of
     * the upload is a read, whatever method the header names; the upload stays staged and uncommitted.
     */
    @Test
    void methodOverrideHeader_ignored() {
        String admin = SERVER.adminToken();
        String id = Workbooks.accepted(SERVER, admin, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, admin, id);
        String upload = "/api/v1/uploads/" + id;

        HttpResponse<String> commit = SERVER.send(SERVER.request(upload + "/commit", admin)
                .header("X-HTTP-Method-Override", "POST")
                .GET()
                .build());
        HttpResponse<String> delete = SERVER.send(SERVER.request(upload, admin)
                .header("X-HTTP-Method-Override", "DELETE")
                .GET()
                .build());
        HttpResponse<String> headDelete = SERVER.send(SERVER.request(upload, admin)
                .header("X-HTTP-Method-Override", "DELETE")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());

        assertThat(Workbooks.problemCode(commit, 405)).isEqualTo("route.method_not_allowed");
        assertThat(commit.headers().firstValue("Allow")).hasValue("POST");
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
        assertThat(TestServer.json(delete).get("id").asText()).isEqualTo(id);
        assertThat(headDelete.statusCode()).isEqualTo(200);
        HttpResponse<String> after = SERVER.get(upload, admin);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(after).get("status").asText()).isEqualTo("validated");
        assertThat(TestServer.json(after).get("commit").isNull()).isTrue();
    }

    /** Any method but POST on {@code .../records/exclude} is 405, not a row that is not a number. */
    @Test
    void excludeRoute_otherMethods405() {
        String admin = SERVER.adminToken();
        String id = Workbooks.accepted(SERVER, admin, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, admin, id);
        String path = "/api/v1/uploads/" + id + "/records/exclude";

        HttpResponse<String> get = SERVER.get(path, admin);
        HttpResponse<String> patch = SERVER.patchJson(path, admin, "{\"names\":\"Ana Uwase\"}");
        List<HttpResponse<String>> all = new ArrayList<>(List.of(get, patch));
        for (String method : List.of("PUT", "DELETE", "OPTIONS")) {
            all.add(SERVER.send(SERVER.request(path, admin)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build()));
        }

        for (HttpResponse<String> r : all) {
            assertThat(Workbooks.problemCode(r, 405)).isEqualTo("route.method_not_allowed");
            assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        }
        assertThat(TestServer.json(SERVER.postJson(path, admin, "{\"status\":\"invalid\",\"excluded\":true}"))
                        .has("matched"))
                .isTrue();
    }

    /**
     * A fault found after thousands of records were validated (a cell longer than a spreadsheet holds) fails the
     * upload with no records served, and none counted: the totals and the counts by code are empty.
     */
    @Test
    void upload_failedLateCountsNoRecords() {
        String token = SERVER.clerkToken("late-fault");
        List<String[]> rows = new ArrayList<>(Workbooks.people(1, 20_000));
        String[] overlong = Workbooks.person(9_999);
        overlong[0] = "n".repeat(40_000);
        rows.add(overlong);
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));

        JsonNode summary = Workbooks.settled(SERVER, token, id);

        assertThat(summary.get("status").asText()).isEqualTo("failed");
        assertThat(summary.get("failure").get("code").asText()).isEqualTo("file.cell_too_long");
        assertThat(summary.get("progress").get("rowsRead").asLong()).isPositive();
        assertThat(summary.get("totals").toString())
                .isEqualTo("{\"records\":0,\"valid\":0,\"invalid\":0,\"withWarnings\":0,\"blankRows\":0,"
                        + "\"excluded\":0,\"excludedValid\":0}");
        assertThat(summary.get("violationsByCode").toString()).isEqualTo("{}");
        SERVER.delete("/api/v1/uploads/" + id, token);
    }

    /** {@code ?size=} and {@code ?page=} with no value are 400 on the API, the defaults on the legacy routes. */
    @Test
    void pagingParameterWithoutValue() {
        String token = SERVER.clerkToken("blank-paging");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, token, id);

        for (String query : new String[] {"?size=", "?page=", "?page=&size=10"}) {
            HttpResponse<String> r = SERVER.get("/api/v1/uploads/" + id + "/records" + query, token);
            assertThat(Workbooks.problemCode(r, 400)).as(query).isEqualTo("request.invalid_parameter");
            assertThat(Workbooks.problemCode(SERVER.get("/api/v1/users" + query, token), 400))
                    .as(query)
                    .isEqualTo("request.invalid_parameter");
        }
        HttpResponse<String> legacy = SERVER.get("/api/v1/validatedusers/?page=&size=", token);
        assertThat(legacy.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(legacy).get("size").asInt()).isEqualTo(50);
        assertThat(TestServer.json(legacy).get("data")).hasSize(3);
    }

    /**
     * Requests Jetty answers before any route (not HTTP, no Host, {@code OPTIONS *}): problems with a stable code and
     * the headers of every answer. Sent as raw bytes, which no HTTP client would write.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "HELLO WORLD\\r\\n\\r\\n|400|request.invalid",
                "GET /api/v1/ HTTP/1.1\\r\\n\\r\\n|400|request.invalid",
                "GET /api/v1/ HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n|400|request.invalid",
                "OPTIONS * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|404|route.not_found"
            })
    void beforeRouting_problemsWithEveryAnswersHeaders(String request, int status, String code) throws IOException {
        String answer = raw(request.replace("\\r\\n", "\r\n"));

        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        assertThat(head)
                .contains("content-type: application/problem+json")
                .contains("x-request-id: ")
                .contains("x-content-type-options: nosniff")
                .contains("x-frame-options: deny")
                .contains("referrer-policy: no-referrer")
                .contains("cross-origin-opener-policy: same-origin")
                .contains("cross-origin-resource-policy: same-origin")
                .contains("permissions-policy: camera=()")
                .contains("content-security-policy: default-src 'none'")
                .contains("cache-control: no-store");
        assertThat(answer).contains("\"code\":\"" + code + "\"");
    }

    /**
     * A body that cannot be read to its end (a chunk size that is not a number) is the client's fault: 400
     * {@code request.invalid} on the JSON routes and the upload routes, never a 500.
     */
    @ParameterizedTest
    @CsvSource({
        "POST, /api/v1/token, application/json",
        "POST, /api/v1/uploads, text/csv",
        "POST, /api/v1/uploads, multipart/form-data; boundary=XX",
        "POST, /api/v1/upload/, multipart/form-data; boundary=XX",
        "POST, /api/v1/accounts, application/json"
    })
    void bodyNotReadable_400(String method, String path, String type) throws IOException {
        String answer = raw(method + " " + path + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + SERVER.adminToken()
                + "\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "ZZ\r\n{}\r\n0\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"code\":\"request.invalid\"");
    }

    /**
     * A body declared larger than an upload may be, from a client that waits for the go-ahead ({@code Expect:
     * 100-continue}), or declared larger than is ever read and dropped, is refused before the body is asked for.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Expect: 100-continue\r\nContent-Length: 200000000", "Content-Length: 1073741824"})
    void uploadDeclaredTooLarge_413BeforeTheBody(String headers) throws IOException {
        String answer = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + SERVER.adminToken()
                + "\r\nContent-Type: text/csv\r\n" + headers + "\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
        assertThat(answer).contains("\"code\":\"file.too_large\"");
    }

    /** A charset parameter on an upload's content type, even one no JVM knows ({@code binary}), changes nothing. */
    @Test
    void uploadContentTypeWithUnknownCharset_accepted() {
        String admin = SERVER.adminToken();
        byte[] xlsx = Workbooks.xlsx(Workbooks.people(1, 3));
        HttpResponse<String> raw = SERVER.send(SERVER.request("/api/v1/uploads", admin)
                .header(
                        "Content-Type",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; charset=binary")
                .POST(HttpRequest.BodyPublishers.ofByteArray(xlsx))
                .build());
        String boundary = "b0undary";
        byte[] head = ("--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.xlsx\"\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(head);
        body.writeBytes(xlsx);
        body.writeBytes(tail);
        HttpResponse<String> multipart = SERVER.send(SERVER.request("/api/v1/uploads", admin)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary + "; charset=bogus")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build());

        for (HttpResponse<String> r : List.of(raw, multipart)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            String id = TestServer.json(r).get("id").asText();
            assertThat(Workbooks.settled(SERVER, admin, id)
                            .get("totals")
                            .get("records")
                            .asLong())
                    .isEqualTo(3);
        }
    }

    /**
     * A query pair that is not percent-encoded UTF-8 is refused, naming the parameter, not dropped: a filter dropped
     * would list every record. (The JDK's client sends no such URI, so these go on a socket.)
     */
    @Test
    void queryNotPercentEncoded_refused() throws IOException {
        String token = SERVER.clerkToken("mis-encoded");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, token, id);
        for (String q : List.of("status=%zz", "size=%", "page=%2", "code=%ff", "%zz=1", "x=%C3%28")) {
            assertThat(getRaw("/api/v1/uploads/" + id + "/records?" + q, token))
                    .as(q)
                    .startsWith("HTTP/1.1 400 ")
                    .contains("\"code\":\"request.invalid_parameter\"");
        }
        assertThat(getRaw("/api/v1/users?size=1&valid=%zz", token))
                .startsWith("HTTP/1.1 400 ")
                .contains("\"parameter\":\"valid\"");
        assertThat(getRaw("/api/v1/uploads/" + id + "/records?status=%69nvalid&code=nid%2Eformat", token))
                .startsWith("HTTP/1.1 200 ");
    }

    /**
     * A parameter given twice with different values is refused, whichever comes first: a route reads one, and would
     * answer as if the other were not there. The same value twice is that value.
     */
    @Test
    void queryParameterTwiceWithAnotherValue_refused() throws IOException {
        String token = SERVER.clerkToken("twice");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, token, id);
        for (String target : List.of(
                "/api/v1/uploads/" + id + "/records?size=10&size=abc",
                "/api/v1/uploads/" + id + "/records?status=valid&status=bogus",
                "/api/v1/uploads/" + id + "/records?page=1&page=2",
                "/api/v1/uploads/" + id + "/report.csv?status=all&status=bogus",
                "/api/v1/uploads/" + id + "?wait=1&wait=abc",
                "/api/v1/users?valid=true&valid=maybe")) {
            assertThat(getRaw(target, token))
                    .as(target)
                    .startsWith("HTTP/1.1 400 ")
                    .contains("\"code\":\"request.invalid_parameter\"", "is given twice, with different values");
        }
        assertThat(getRaw("/api/v1/uploads/" + id + "/records?size=2&size=%32", token))
                .startsWith("HTTP/1.1 200 ")
                .contains("\"size\":2");
        // the same value as the routes read it: in any case, spaces around it; an empty value is none
        for (String target : List.of(
                "/api/v1/uploads/" + id + "/records?status=valid&status=VALID&status=%20valid",
                "/api/v1/uploads/" + id + "/report.csv?status=&status=invalid")) {
            assertThat(getRaw(target, token)).as(target).startsWith("HTTP/1.1 200 ");
        }
    }

    /**
     * A report is sent chunked to an HTTP/1.1 client that asked to close the connection after it, as to one that keeps
     * it: a download cut short (the server gives up on a client that stopped reading) then lacks its last chunk, where
     * an answer delimited by the connection's close would look whole.
     */
    @Test
    void report_chunkedAlsoOnAConnectionToClose() throws IOException {
        String token = SERVER.clerkToken("closer");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(7000, 3000)));
        Workbooks.settled(SERVER, token, id);
        for (String report : List.of("report.csv", "report.xlsx")) {
            String answer = getRaw("/api/v1/uploads/" + id + "/" + report + "?status=all", token);
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            assertThat(head)
                    .as(report)
                    .startsWith("HTTP/1.1 200 ")
                    .containsIgnoringCase("\r\nTransfer-Encoding: chunked");
            assertThat(answer).as(report).endsWith("\r\n0\r\n\r\n");
        }
    }

    private static String getRaw(String target, String token) throws IOException {
        return raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n");
    }

    /** Sends bytes on a connection of its own and reads the answer until the server closes it or 2 s pass. */
    private static String raw(String request) throws IOException {
        try (Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), SERVER.app().port())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buf)) > 0; ) {
                    read.write(buf, 0, n);
                    String sofar = read.toString(StandardCharsets.ISO_8859_1);
                    int end = sofar.indexOf("\r\n\r\n");
                    if (end > 0 && sofar.endsWith("}")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // a kept-alive connection: what was read is the answer
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A JSON body over 64 KiB, sent with its length or chunked: 413 on every JSON route, before or after sign-in. */
    @Test
    void jsonBodyTooLarge_413() {
        String big = "{\"username\":\"" + "a".repeat(200_000) + "\",\"password\":\"x\"}";
        String admin = SERVER.adminToken();
        String id = Workbooks.accepted(SERVER, admin, Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, admin, id);
        for (String path : new String[] {
            "/api/v1/token", "/api/v1/token/refresh", "/api/v1/accounts", "/api/v1/uploads/" + id + "/commit"
        }) {
            HttpResponse<String> sized = SERVER.postJson(path, path.startsWith("/api/v1/token") ? null : admin, big);
            assertThat(Workbooks.problemCode(sized, 413)).as(path).isEqualTo("request.too_large");
            assertThat(TestServer.json(sized).get("limit").asInt()).isEqualTo(65_536);
            // no length declared: sent chunked
            HttpResponse<String> chunked = SERVER.send(SERVER.request(path, admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                    .build());
            assertThat(Workbooks.problemCode(chunked, 413))
                    .as(path + " chunked")
                    .isEqualTo("request.too_large");
        }
        HttpResponse<String> edit = SERVER.send(SERVER.request("/api/v1/uploads/" + id + "/records/2", admin)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(big))
                .build());
        assertThat(Workbooks.problemCode(edit, 413)).isEqualTo("request.too_large");
        // the upload was neither committed nor changed
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, admin))
                        .get("status")
                        .asText())
                .isEqualTo("validated");
        // a body just under the bound is read as before
        String edge = "{\"names\":\"Ana Uwase\",\"pad\":\"" + "x".repeat(65_000) + "\"}";
        HttpResponse<String> unknown = SERVER.send(SERVER.request("/api/v1/uploads/" + id + "/records/2", admin)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(edge))
                .build());
        assertThat(Workbooks.problemCode(unknown, 400)).isEqualTo("record.unknown_field");
    }

    @Test
    void uriTooLong_414Problem() {
        HttpResponse<String> r = SERVER.get("/api/v1/uploads?sheet=" + "a".repeat(20_000), SERVER.adminToken());

        assertThat(Workbooks.problemCode(r, 414)).isEqualTo("request.uri_too_long");
        assertThat(TestServer.json(r).get("requestId").asText())
                .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void headersTooLarge_431Problem() {
        HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/", null)
                .header("X-Padding", "b".repeat(20_000))
                .GET()
                .build());

        assertThat(Workbooks.problemCode(r, 431)).isEqualTo("request.headers_too_large");
        assertThat(TestServer.json(r).get("title").asText()).isEqualTo("Request Header Fields Too Large");
    }

    @Test
    void upload_secondFilePart400() {
        byte[] xlsx = Workbooks.xlsx(Workbooks.people(1, 2));
        String boundary = "b" + UUID.randomUUID().toString().replace("-", "");
        byte[] body = join(
                part(boundary, "file", "a.xlsx"),
                xlsx,
                part(boundary, "file", "b.xlsx"),
                xlsx,
                ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        String token = SERVER.clerkToken("two-parts");

        HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("request.duplicate_file");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads", token))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "\"all\"",
                "42",
                "null",
                "{\"records\":[\"all\"]}",
                "{\"records\":1}",
                "{\"records\":null}",
                "{\"records\":\"VALID\"}",
                "{\"record\":\"valid\"}",
                "{\"records\":\"valid\",\"mode\":\"all\"}",
                "{\"records\":\"valid\"} x",
                "  \r\n"
            })
    void commit_bodyNotTheCommitsChoice400_nothingCommitted(String body) {
        String token = SERVER.clerkToken("commit-body");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(500, 2)));
        Workbooks.settled(SERVER, token, id);

        HttpResponse<String> r = SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, body);

        assertThat(Workbooks.problemCode(r, 400)).isIn("request.invalid_body", "request.invalid_parameter");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                        .get("status")
                        .asText())
                .isEqualTo("validated");
        SERVER.delete("/api/v1/uploads/" + id, token);
    }

    private static byte[] part(String boundary, String name, String fileName) {
        return ("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                        + fileName + "\"\r\nContent-Type: " + Workbooks.XLSX + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
