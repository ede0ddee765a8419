package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/** The main path over real HTTP: upload 50,000 generated rows, review them with every filter, commit, list users. */
final class UploadWalkthroughTest {
    private static final int ROWS = 50_000;

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    static String fieldOf(String code) {
        String prefix = code.substring(0, code.indexOf('.'));
        return "phone".equals(prefix) ? "phone_number" : prefix;
    }

    static boolean valid(SampleRow row) {
        return row.expectedCodes().stream().allMatch(Workbooks.WARNINGS::contains);
    }

    /** Every record of the upload under a query, by pages of 500. */
    static List<JsonNode> all(String token, String id, String query) {
        return Workbooks.records(SERVER, token, id, query);
    }

    static SortedSet<String> codes(JsonNode record) {
        TreeSet<String> codes = new TreeSet<>();
        record.get("errors").forEach(e -> codes.add(e.get("code").asText()));
        return codes;
    }

    @Test
    void upload_reviewCommitList() {
        SampleSpec spec = SampleSpec.of(ROWS, 42);
        List<SampleRow> truth = SampleWorkbooks.rows(spec).toList();
        String token = SERVER.clerkToken("walker");

        HttpResponse<String> created = Workbooks.upload(SERVER, token, SampleWorkbooks.xlsxBytes(spec));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = TestServer.json(created).get("id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/uploads/" + id);
        assertThat(TestServer.json(created).get("fileName").asText()).isEqualTo("people.xlsx");

        JsonNode summary = Workbooks.settled(SERVER, token, id);
        assertThat(summary.get("status").asText()).isEqualTo("validated");
        assertThat(summary.get("owner").asText()).isEqualTo("walker");
        assertThat(summary.get("commit").isNull()).isTrue();
        assertThat(summary.has("failure")).isFalse();
        long valid = truth.stream().filter(UploadWalkthroughTest::valid).count();
        JsonNode totals = summary.get("totals");
        assertThat(totals.get("records").asLong()).isEqualTo(ROWS);
        assertThat(totals.get("valid").asLong()).isEqualTo(valid);
        assertThat(totals.get("invalid").asLong()).isEqualTo(ROWS - valid);
        assertThat(totals.get("withWarnings").asLong())
                .isEqualTo(truth.stream()
                        .filter(r -> r.expectedCodes().stream().anyMatch(Workbooks.WARNINGS::contains))
                        .count());
        assertThat(summary.get("progress").get("rowsRead").asLong()).isEqualTo(ROWS);
        Map<String, Long> byCode = truth.stream()
                .flatMap(r -> r.expectedCodes().stream())
                .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
        Map<String, Long> served = new HashMap<>();
        summary.get("violationsByCode")
                .properties()
                .forEach(e -> served.put(e.getKey(), e.getValue().asLong()));
        assertThat(served).isEqualTo(byCode);

        // every record, in sheet order, with exactly the expected codes
        List<JsonNode> records = all(token, id, "");
        assertThat(records).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            assertThat(records.get(i).get("row").asInt()).isEqualTo(truth.get(i).row());
            assertThat(codes(records.get(i)))
                    .as("row %d", truth.get(i).row())
                    .isEqualTo(new TreeSet<>(truth.get(i).expectedCodes()));
            assertThat(records.get(i).get("valid").asBoolean()).isEqualTo(valid(truth.get(i)));
        }

        // each filter counts exactly the matching records and lists them in order (first 500 compared)
        for (String code : byCode.keySet()) {
            assertFilter(
                    token,
                    id,
                    "&code=" + code,
                    rows(truth, r -> r.expectedCodes().contains(code)));
            assertFilter(
                    token,
                    id,
                    "&status=valid&field=" + fieldOf(code) + "&code=" + code,
                    rows(truth, r -> valid(r) && r.expectedCodes().contains(code)));
        }
        for (String field : List.of("names", "nid", "phone_number", "gender", "email")) {
            assertFilter(
                    token,
                    id,
                    "&status=invalid&field=" + field,
                    rows(
                            truth,
                            r -> !valid(r)
                                    && r.expectedCodes().stream()
                                            .anyMatch(c -> fieldOf(c).equals(field))));
        }
        assertFilter(token, id, "&status=valid", rows(truth, UploadWalkthroughTest::valid));
        JsonNode page3 =
                TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records?page=3&size=7&status=invalid", token));
        assertThat(page3.get("page").asInt()).isEqualTo(3);
        assertThat(page3.get("size").asInt()).isEqualTo(7);
        assertThat(page3.get("totalItems").asLong()).isEqualTo(ROWS - valid);
        assertThat(page3.get("totalPages").asLong()).isEqualTo((ROWS - valid + 6) / 7);
        List<JsonNode> page3Items = new ArrayList<>();
        page3.get("items").forEach(page3Items::add);
        assertThat(rows(page3Items)).isEqualTo(rows(truth, r -> !valid(r)).subList(14, 21));

