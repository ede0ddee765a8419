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
