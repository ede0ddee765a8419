package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** CSV uploads over real HTTP: as a multipart part and as a raw text/csv body, validated and paged like a workbook. */
final class CsvUploadTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    /** A semicolon CSV with a BOM, a title line, a name spanning two lines, a blank line and an invalid record. */
    private static final byte[] CSV = ("\uFEFF" + """
            District of Gasabo;;;;
            Full Name;National ID;Tel:;Sex;E-mail
            Alice Uwase;1199070012345601;0788123456;F;alice@example.rw
            "Jean
            Bosco";1199880012345602;0722123456;M;jb@example.rw

            "Grace Uwimana";1199270012345603;0788000333;X;grace@example.rw
            """).getBytes(StandardCharsets.UTF_8);

    private static String accepted(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return TestServer.json(r).get("id").asText();
    }

    private static void assertPaged(String token, String id) {
        JsonNode summary = Workbooks.settled(SERVER, token, id);
        assertThat(summary.get("status").asText()).isEqualTo("validated");
        assertThat(summary.get("totals").get("records").asLong()).isEqualTo(3);
        assertThat(summary.get("totals").get("invalid").asLong()).isEqualTo(1);
        assertThat(summary.get("totals").get("blankRows").asLong()).isEqualTo(1);

        List<JsonNode> items = new ArrayList<>();
        for (int page = 1; page <= 2; page++) {
            JsonNode p =
                    TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records?page=" + page + "&size=2", token));
            assertThat(p.get("totalItems").asLong()).isEqualTo(3);
            assertThat(p.get("totalPages").asLong()).isEqualTo(2);
            p.get("items").forEach(items::add);
        }
        // rows are the lines on which the records start
        assertThat(items).extracting(i -> i.get("row").asInt()).containsExactly(3, 4, 7);
        assertThat(items)
                .extracting(i -> i.get("names").asText())
                .containsExactly("Alice Uwase", "Jean\nBosco", "Grace Uwimana");
        assertThat(items.get(0).get("phoneNumber").asText()).isEqualTo("0788123456");
        assertThat(items.get(2).get("valid").asBoolean()).isFalse();
        assertThat(items.get(2).get("errors"))
                .extracting(e -> e.get("code").asText())
                .containsExactly("gender.invalid");
    }

    @Test
    void upload_csvAsMultipartPart() {
        String token = SERVER.clerkToken("csv-multipart");

        String id = accepted(SERVER.postMultipart("/api/v1/uploads", token, "file", "people.csv", CSV));

        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                        .get("fileName")
                        .asText())
                .isEqualTo("people.csv");
        assertPaged(token, id);
    }

    @Test
    void upload_csvAsRawBody() {
        String token = SERVER.clerkToken("csv-raw");

        String id = accepted(SERVER.send(SERVER.request("/api/v1/uploads?fileName=people.csv", token)
                .header("Content-Type", "text/csv; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(CSV))
                .build()));

        assertPaged(token, id);
    }

    @Test
    void upload_csvBesideAnotherStagedUpload_accepted() {
        String token = SERVER.clerkToken("csv-second");
        String first = accepted(SERVER.postMultipart("/api/v1/uploads", token, "file", "first.csv", CSV));
        assertThat(Workbooks.settled(SERVER, token, first).get("status").asText())
                .isEqualTo("validated");

        // a CSV file reserves the rows it may hold, not the row limit that one user's share is made of
        String second = accepted(SERVER.postMultipart("/api/v1/uploads", token, "file", "second.csv", CSV));

        assertPaged(token, second);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads", token))).hasSize(2);
    }

    private static HttpResponse<String> postCsv(String token, String csv) {
        return SERVER.send(SERVER.request("/api/v1/uploads", token)
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofByteArray(csv.getBytes(StandardCharsets.UTF_8)))
                .build());
    }

    @Test
    void upload_malformedFirstRecordRefused() {
        HttpResponse<String> r = postCsv(
                SERVER.clerkToken("csv-bad"),
                "names,nid,phone_number,gender,email\n\"Ann,1,2,F,a@b.rw\nBob,1,2,M,b@b.rw\n");

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("file.corrupt");
        assertThat(TestServer.json(r).get("line").asLong()).isEqualTo(2);
        assertThat(TestServer.json(r).get("detail").asText()).startsWith("The CSV file cannot be read at line 2: ");
    }

    @Test
    void upload_malformedLaterRecordFailsTheUpload() {
        String token = SERVER.clerkToken("csv-bad-later");

        // found only while reading on, like broken XML half way through a sheet: the upload fails
        String id =
                accepted(postCsv(token, "names,nid,phone_number,gender,email\nAnn,1,2,F,a@b.rw\nBob,1,2,M,b@b.rw,x\n"));

        JsonNode failure = Workbooks.settled(SERVER, token, id).get("failure");
        assertThat(failure.get("code").asText()).isEqualTo("file.corrupt");
        assertThat(failure.get("detail").asText()).startsWith("The CSV file cannot be read at line 3: ");
    }
}