        // commit everything; the users listing holds what was staged, row for row
        HttpResponse<String> commit = SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "");
        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
        JsonNode result = TestServer.json(commit);
        assertThat(result.get("uploadId").asText()).isEqualTo(id);
        assertThat(result.get("committed").asLong()).isEqualTo(ROWS);
        assertThat(result.get("skipped").asLong()).isZero();
        assertThat(result.get("conflicts").asLong()).isZero();
        assertThat(result.get("committedAt").asText()).isNotBlank();
        JsonNode after = TestServer.json(SERVER.get("/api/v1/uploads/" + id, token));
        assertThat(after.get("status").asText()).isEqualTo("committed");
        assertThat(after.get("commit").get("committed").asLong()).isEqualTo(ROWS);

        List<JsonNode> users = new ArrayList<>();
        for (int page = 1; ; page++) {
            JsonNode p = TestServer.json(SERVER.get("/api/v1/users?size=500&uploadId=" + id + "&page=" + page, token));
            p.get("items").forEach(users::add);
            if (page >= p.get("totalPages").asLong()) {
                break;
            }
        }
        assertThat(users).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            JsonNode u = users.get(i);
            JsonNode r = records.get(i);
            assertThat(u.get("row").asInt()).isEqualTo(r.get("row").asInt());
            assertThat(u.get("uploadId").asText()).isEqualTo(id);
            assertThat(u.get("valid").asBoolean()).isEqualTo(r.get("valid").asBoolean());
            assertThat(codes(u)).isEqualTo(codes(r));
            String nid = r.get("normalized").get("nid").isNull()
                    ? r.get("nid").asText().strip()
                    : r.get("normalized").get("nid").asText();
            assertThat(u.get("nid").asText()).isEqualTo(nid);
        }
        JsonNode invalidUsers = TestServer.json(SERVER.get("/api/v1/users?valid=false&uploadId=" + id, token));
        assertThat(invalidUsers.get("totalItems").asLong()).isEqualTo(ROWS - valid);

        // a second commit changes nothing; records stay readable until deleted
        HttpResponse<String> again =
                SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}");
        assertThat(Workbooks.problemCode(again, 409)).isEqualTo("upload.already_committed");
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records", token).statusCode())
                .isEqualTo(200);
        assertThat(SERVER.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/" + id, token), 404))
                .isEqualTo("upload.not_found");
    }

    @Test
    void commit_validOnly() {
        SampleSpec spec = SampleSpec.of(5_000, 7).withInvalidRatio(0.3);
        long valid =
                SampleWorkbooks.rows(spec).filter(UploadWalkthroughTest::valid).count();
        String token = SERVER.clerkToken("valid-only");
        String id = Workbooks.accepted(SERVER, token, SampleWorkbooks.xlsxBytes(spec));
        assertThat(Workbooks.settled(SERVER, token, id).get("status").asText()).isEqualTo("validated");

        HttpResponse<String> commit =
                SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"valid\"}");

        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
        assertThat(TestServer.json(commit).get("committed").asLong()).isEqualTo(valid);
        assertThat(TestServer.json(commit).get("skipped").asLong()).isEqualTo(5_000 - valid);
        JsonNode users = TestServer.json(SERVER.get("/api/v1/users?uploadId=" + id, token));
        assertThat(users.get("totalItems").asLong()).isEqualTo(valid);
        assertThat(TestServer.json(SERVER.get("/api/v1/users?valid=false&uploadId=" + id, token))
                        .get("totalItems")
                        .asLong())
                .isZero();
    }

    /**
     * Values in a column with no header are not read: the summary lists the column among the ignored ones once the
     * sheet is read (at the 202 only the header is known).
     */
    @Test
    void valuesUnderNoHeader_listedAmongIgnoredColumnsOnceRead() {
        String token = SERVER.clerkToken("no-header");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"names", "nid", "phone_number", "gender", "email", "", "Notes"});
        rows.add(Workbooks.person(1));
        String[] second = Arrays.copyOf(Workbooks.person(2), 7);
        second[5] = "second phone 0788000000";
        rows.add(second);
        HttpResponse<String> accepted = Workbooks.upload(SERVER, token, Workbooks.xlsx(rows));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = TestServer.json(accepted).get("id").asText();

        JsonNode summary = Workbooks.settled(SERVER, token, id);

        assertThat(summary.get("ignoredColumns"))
                .extracting(JsonNode::asText)
                .containsExactly("Notes", "column F (no header)");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token)).get("ignoredColumns"))
                .extracting(JsonNode::asText)
                .containsExactly("Notes", "column F (no header)");
    }

    @Test
    void records_badParameters() {
        String token = SERVER.clerkToken("params");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(1))));
        Workbooks.settled(SERVER, token, id);
        // digits other than ASCII's (fullwidth 5, Arabic-Indic 1), a sign and spaces around the digits are not a page
        // number either, as they are not a row number in the path
        for (String q : List.of(
                "page=0",
                "page=x",
                "size=0",
                "size=501",
                "status=maybe",
                "field=age",
                "page=-1",
                "size=%EF%BC%95",
                "page=%D9%A1",
                "size=%2B5",
                "page=%201",
                "page=1%20",
                "size=+5",
                "size=5%09")) {
            HttpResponse<String> r = SERVER.get("/api/v1/uploads/" + id + "/records?" + q, token);
            assertThat(Workbooks.problemCode(r, 400)).as(q).isEqualTo("request.invalid_parameter");
        }
        // past an int: the message says where the range ends
        HttpResponse<String> far = SERVER.get("/api/v1/uploads/" + id + "/records?page=2147483648", token);
        assertThat(Workbooks.problemCode(far, 400)).isEqualTo("request.invalid_parameter");
        assertThat(TestServer.json(far).get("detail").asText())
                .isEqualTo("page must be a whole number from 1 to 2147483647: 2147483648");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/users?valid=perhaps", token), 400))
                .isEqualTo("request.invalid_parameter");
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records?status=%69nvalid&code=nid%2Eformat", token)
                        .statusCode())
                .isEqualTo(200);
        // a row past an int is a number from 1 all the same: no record there
        HttpResponse<String> farRow = SERVER.get("/api/v1/uploads/" + id + "/records/2147483648", token);
        assertThat(Workbooks.problemCode(farRow, 404)).isEqualTo("record.not_found");
        // named as asked
        assertThat(TestServer.json(farRow).get("detail").asText())
                .isEqualTo("upload " + id + " has no record on row 2147483648");
        HttpResponse<String> farther = SERVER.get("/api/v1/uploads/" + id + "/records/0099999999999999999999", token);
        assertThat(Workbooks.problemCode(farther, 404)).isEqualTo("record.not_found");
        assertThat(TestServer.json(farther).get("detail").asText())
                .isEqualTo("upload " + id + " has no record on row 99999999999999999999");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/UNKNOWN/records/2147483648", token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/" + id + "/records/00", token), 400))
                .isEqualTo("request.invalid_parameter");
        HttpResponse<String> bad =
                SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"some\"}");
        assertThat(Workbooks.problemCode(bad, 400)).isEqualTo("request.invalid_parameter");
        JsonNode last = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records?page=9&size=500", token));
        assertThat(last.get("items")).isEmpty();
        assertThat(last.get("totalItems").asLong()).isEqualTo(1);
    }

    private static void assertFilter(String token, String id, String query, List<Integer> expected) {
        JsonNode p = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records?size=500" + query, token));
        List<JsonNode> items = new ArrayList<>();
        p.get("items").forEach(items::add);
        assertThat(p.get("totalItems").asLong()).as(query).isEqualTo(expected.size());
        assertThat(rows(items)).as(query).isEqualTo(expected.subList(0, Math.min(500, expected.size())));
    }

    private static List<Integer> rows(List<JsonNode> records) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode r : records) {
            if (r.has("row")) {
                out.add(r.get("row").asInt());
            }
        }
        return out;
    }

    private static List<Integer> rows(List<SampleRow> truth, java.util.function.Predicate<SampleRow> keep) {
        return truth.stream().filter(keep).map(SampleRow::row).toList();
    }
}
