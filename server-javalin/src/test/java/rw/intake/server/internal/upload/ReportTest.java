package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/**
 * The error report over real HTTP: the .xlsx read back with fastexcel-reader (cells, header names, text format) and
 * from its XML parts (fills, comments, frozen header, filter); uploaded again, the same records and verdicts; the CSV
 * byte for byte; who may download it and with which parameters.
 */
final class ReportTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static final List<String> FIELDS = List.of("names", "nid", "phoneNumber", "gender", "email");
    private static final List<String> FIELD_KEYS = List.of("names", "nid", "phone_number", "gender", "email");
    private static final List<String> HEADER =
            List.of("Full Name", "National ID", "Mobile", "Sex", "E-mail", "Row", "Errors", "Warnings");

    private static String token;
    private static String id;

    /** A hand-made sheet: synonym headers in another order with an extra column, a blank row, and formula bait. */
    @BeforeAll
    static void upload() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Full Name", "Notes", "Mobile", "National ID", "Sex", "E-mail"});
        rows.add(new String[] {"Alice Person", "vip", "0788000001", "1199080000000001", "M", "a1@example.com"});
        rows.add(new String[] {"Bob Person", null, "+250788000002", "123", "M", "b2@example.com"});
        rows.add(new String[] {"Carl Person", null, "0788000001", "1199080000000001", "M", "c4@example.com"});
        rows.add(new String[] {"Dan Person", null, "0788000005", "1199080000000005", "M", "A1@Example.com"});
        rows.add(new String[] {"=1+2", null, "0788000006", null, "+X", "@evil.com"});
        rows.add(new String[] {"Eve, \"Quoted\" Person", null, "0788000007", "1199080000000007", "-1", "e7@example.com"
        });
        rows.add(new String[] {null, null, null, null, null, null});
        rows.add(new String[] {"Fay Person", null, "0788000009", "1199080000000009", "M", "f9@example.com"});
        token = SERVER.clerkToken("reporter");
        id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        assertThat(Workbooks.settled(SERVER, token, id).get("status").asText()).isEqualTo("validated");
    }

    static HttpResponse<byte[]> download(String path, String who) {
        return SERVER.send(SERVER.request(path, who).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static List<JsonNode> records(String uploadId, String query) {
        return Workbooks.records(SERVER, token, uploadId, query);
    }

    static String joined(JsonNode record, String severity, String separator) {
        List<String> out = new ArrayList<>();
        record.get("errors").forEach(e -> {
            if (e.get("severity").asText().equals(severity)) {
                out.add(e.get("message").asText());
            }
        });
        return String.join(separator, out);
    }

    static String text(Row row, int c) {
        return c < row.getCellCount()
                        && row.getCell(c) != null
                        && row.getCell(c).getValue() != null
                ? row.getCellText(c)
                : "";
    }

    /** Checks every cell, fill and comment of the report against the records the records route serves. */
    static void assertWorkbook(byte[] xlsx, List<JsonNode> expected) throws IOException {
        List<Row> rows;
        try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(xlsx))) {
            assertThat(wb.getFirstSheet().getName()).isEqualTo("Report");
            rows = wb.getFirstSheet().read();
        }
        assertThat(rows).hasSize(expected.size() + 1);
        List<String> header = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            header.add(text(rows.get(0), c));
        }
        assertThat(header).isEqualTo(HEADER);
        XlsxParts parts = XlsxParts.of(xlsx);
        Map<String, String> comments = new TreeMap<>();
        for (int i = 0; i < expected.size(); i++) {
            JsonNode record = expected.get(i);
            Row row = rows.get(i + 1);
            int sheetRow = i + 2;
            assertThat(row.getRowNum()).isEqualTo(sheetRow);
            for (int c = 0; c < 5; c++) {
                String ref = (char) ('A' + c) + Integer.toString(sheetRow);
                assertThat(text(row, c))
                        .as(ref)
                        .isEqualTo(record.get(FIELDS.get(c)).asText());
                if (c == 1 || c == 2) {
                    // a NID uploaded as a number is written as that number, to get its warning again
                    boolean number = c == 1 && codes(record).contains("nid.numeric_cell");
                    if (!text(row, c).isEmpty()) {
                        assertThat(row.getCell(c).getType())
                                .as(ref)
                                .isEqualTo(number ? CellType.NUMBER : CellType.STRING);
                    }
                    // a whole number shows every digit; text stays text
                    boolean whole = number && text(row, c).matches("[0-9]{1,16}");
                    assertThat(parts.format(ref)).as(ref).isEqualTo(whole ? "0" : "@");
                }
                String field = FIELD_KEYS.get(c);
                List<String> messages = new ArrayList<>();
                boolean error = false;
                for (JsonNode e : record.get("errors")) {
                    if (e.get("field").asText().equals(field)) {
                        messages.add(e.get("message").asText());
                        error |= e.get("severity").asText().equals("error");
                    }
                }
                assertThat(parts.fill(ref))
                        .as(ref)
                        .isEqualTo(messages.isEmpty() ? null : error ? "FFFFC7CE" : "FFFFEB9C");
                if (!messages.isEmpty()) {
                    comments.put(ref, String.join("\n", messages));
                }
            }
            assertThat(row.getCell(5).getType()).isEqualTo(CellType.NUMBER);
            assertThat(row.getCellAsNumber(5).orElseThrow().intValueExact())
                    .isEqualTo(record.get("row").asInt());
            assertThat(text(row, 6)).isEqualTo(joined(record, "error", "; "));
            assertThat(text(row, 7)).isEqualTo(joined(record, "warning", "; "));
        }
        assertThat(parts.comments()).isEqualTo(comments);
        String sheet = parts.part("xl/worksheets/sheet1.xml");
        assertThat(sheet)
                .contains(
                        "<pane xSplit=\"0\" ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>")
                .contains("<autoFilter ref=\"A1:H" + (expected.size() + 1) + "\">")
                // no extent (fastexcel's placeholder, A1, made openpyxl's read-only mode read the header alone)
                .doesNotContain("<dimension");
    }

    @Test
    void reportXlsx_invalidByDefault() throws IOException {
        HttpResponse<byte[]> r = download("/api/v1/uploads/" + id + "/report.xlsx", token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Workbooks.XLSX);
        assertThat(r.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"people-errors.xlsx\"");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        // the invalid records, and Alice (row 2), whom Carl's duplicate NID and phone name
        List<JsonNode> reported = new ArrayList<>(records(id, "&status=invalid"));
        assertThat(reported).extracting(n -> n.get("row").asInt()).containsExactly(3, 4, 6, 7);
        reported.add(0, records(id, "").get(0));
        assertThat(reported.get(0).get("valid").asBoolean()).isTrue();
        assertWorkbook(r.body(), reported);
        // Carl (sheet row 4, report row 4): a duplicate NID (error) and a shared phone (warning)
        assertThat(XlsxParts.of(r.body()).comments())
                .containsEntry("B4", "The same NID is on row 2")
                .containsEntry(
                        "C4",
                        reported.get(2).get("errors").get(1).get("message").asText())
                .doesNotContainKey("A4")
                .doesNotContainKey("B2");
        assertThat(XlsxParts.of(r.body()).fill("B4")).isEqualTo("FFFFC7CE");
        assertThat(XlsxParts.of(r.body()).fill("C4")).isEqualTo("FFFFEB9C");
        // uploaded again as it is, the same verdicts: Carl is a duplicate of Alice still
        assertSameVerdicts(reported, r.body());

        HttpResponse<byte[]> explicit = download("/api/v1/uploads/" + id + "/report.xlsx?status=INVALID", token);
        assertThat(explicit.statusCode()).isEqualTo(200);
        assertWorkbook(explicit.body(), reported);
    }

    /**
     * A record left out is in neither report: a commit saves none, and uploaded again it would take part in the
     * duplicate rules again (here it would make the record it duplicates invalid).
     */
    @Test
    void reports_leaveOutTheRecordsLeftOut() throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Full Name", "National ID", "Mobile", "Sex", "E-mail"});
        rows.add(new String[] {"Gil Person", "1199080000000011", "0788000011", "M", "g11@example.com"});
        rows.add(new String[] {"Hal Person", "1199080000000011", "0788000012", "M", "h12@example.com"});
        rows.add(new String[] {"Ida Person", "123", "0788000013", "F", "i13@example.com"});
        String left = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, left);
        assertThat(SERVER.patchJson("/api/v1/uploads/" + left + "/records/2", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        List<JsonNode> kept = records(left, "").stream()
                .filter(n -> !n.get("excluded").asBoolean())
                .toList();
        assertThat(kept).extracting(n -> n.get("row").asInt()).containsExactly(3, 4);
        assertThat(kept.get(0).get("valid").asBoolean())
                .as("Hal, with Gil left out")
                .isTrue();

        HttpResponse<byte[]> all = download("/api/v1/uploads/" + left + "/report.xlsx?status=all", token);
        assertWorkbook(all.body(), kept);
        assertSameVerdicts(kept, all.body());
        HttpResponse<byte[]> errors = download("/api/v1/uploads/" + left + "/report.xlsx", token);
        assertWorkbook(errors.body(), kept.subList(1, 2));
        assertThat(SERVER.delete("/api/v1/uploads/" + left, token).statusCode()).isEqualTo(204);
    }

    /**
     * NIDs held as number cells (16 digits, a fraction, one with an exponent no double holds) are written back as
     * those numbers, so the report read again gives them {@code nid.numeric_cell} again; an edited NID is text.
     */
    @Test
    void reportXlsx_nidNumberCells_getTheirWarningAgain() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Workbook wb = new Workbook(bytes, "test", null);
        Worksheet ws = wb.newWorksheet("People");
        String[] header = {"names", "nid", "phone_number", "gender", "email"};
        Object[] nids = {
            new BigDecimal("1199880012345678"),
            new BigDecimal("1.5"),
            new BigDecimal("1E+999"),
            new BigDecimal("1199880012345679")
        };
        for (int c = 0; c < header.length; c++) {
            ws.value(0, c, header[c]);
        }
        for (int r = 0; r < nids.length; r++) {
            ws.value(r + 1, 0, "Numbered Person");
            ws.value(r + 1, 1, (BigDecimal) nids[r]);
            ws.value(r + 1, 2, "078800010" + r);
            ws.value(r + 1, 3, "M");
            ws.value(r + 1, 4, "n" + r + "@example.com");
        }
        wb.finish();
        String numbered = Workbooks.accepted(SERVER, token, bytes.toByteArray());
        assertThat(Workbooks.settled(SERVER, token, numbered).get("status").asText())
                .isEqualTo("validated");
        assertThat(SERVER.patchJson(
                                "/api/v1/uploads/" + numbered + "/records/5", token, "{\"nid\":\"1199880012345670\"}")
                        .statusCode())
                .isEqualTo(200);
        List<JsonNode> all = records(numbered, "");
        assertThat(all)
                .extracting(r -> r.get("nid").asText())
                .containsExactly("1199880012345678", "1.5", "1E+999", "1199880012345670");

        byte[] report = download("/api/v1/uploads/" + numbered + "/report.xlsx?status=all", token)
                .body();
        Map<String, Integer> seen = assertSameVerdicts(all, report);

        assertThat(seen.get("nid.numeric_cell")).isEqualTo(3);
        // the whole number shows every digit (the general format shows 1.19988E+15); the others as they were
        XlsxParts parts = XlsxParts.of(report);
        assertThat(List.of(parts.format("B2"), parts.format("B3"), parts.format("B4"), parts.format("B5")))
                .containsExactly("0", "@", "@", "@");
        assertThat(parts.fill("B2")).isEqualTo(XlsxReport.WARNING_FILL);
        assertThat(SERVER.delete("/api/v1/uploads/" + numbered, token).statusCode())
                .isEqualTo(204);
    }

    @Test
    void reportXlsx_allReadsBackToSameRecords() throws IOException {
        HttpResponse<byte[]> r = download("/api/v1/uploads/" + id + "/report.xlsx?status=all", token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"people-all.xlsx\"");
        List<JsonNode> all = records(id, "");
        assertThat(all).extracting(n -> n.get("row").asInt()).containsExactly(2, 3, 4, 5, 6, 7, 9);
        assertWorkbook(r.body(), all);
        assertSameVerdicts(all, r.body());
    }

    @Test
    void reportXlsx_commentsCappedFillsNot() {
        int rows = XlsxReport.MAX_COMMENTS + 50;
        List<String[]> sheet = Workbooks.people(1, rows);
        for (int i = 1; i <= rows; i++) {
            sheet.get(i)[1] = Integer.toString(i);
        }
        String many = Workbooks.accepted(SERVER, token, Workbooks.xlsx(sheet));
        assertThat(Workbooks.settled(SERVER, token, many)
                        .get("totals")
                        .get("invalid")
                        .asLong())
                .isEqualTo(rows);
        HttpResponse<byte[]> r = download("/api/v1/uploads/" + many + "/report.xlsx", token);
        assertThat(r.statusCode()).isEqualTo(200);
        XlsxParts parts = XlsxParts.of(r.body());
        Map<String, String> comments = parts.comments();
        assertThat(comments)
                .hasSize(XlsxReport.MAX_COMMENTS)
                .containsKeys("B2", "B" + (XlsxReport.MAX_COMMENTS + 1))
                .doesNotContainKey("B" + (XlsxReport.MAX_COMMENTS + 2));
        assertThat(comments.get("B2")).isEqualTo("NID must be exactly 16 digits; found 1");
        for (int row = 2; row <= rows + 1; row++) {
            assertThat(parts.fill("B" + row)).as("B%d", row).isEqualTo("FFFFC7CE");
        }
        assertThat(SERVER.delete("/api/v1/uploads/" + many, token).statusCode()).isEqualTo(204);
    }

    /** Generated rows with synonyms, shuffled and extra columns, the header on row 2, blank rows, numeric NIDs. */
    @Test
    void reportXlsx_generatedUploadReadsBackToSameVerdicts() {
        SampleSpec spec = SampleSpec.of(3_000, 12)
                .withInvalidRatio(0.3)
                .withHeaderVariant(true, true, 2, 2)
                .withBlankRowRatio(0.02);
        String generated = Workbooks.accepted(SERVER, token, SampleWorkbooks.xlsxBytes(spec));
        assertThat(Workbooks.settled(SERVER, token, generated).get("status").asText())
                .isEqualTo("validated");
        HttpResponse<byte[]> r = download("/api/v1/uploads/" + generated + "/report.xlsx?status=all", token);
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> all = records(generated, "");
        assertThat(all).hasSize(3_000);
        Map<String, Integer> seen = assertSameVerdicts(all, r.body());
        assertThat(seen.get("nid.numeric_cell")).isPositive();
        assertThat(seen.get("nid.duplicate")).isPositive();
        assertThat(seen.get("phone.duplicate")).isPositive();
    }

    private static List<String> codes(JsonNode record) {
        List<String> codes = new ArrayList<>();
        record.get("errors").forEach(e -> codes.add(e.get("code").asText()));
        return codes;
    }

    /**
     * Uploads the report as it is and compares record by record: the same raw cells, validity and codes (save
     * {@code nid.numeric_cell} from a CSV report, whose values are all text); messages equal except those naming a
     * row, whose related row is the report's row of the same record. Returns how often each original code was seen.
     */
    static Map<String, Integer> assertSameVerdicts(List<JsonNode> original, byte[] report) {
        boolean workbook = report.length > 1 && report[0] == 'P' && report[1] == 'K';
        String again = Workbooks.accepted(SERVER, token, report);
        JsonNode summary = Workbooks.settled(SERVER, token, again);
        assertThat(summary.get("status").asText()).isEqualTo("validated");
        assertThat(summary.get("ignoredColumns"))
                .extracting(JsonNode::asText)
                .containsExactly("Row", "Errors", "Warnings");
        assertThat(summary.get("totals").get("blankRows").asLong()).isZero();
        List<JsonNode> read = records(again, "");
        assertThat(read).hasSize(original.size());
        Map<Integer, Integer> reportRow = new HashMap<>();
        for (int i = 0; i < original.size(); i++) {
            reportRow.put(original.get(i).get("row").asInt(), i + 2);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < original.size(); i++) {
            JsonNode before = original.get(i);
            JsonNode after = read.get(i);
            assertThat(after.get("row").asInt()).isEqualTo(i + 2);
            for (String f : FIELDS) {
                assertThat(after.get(f).asText())
                        .as("row %d %s", i + 2, f)
                        .isEqualTo(before.get(f).asText());
            }
            assertThat(after.get("valid").asBoolean())
                    .as("row %d", i + 2)
                    .isEqualTo(before.get("valid").asBoolean());
            List<String> expected = new ArrayList<>();
            for (JsonNode e : before.get("errors")) {
                seen.merge(e.get("code").asText(), 1, Integer::sum);
                if (!workbook && e.get("code").asText().equals("nid.numeric_cell")) {
                    continue;
                }
                String related = e.has("relatedRow") && !e.get("relatedRow").isNull()
                        ? " @" + reportRow.get(e.get("relatedRow").asInt())
                        : "";
                expected.add(e.get("field").asText() + " " + e.get("code").asText() + " "
                        + e.get("severity").asText()
                        + (related.isEmpty() ? " " + e.get("message").asText() : related));
            }
            List<String> actual = new ArrayList<>();
            for (JsonNode e : after.get("errors")) {
                String related = e.has("relatedRow") && !e.get("relatedRow").isNull()
                        ? " @" + e.get("relatedRow").asInt()
                        : "";
                actual.add(e.get("field").asText() + " " + e.get("code").asText() + " "
                        + e.get("severity").asText()
                        + (related.isEmpty() ? " " + e.get("message").asText() : related));
            }
            assertThat(actual).as("row %d", i + 2).isEqualTo(expected);
        }
        assertThat(SERVER.delete("/api/v1/uploads/" + again, token).statusCode())
                .isEqualTo(204);
        return seen;
    }

    static String quoted(String s) {
        return s.matches("(?s).*[,;\"\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    @Test
    void reportCsv_bomQuotingAndFormulas() {
        HttpResponse<byte[]> r = download("/api/v1/uploads/" + id + "/report.csv?status=all", token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"people-all.csv\"");
        byte[] body = r.body();
        assertThat(Arrays.copyOf(body, 3)).containsExactly(0xEF, 0xBB, 0xBF);
        String csv = new String(body, 3, body.length - 3, StandardCharsets.UTF_8);
        assertThat(csv).endsWith("\r\n");
        List<String> lines = List.of(csv.split("\r\n"));
        List<JsonNode> all = records(id, "");
        assertThat(lines).hasSize(all.size() + 1);
        assertThat(lines.get(0)).isEqualTo("Full Name,National ID,Mobile,Sex,E-mail,Row,Errors,Warnings");
        // cells as the sheet had them; only those a spreadsheet would run as a formula get an apostrophe
        String[] cells = {
            "Alice Person,1199080000000001,0788000001,M,a1@example.com,2",
            "Bob Person,123,+250788000002,M,b2@example.com,3",
            "Carl Person,1199080000000001,0788000001,M,c4@example.com,4",
            "Dan Person,1199080000000005,0788000005,M,A1@Example.com,5",
            "'=1+2,,0788000006,'+X,'@evil.com,6",
            "\"Eve, \"\"Quoted\"\" Person\",1199080000000007,0788000007,-1,e7@example.com,7",
            "Fay Person,1199080000000009,0788000009,M,f9@example.com,9"
        };
        for (int i = 0; i < all.size(); i++) {
            JsonNode record = all.get(i);
            assertThat(lines.get(i + 1))
                    .isEqualTo(cells[i] + "," + quoted(joined(record, "error", "; ")) + ","
                            + quoted(joined(record, "warning", "; ")));
        }
        assertThat(lines.get(5))
                .as("a list of errors with semicolons is quoted")
                .contains(",6,\"Names may contain only letters, spaces, apostrophes, hyphens and periods; found ");

        HttpResponse<byte[]> invalid = download("/api/v1/uploads/" + id + "/report.csv", token);
        assertThat(invalid.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"people-errors.csv\"");
        String invalidCsv = new String(invalid.body(), StandardCharsets.UTF_8);
        // the invalid records and Alice, whom Carl names
        assertThat(invalidCsv.split("\r\n")).hasSize(6);
        assertThat(invalidCsv)
                .isEqualTo("\uFEFF" + lines.get(0) + "\r\n" + lines.get(1) + "\r\n" + lines.get(2) + "\r\n"
                        + lines.get(3) + "\r\n" + lines.get(5) + "\r\n" + lines.get(6) + "\r\n");
        // uploaded again, the apostrophes against formulas are taken off: the same cells and verdicts
        assertSameVerdicts(all, body);
    }

    /**
     * A header cell wrapped on two lines (Alt+Enter in a template) is written on one line in the CSV report, so that
     * its records, uploaded again, keep the report's rows: the header on row 1, the records from row 2.
     */
    @Test
    void reportCsv_headerWithLineBreaks_oneLine_rowsKept() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Full\nName", "National\r\nID", "Phone\rNumber", "Gender", "Email"});
        rows.add(new String[] {"Jo Person", "1199080000000021", "0788000021", "M", "j21@example.com"});
        rows.add(new String[] {"Kim Person", "1199080000000021", "0788000022", "F", "k22@example.com"});
        String wrapped = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, wrapped);
        List<JsonNode> all = records(wrapped, "");

        HttpResponse<byte[]> r = download("/api/v1/uploads/" + wrapped + "/report.csv?status=all", token);

        String csv = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(csv).startsWith("\uFEFFFull Name,National ID,Phone Number,Gender,Email,Row,Errors,Warnings\r\n");
        assertSameVerdicts(all, r.body());
        assertThat(SERVER.delete("/api/v1/uploads/" + wrapped, token).statusCode())
                .isEqualTo(204);
    }

    /**
     * Values no XML can carry as they are (control characters, a carriage return) and text that reads as a workbook
     * escape, put in by edits: both reports, uploaded again, read back to the same values and verdicts.
     */
    @Test
    void reports_controlCharactersAndEscapes_readBackAsWritten() {
        List<String[]> rows = Workbooks.people(1, 4);
        String upload = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        assertThat(Workbooks.settled(SERVER, token, upload).get("status").asText())
                .isEqualTo("validated");
        String records = "/api/v1/uploads/" + upload + "/records/";
        String[] edits = {
            "{\"names\":\"Ann\\u0001Bee\",\"email\":\"l\\u000b@example.com\"}",
            "{\"names\":\"Carl_x0044_ee\",\"email\":\"a_x0041_b@example.com\"}",
            "{\"names\":\"=HYPERLINK(\\\"x\\\")\",\"phoneNumber\":\"-0788 000 004\",\"email\":\"'@example.com\"}",
            // more control characters than a text file without a byte order mark may hold; an escape's head before
            // one, which is then written as an escape
            "{\"names\":\"" + "A\\u000b".repeat(30) + "B\\u001cC\",\"email\":\"a_x0041\\u0001b@example.com\"}",
        };
        for (int i = 0; i < edits.length; i++) {
            assertThat(SERVER.patchJson(records + (i + 2), token, edits[i]).statusCode())
                    .isEqualTo(200);
        }
        List<JsonNode> all = records(upload, "");
        assertThat(all.get(0).get("names").asText()).isEqualTo("Ann\u0001Bee");
        assertThat(all.get(1).get("email").asText()).isEqualTo("a_x0041_b@example.com");
        assertThat(all.get(3).get("email").asText()).isEqualTo("a_x0041\u0001b@example.com");
        for (String report : List.of("report.xlsx", "report.csv")) {
            HttpResponse<byte[]> r = download("/api/v1/uploads/" + upload + "/" + report + "?status=all", token);
            assertThat(r.statusCode()).as(report).isEqualTo(200);
            assertSameVerdicts(all, r.body());
        }
        // a carriage return, which an XML parser would read as a line feed (in a CSV file it ends a line)
        assertThat(SERVER.patchJson(records + 5, token, "{\"names\":\"Dan\\rPerson\"}")
                        .statusCode())
                .isEqualTo(200);
        List<JsonNode> edited = records(upload, "");
        assertThat(edited.get(3).get("names").asText()).isEqualTo("Dan\rPerson");
        assertSameVerdicts(
                edited,
                download("/api/v1/uploads/" + upload + "/report.xlsx?status=all", token)
                        .body());
        // a character no XML can carry: escaped in its cell; the record's message names it by its code
        assertThat(SERVER.patchJson(records + 2, token, "{\"names\":\"Jean\\uFFFEBosco\"}")
                        .statusCode())
                .isEqualTo(200);
        String message = null;
        for (JsonNode e : records(upload, "").get(0).get("errors")) {
            if (e.get("field").asText().equals("names")) {
                message = e.get("message").asText();
            }
        }
        assertThat(message).endsWith("; found U+FFFE");
        XlsxParts parts = XlsxParts.of(download("/api/v1/uploads/" + upload + "/report.xlsx?status=all", token)
                .body());
        assertThat(parts.part("xl/worksheets/sheet1.xml")).contains("Jean_xFFFE_Bosco", message);
        assertThat(parts.comments()).containsValue(message);
        assertThat(SERVER.delete("/api/v1/uploads/" + upload, token).statusCode())
                .isEqualTo(204);
    }

    @Test
    void report_onlyOwnerOrAdminAndKnownStatus() {
        String other = SERVER.clerkToken("other-clerk");
        for (String format : List.of("xlsx", "csv")) {
            String path = "/api/v1/uploads/" + id + "/report." + format;
            assertThat(Workbooks.problemCode(SERVER.get(path, other), 404)).isEqualTo("upload.not_found");
            assertThat(Workbooks.problemCode(SERVER.get(path + "?status=all", other), 404))
                    .isEqualTo("upload.not_found");
            assertThat(download(path, SERVER.adminToken()).statusCode()).isEqualTo(200);
            assertThat(SERVER.get(path, null).statusCode()).isEqualTo(401);
            HttpResponse<String> bad = SERVER.get(path + "?status=valid", token);
            assertThat(Workbooks.problemCode(bad, 400)).isEqualTo("request.invalid_parameter");
            assertThat(TestServer.json(bad).get("detail").asText()).isEqualTo("status must be invalid or all");
            assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/no-such-id/report." + format, token), 404))
                    .isEqualTo("upload.not_found");
        }
    }

    /**
     * With one reader thread, a second upload waits until the first is read: its report is 409 while the first is
     * still validating after the request was answered. The first cannot end meanwhile: the database is in exclusive
     * mode (H2 pauses the statements of the server's connections), so its registered-NID look-ups wait, and its reader,
     * with the queue to them full, holds the one reader thread.
     */
    @Test
    void report_whileValidating() throws SQLException {
        String url = "jdbc:h2:mem:report" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (TestServer one = TestServer.start(Map.of("VALIDATION_THREADS", "1", "DB_URL", url));
                Connection pause = DriverManager.getConnection(url, "sa", "")) {
            String clerk = one.clerkToken("busy");
            try (Statement s = pause.createStatement()) {
                s.execute("SET EXCLUSIVE 1");
            }
            String first = Workbooks.accepted(one, clerk, Workbooks.xlsx(Workbooks.people(1, 100_000)));
            String second = Workbooks.accepted(one, clerk, Workbooks.xlsx(Workbooks.people(300_000, 3)));
            HttpResponse<String> r = one.get("/api/v1/uploads/" + second + "/report.xlsx", clerk);
            assertThat(TestServer.json(one.get("/api/v1/uploads/" + first, clerk))
                            .get("status")
                            .asText())
                    .isEqualTo("validating");
            assertThat(Workbooks.problemCode(r, 409)).isEqualTo("upload.not_ready");
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            try (Statement s = pause.createStatement()) {
                s.execute("SET EXCLUSIVE 0");
            }
            assertThat(one.delete("/api/v1/uploads/" + first, clerk).statusCode())
                    .isEqualTo(204);
            Workbooks.settled(one, clerk, second);
            HttpResponse<String> after = one.get("/api/v1/uploads/" + second + "/report.csv?status=all", clerk);
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.body().split("\r\n")).hasSize(4);
        }
    }
}
