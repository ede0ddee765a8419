package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import rw.intake.server.TestServer;

/** Test helpers: small hand-made workbooks, uploads over HTTP, and waiting for validation to end. */
public final class Workbooks {
    public static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    /** The canonical header row; tests put it in their row lists, and none writes to it. */
    @SuppressWarnings("MutablePublicArray") // the row type of Workbooks.xlsx is String[]
    public static final String[] HEADER = {"Names", "NID", "Phone Number", "Gender", "Email"};
    /** Codes of severity warning in VALIDATION-RULES.md; every other code is an error. */
    public static final Set<String> WARNINGS =
            Set.of("nid.numeric_cell", "nid.underage", "phone.duplicate", "email.duplicate");

    /** The properties of the Problem schema of the API's document, which every problem's members must be among. */
    private static final JsonNode PROBLEM_MEMBERS = problemMembers();

    private Workbooks() {}

    /** A workbook of text cells, one array per row, written in memory. */
    public static byte[] xlsx(List<String[]> rows) {
        return xlsx(Map.of("Sheet1", rows));
    }

    /** A workbook with one sheet per entry, in the map's iteration order. */
    public static byte[] xlsx(Map<String, List<String[]>> sheets) {
        return xlsx(sheets, false);
    }

    /** A workbook of one sheet whose NIDs below the header (the second column) that are all digits are number cells. */
    public static byte[] xlsxNumberNids(List<String[]> rows) {
        return xlsx(Map.of("Sheet1", rows), true);
    }

    private static byte[] xlsx(Map<String, List<String[]>> sheets, boolean numberNids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Workbook wb = new Workbook(out, "intake-tests", "1.0");
            for (Map.Entry<String, List<String[]>> sheet : sheets.entrySet()) {
                Worksheet ws = wb.newWorksheet(sheet.getKey());
                List<String[]> rows = sheet.getValue();
                for (int r = 0; r < rows.size(); r++) {
                    String[] cells = rows.get(r);
                    for (int c = 0; c < cells.length; c++) {
                        if (numberNids && r > 0 && c == 1 && cells[c] != null && cells[c].matches("[0-9]+")) {
                            ws.value(r, c, new BigDecimal(cells[c]));
                        } else if (cells[c] != null) {
                            ws.value(r, c, cells[c]);
                        }
                    }
                }
            }
            wb.finish();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** A valid record for row index {@code i} (distinct NID, phone and email per i). */
    public static String[] person(int i) {
        return new String[] {
            "Person Number",
            String.format("11990800%08d", i),
            String.format("0788%06d", i),
            "M",
            "person" + i + "@example.com"
        };
    }

    /** The header and {@code count} valid people numbered from {@code from}. */
    public static List<String[]> people(int from, int count) {
        List<String[]> rows = new ArrayList<>(count + 1);
        rows.add(HEADER);
        for (int i = from; i < from + count; i++) {
            rows.add(person(i));
        }
        return rows;
    }

    /** POSTs the workbook as the raw body with the .xlsx content type. */
    public static HttpResponse<String> upload(TestServer server, String token, byte[] workbook) {
        return server.send(server.request("/api/v1/uploads?fileName=people.xlsx", token)
                .header("Content-Type", XLSX)
                .POST(HttpRequest.BodyPublishers.ofByteArray(workbook))
                .build());
    }

    /** The rows as CSV text, a line each, their fields joined by commas (the rows hold no comma or quote). */
    public static StringBuilder csv(List<String[]> rows) {
        StringBuilder csv = new StringBuilder();
        for (String[] row : rows) {
            csv.append(String.join(",", row)).append('\n');
        }
        return csv;
    }

    /** POSTs CSV text as the multipart part {@code file}, named {@code people.csv}. */
    public static HttpResponse<String> uploadCsv(TestServer server, String token, CharSequence csv) {
        return server.postMultipart(
                "/api/v1/uploads", token, "file", "people.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Uploads and returns the new upload's id, failing if it was not accepted. */
    public static String accepted(TestServer server, String token, byte[] workbook) {
        HttpResponse<String> r = upload(server, token, workbook);
        if (r.statusCode() != 202) {
            throw new AssertionError("upload refused: " + r.statusCode() + " " + r.body());
        }
        return TestServer.json(r).get("id").asText();
    }

    /** Every record of the upload under a query ({@code &status=invalid}, or empty), by pages of 500. */
    public static List<JsonNode> records(TestServer server, String token, String id, String query) {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 1; ; page++) {
            HttpResponse<String> r =
                    server.get("/api/v1/uploads/" + id + "/records?size=500&page=" + page + query, token);
            if (r.statusCode() != 200) {
                throw new AssertionError("records page " + page + ": " + r.statusCode() + " " + r.body());
            }
            JsonNode p = TestServer.json(r);
            p.get("items").forEach(out::add);
            if (page >= p.get("totalPages").asLong()) {
                return out;
            }
        }
    }

    /** Polls the summary until the status is no longer {@code validating} (bounded: 2 minutes). */
    public static JsonNode settled(TestServer server, String token, String id) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = server.get("/api/v1/uploads/" + id, token);
            if (r.statusCode() != 200) {
                throw new AssertionError("summary: " + r.statusCode() + " " + r.body());
            }
            JsonNode s = TestServer.json(r);
            if (!"validating".equals(s.get("status").asText())) {
                return s;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("upload " + id + " still validating after " + Duration.ofMinutes(2));
    }

    /** The problem's code, after checking the status and the problem content type. */
    public static String problemCode(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.body());
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            throw new AssertionError("not a problem: " + r.headers().map() + " " + r.body());
        }
        JsonNode problem = TestServer.json(r);
        problem.fieldNames().forEachRemaining(member -> {
            if (!PROBLEM_MEMBERS.has(member)) {
                throw new AssertionError(
                        "the Problem schema of openapi.json does not document " + member + ": " + r.body());
            }
        });
        // RFC 9457 4.2.1: with the type about:blank, the title is the status's reason phrase
        String phrase = io.javalin.http.HttpStatus.forStatus(status).getMessage();
        if (!phrase.equals(problem.path("title").asText())) {
            throw new AssertionError("the title is not \"" + phrase + "\": " + r.body());
        }
        return problem.get("code").asText();
    }

    private static JsonNode problemMembers() {
        try (InputStream in = Workbooks.class.getResourceAsStream("/openapi.json")) {
            return new ObjectMapper().readTree(in).at("/components/schemas/Problem/properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
