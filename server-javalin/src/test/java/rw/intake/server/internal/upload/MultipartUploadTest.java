package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rw.intake.server.TestServer;

/** multipart/form-data uploads over real HTTP: file names as clients quote them, other parts, and broken bodies. */
final class MultipartUploadTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static final byte[] WORKBOOK = Workbooks.xlsx(Workbooks.people(1, 2));

    /** The Content-Disposition's file name parameter as sent, and the name the upload keeps. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "filename=\"a;b.xlsx\"|a;b.xlsx",
                "filename=\"people; 2024.xlsx\"; size=12|people; 2024.xlsx",
                "filename=\"say \\\"hi\\\".xlsx\"|say \"hi\".xlsx",
                "filename=\"a\\\";b.xlsx\"|a\";b.xlsx",
                "filename=\"caf\u00e9.xlsx\"|caf\u00e9.xlsx",
                "filename=\"fallback.xlsx\"; filename*=UTF-8''ikizami%3B%C3%A9.xlsx|ikizami;\u00e9.xlsx",
                "filename*=UTF-8'en'people%E2%80%A6.xlsx|people\u2026.xlsx",
                "filename=\"p.xlsx\"; filename*=utf-8'en-US'a+b%20c.xlsx|a+b c.xlsx",
                "filename*=ISO-8859-1''caf%E9.xlsx|caf\u00e9.xlsx",
                "filename=\"a;filename*=UTF-8''evil.xlsx\"|a;filename*=UTF-8''evil.xlsx",
                "filename=\"fb.xlsx\"; filename*=UTF-8'en'caf%C3.xlsx|fb.xlsx",
                "filename=\"fb.xlsx\"; filename*=KOI8-R''%E9%E9.xlsx|fb.xlsx",
            })
    void upload_quotedFileNameKept(String parameter, String kept) {
        String token = SERVER.clerkToken("quoted-name");
        String boundary = "b7Ux";
        byte[] body = body(boundary, "form-data; name=\"file\"; " + parameter, WORKBOOK);

        HttpResponse<String> r = post(token, boundary, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = TestServer.json(r).get("id").asText();
        assertThat(TestServer.json(r).get("fileName").asText()).isEqualTo(kept);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                        .get("fileName")
                        .asText())
                .isEqualTo(kept);
        SERVER.delete("/api/v1/uploads/" + id, token);
    }

    @Test
    void upload_otherPartsAroundTheFile() {
        String token = SERVER.clerkToken("other-parts");
        String boundary = "----form\"quoted";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("preamble\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                        + "a;b\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.xlsx\"\r\n"
                        + "Content-Type: " + Workbooks.XLSX + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(WORKBOOK);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"sheet\"\r\n\r\nx\r\n--"
                        + boundary + "--\r\nepilogue")
                .getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", "multipart/form-data; boundary=\"" + boundary.replace("\"", "\\\"") + "\"")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(TestServer.json(r).get("fileName").asText()).isEqualTo("p.xlsx");
        assertThat(TestServer.json(r).get("totals")).isNotNull();
        SERVER.delete("/api/v1/uploads/" + TestServer.json(r).get("id").asText(), token);
    }

    @Test
    void upload_fileWithoutName_keptWithEmptyName() {
        String token = SERVER.clerkToken("no-name");

        HttpResponse<String> r = post(token, "nn", body("nn", "form-data; name=\"file\"", WORKBOOK));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(TestServer.json(r).get("fileName").asText()).isEmpty();
        SERVER.delete("/api/v1/uploads/" + TestServer.json(r).get("id").asText(), token);
    }

    @Test
    void upload_bodyWithoutClosingBoundary400() {
        String token = SERVER.clerkToken("cut-short");
        byte[] whole = body("cs", "form-data; name=\"file\"; filename=\"a.xlsx\"", WORKBOOK);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 8);

        HttpResponse<String> r = post(token, "cs", cut);

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("request.invalid_multipart");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads", token))).isEmpty();
    }

    @Test
    void upload_noBoundaryLine400() {
        String token = SERVER.clerkToken("no-boundary-line");

        HttpResponse<String> r = post(token, "nb", WORKBOOK);

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("request.invalid_multipart");
    }

    @Test
    void upload_noBoundaryParameter400() {
        String token = SERVER.clerkToken("no-boundary");

        HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WORKBOOK))
                .build());

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("request.invalid_multipart");
    }

    /** A boundary parameter named in another case is the boundary (parameter names are case-insensitive). */
    @Test
    void upload_boundaryParameterInAnyCase() {
        String token = SERVER.clerkToken("boundary-case");
        for (String name : new String[] {"Boundary", "BOUNDARY"}) {
            HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/uploads", token)
                    .header("Content-Type", "Multipart/Form-Data; " + name + "=Xb0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(
                            body("Xb0", "form-data; name=\"file\"; filename=\"c.xlsx\"", WORKBOOK)))
                    .build());

            assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(202);
            SERVER.delete("/api/v1/uploads/" + TestServer.json(r).get("id").asText(), token);
        }
    }

    /**
     * A part sent with a Content-Transfer-Encoding (quoted-printable, base64: RFC 7578 deprecates it) is refused, not
     * read as the file: quoted-printable text would stage records garbled and split at its soft line breaks.
     */
    @Test
    void upload_partWithATransferEncoding_refusedNothingStaged() {
        String token = SERVER.clerkToken("transfer-encoded");
        byte[] csv = ("names,nid,phone_number,gender,email\r\nD=C3=A9sir=C3=A9 Hakizimana,1199080012345601,"
                        + "0788123456,M,desire.hakizimana=\r\n@example.rw\r\n")
                .getBytes(StandardCharsets.UTF_8);
        for (String encoding :
                new String[] {"quoted-printable", "BASE64", "binary\r\nContent-Transfer-Encoding: base64"}) {
            byte[] body = ("--qp\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n"
                            + "Content-Type: text/csv\r\nContent-Transfer-Encoding: " + encoding + "\r\n\r\n"
                            + new String(csv, StandardCharsets.UTF_8) + "\r\n--qp--\r\n")
                    .getBytes(StandardCharsets.UTF_8);

            HttpResponse<String> r = post(token, "qp", body);

            assertThat(Workbooks.problemCode(r, 400)).isEqualTo("request.invalid_multipart");
            assertThat(TestServer.json(r).get("detail").asText())
                    .contains("Content-Transfer-Encoding " + encoding.substring(encoding.lastIndexOf(' ') + 1));
        }
        String head = "--qp\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.xlsx\"\r\n";
        byte[] binary = (head + "Content-Transfer-Encoding: binary\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(binary);
        out.writeBytes(WORKBOOK);
        out.writeBytes("\r\n--qp--\r\n".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> plain = post(token, "qp", out.toByteArray());
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(202);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads", token))).hasSize(1);
    }

    /** A body sent with a Content-Encoding (gzip) is refused as such, 415 with the encoding taken, not read as bytes. */
    @Test
    void upload_bodyWithAContentEncoding_415() {
        String token = SERVER.clerkToken("content-encoded");

        HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", Workbooks.XLSX)
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WORKBOOK))
                .build());

        assertThat(Workbooks.problemCode(r, 415)).isEqualTo("request.unsupported_encoding");
        assertThat(r.headers().firstValue("Accept-Encoding")).hasValue("identity");
        // the header on two lines is one list (RFC 9110, 5.3): gzip in it is refused too
        HttpResponse<String> twoLines = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", Workbooks.XLSX)
                .header("Content-Encoding", "identity")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WORKBOOK))
                .build());
        assertThat(Workbooks.problemCode(twoLines, 415)).isEqualTo("request.unsupported_encoding");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads", token))).isEmpty();
        HttpResponse<String> identity = SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", Workbooks.XLSX)
                .header("Content-Encoding", "identity")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WORKBOOK))
                .build());
        assertThat(identity.statusCode()).as(identity.body()).isEqualTo(202);
    }

    private static HttpResponse<String> post(String token, String boundary, byte[] body) {
        return SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    /** One part with {@code disposition} holding {@code content}, closed. */
    private static byte[] body(String boundary, String disposition, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\nContent-Type: "
                        + Workbooks.XLSX + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
