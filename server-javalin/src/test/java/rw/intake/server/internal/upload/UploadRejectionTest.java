package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rw.intake.server.TestServer;

/** Files the server must refuse before staging anything, and the limits of staging, over real HTTP. */
final class UploadRejectionTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "MAX_ROWS",
                "20",
                "MAX_UPLOAD_BYTES",
                "200000",
                "STAGING_MAX_UPLOADS_PER_USER",
                "2",
                "STAGING_MAX_RECORDS",
                "100"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Arguments> refused() {
        byte[] good = Workbooks.xlsx(Workbooks.people(1, 3));
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        List<String[]> missing = new ArrayList<>();
        missing.add(new String[] {"Names", "NID", "Phone Number", "Gender"});
        missing.add(new String[] {"Ann Uwase", "1199870012345678", "0788123456", "F"});
        List<String[]> duplicate = new ArrayList<>();
        duplicate.add(new String[] {"Names", "NID", "Phone Number", "Gender", "Email", "Mobile"});
        duplicate.add(new String[] {"Ann Uwase", "1199870012345678", "0788123456", "F", "a@b.rw", "0788123457"});
        return List.of(
                Arguments.of(
                        "malformed csv",
                        "names,nid,phone_number,gender,email\n\"Ann,1199870012345678,0788123456\n"
                                .getBytes(StandardCharsets.UTF_8),
                        "file.corrupt"),
                Arguments.of(
                        "pdf",
                        "%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n".getBytes(StandardCharsets.ISO_8859_1),
                        "file.unsupported_format"),
                Arguments.of("random", random, "file.unsupported_format"),
                Arguments.of("truncated zip", Arrays.copyOf(good, good.length / 2), "file.corrupt"),
                Arguments.of("missing column", Workbooks.xlsx(missing), "file.missing_columns"),
                Arguments.of("duplicate columns", Workbooks.xlsx(duplicate), "file.duplicate_columns"),
                Arguments.of("header only", Workbooks.xlsx(Workbooks.people(1, 0)), "file.empty"),
                Arguments.of("empty sheet", Workbooks.xlsx(List.of()), "file.empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void upload_refusedFile(String name, byte[] file, String code) {
        String token = server.clerkToken("refused");

        HttpResponse<String> raw = Workbooks.upload(server, token, file);
        HttpResponse<String> multipart = server.postMultipart("/api/v1/uploads", token, "file", name + ".xlsx", file);

        assertThat(Workbooks.problemCode(raw, 400)).isEqualTo(code);
        assertThat(Workbooks.problemCode(multipart, 400)).isEqualTo(code);
        assertThat(TestServer.json(raw).get("detail").asText()).isNotBlank();
        assertThat(TestServer.json(server.get("/api/v1/uploads", token))).isEmpty();
    }

    @Test
    void upload_missingColumnsNamesThem() {
        List<String[]> rows =
                List.of(new String[] {"Full Name", "Phone", "Sex", "Имя ☎"}, new String[] {"Ann", "0788123456", "F"});

        HttpResponse<String> r = Workbooks.upload(server, server.clerkToken("refused"), Workbooks.xlsx(rows));

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("file.missing_columns");
        JsonNode problem = TestServer.json(r);
        assertThat(problem.get("detail").asText()).contains("nid").contains("email");
        assertThat(problem.get("missing")).hasToString("[\"nid\",\"email\"]");
        // in UTF-8, as JSON is, whatever the script
        assertThat(problem.get("headersFound")).hasToString("[\"Full Name\",\"Phone\",\"Sex\",\"Имя ☎\"]");
        assertThat(problem.get("detail").asText()).contains("Имя ☎");
        // the header names each missing field is known by, in the order of VALIDATION-RULES.md
        assertThat(problem.get("accepted"))
                .hasToString("{\"nid\":[\"nid\",\"national id\",\"national id number\",\"id number\"],"
                        + "\"email\":[\"email\",\"e-mail\",\"email address\"]}");
    }

    @Test
    void upload_namedSheet() {
        String token = server.clerkToken("sheets");
        Map<String, List<String[]>> sheets = new LinkedHashMap<>();
        sheets.put("Notes", List.of(new String[] {"Remarks"}, new String[] {"nothing here"}));
        // a title and a blank row above the header
        List<String[]> people = new ArrayList<>();
        people.add(new String[] {"Members of March"});
        people.add(new String[0]);
        people.addAll(Workbooks.people(1, 4));
        sheets.put("People", people);
        // a second list after it (one a month, say): not read, but named
        sheets.put("April", Workbooks.people(5, 2));
        sheets.put("Template", List.<String[]>of(Workbooks.HEADER));
        byte[] file = Workbooks.xlsx(sheets);

        HttpResponse<String> notes = uploadSheet(token, "Notes", file);
        HttpResponse<String> missing = uploadSheet(token, "Nope", file);
        assertThat(Workbooks.problemCode(notes, 400)).isEqualTo("file.missing_columns");
        assertThat(Workbooks.problemCode(missing, 400)).isEqualTo("file.sheet_not_found");

        // unnamed: the first sheet whose header maps all five fields, which the summary names, with its header's row
        HttpResponse<String> unnamed = Workbooks.upload(server, token, file);
        assertThat(TestServer.json(unnamed).get("sheet").asText()).isEqualTo("People");
        assertThat(TestServer.json(unnamed).get("headerRow").asInt()).isEqualTo(3);
        assertThat(TestServer.json(unnamed).get("otherLists")).hasToString("[\"April\"]");
        assertStagedThenDelete(token, unnamed, 4);

        HttpResponse<String> named = uploadSheet(token, "April", file);
        assertThat(TestServer.json(named).get("sheet").asText()).isEqualTo("April");
        assertThat(TestServer.json(named).get("otherLists")).hasToString("[\"People\"]");
        // the reports of a workbook's lists are told apart by the sheet's name
        String namedId = TestServer.json(named).get("id").asText();
        Workbooks.settled(server, token, namedId);
        assertThat(server.get("/api/v1/uploads/" + namedId + "/report.csv?status=all", token)
                        .headers()
                        .firstValue("Content-Disposition"))
                .hasValueSatisfying(d -> assertThat(d).endsWith("-April-all.csv\""));
        assertStagedThenDelete(token, named, 2);
    }

    /** A sheet is named exactly first: " Data" beside "Data" is read, not the sheet of the name without its space. */
    @Test
    void upload_namedSheet_exactNameFirst() {
        String token = server.clerkToken("spaced");
        Map<String, List<String[]>> sheets = new LinkedHashMap<>();
        sheets.put("Data", Workbooks.people(9100, 1));
        sheets.put(" Data", Workbooks.people(9200, 2));
        byte[] file = Workbooks.xlsx(sheets);

        HttpResponse<String> unnamed = Workbooks.upload(server, token, file);
        assertThat(TestServer.json(unnamed).get("otherLists")).hasToString("[\" Data\"]");
        HttpResponse<String> spaced = uploadSheet(token, "%20Data", file);
        assertThat(TestServer.json(spaced).get("sheet").asText()).isEqualTo(" Data");
        assertStagedThenDelete(token, spaced, 2);
        // no sheet of the exact name: case and outer spaces aside
        HttpResponse<String> loose = uploadSheet(token, "data%20%20", file);
        assertThat(TestServer.json(loose).get("sheet").asText()).isEqualTo("Data");
        assertStagedThenDelete(token, loose, 1);
        assertStagedThenDelete(token, unnamed, 1);
    }

    /** POSTs the workbook as the raw body, naming the sheet to read ({@code sheet} as it goes in the query). */
    private static HttpResponse<String> uploadSheet(String token, String sheet, byte[] file) {
        return server.send(server.request("/api/v1/uploads?sheet=" + sheet, token)
                .header("Content-Type", Workbooks.XLSX)
                .POST(HttpRequest.BodyPublishers.ofByteArray(file))
                .build());
    }

    /** The upload was accepted and holds {@code records} records once validated; it is deleted. */
    private static void assertStagedThenDelete(String token, HttpResponse<String> upload, long records) {
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
        String id = TestServer.json(upload).get("id").asText();
        JsonNode settled = Workbooks.settled(server, token, id);
        assertThat(settled.get("totals").get("records").asLong()).isEqualTo(records);
        // the summary read later names the same sheets as the 202
        assertThat(settled.get("otherLists")).isEqualTo(TestServer.json(upload).get("otherLists"));
        server.delete("/api/v1/uploads/" + id, token);
    }

    @Test
    void upload_tooLarge() {
        byte[] big = new byte[300_000];
        new Random(2).nextBytes(big);
        String token = server.clerkToken("large");

        HttpResponse<String> raw = Workbooks.upload(server, token, big);
        HttpResponse<String> multipart = server.postMultipart("/api/v1/uploads", token, "file", "big.xlsx", big);

        assertThat(Workbooks.problemCode(raw, 413)).isEqualTo("file.too_large");
        assertThat(Workbooks.problemCode(multipart, 413)).isEqualTo("file.too_large");
        assertThat(TestServer.json(raw).get("limit").asLong()).isEqualTo(200_000);
        assertThat(TestServer.json(multipart).get("limitName").asText()).isEqualTo("maxBytes");
        assertThat(TestServer.json(server.get("/api/v1/uploads", token))).isEmpty();
    }

    /**
     * The body is read into an array of its declared length, or grown when no length is declared (chunked): a body
     * of exactly the limit is read whole, one byte more is refused, with or without a declared length.
     */
    @Test
    void upload_limitIsExactWithOrWithoutALength() {
        String token = server.clerkToken("exact");
        byte[] workbook = Workbooks.xlsx(Workbooks.people(1, 4));
        // the workbook padded up to the limit, and one byte past it
        byte[] atLimit = padded(workbook, 200_000);
        byte[] overLimit = padded(workbook, 200_001);
        assertThat(atLimit).hasSize(200_000);
        assertThat(overLimit).hasSize(200_001);

        for (boolean chunked : new boolean[] {false, true}) {
            assertStagedThenDelete(token, uploadBody(token, atLimit, chunked), 4);

            HttpResponse<String> over = uploadBody(token, overLimit, chunked);
            assertThat(Workbooks.problemCode(over, 413))
                    .as("chunked %s", chunked)
                    .isEqualTo("file.too_large");
        }
    }

    private static HttpResponse<String> uploadBody(String token, byte[] body, boolean chunked) {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return server.send(server.request("/api/v1/uploads?fileName=people.xlsx", token)
                .header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .POST(publisher)
                .build());
    }

    /** The workbook with a stored part of spaces that no relationship names, making it {@code size} bytes long. */
    private static byte[] padded(byte[] xlsx, int size) {
        return repacked(xlsx, size - repacked(xlsx, 0).length);
    }

    private static byte[] repacked(byte[] xlsx, int padding) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // the library's zip reader: fastexcel writes stored entries with data descriptors, which ZipInputStream refuses
        try (ZipFile in = ZipFile.builder()
                        .setSeekableByteChannel(new SeekableInMemoryByteChannel(xlsx))
                        .get();
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipArchiveEntry e : Collections.list(in.getEntries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            byte[] spaces = new byte[padding];
            Arrays.fill(spaces, (byte) ' ');
            CRC32 crc = new CRC32();
            crc.update(spaces);
            ZipEntry pad = new ZipEntry("customXml/padding.bin");
            pad.setMethod(ZipEntry.STORED);
            pad.setSize(padding);
            pad.setCompressedSize(padding);
            pad.setCrc(crc.getValue());
            out.putNextEntry(pad);
            out.write(spaces);
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * More rows than the row limit, counted before reading (a sheet the zip pass inflates, a CSV file's lines), is
     * refused before the 202 and stages nothing; rows formatted below the last record do not count against it.
     */
    @Test
    void upload_tooManyRowsRefusedBeforeStaging() {
        String token = server.clerkToken("many");
        for (HttpResponse<String> r : List.of(
                Workbooks.upload(server, token, Workbooks.xlsx(Workbooks.people(1, 25))),
                Workbooks.uploadCsv(server, token, Workbooks.csv(Workbooks.people(1, 25))))) {
            assertThat(Workbooks.problemCode(r, 400)).isEqualTo("file.too_many_rows");
            assertThat(TestServer.json(r).get("limitName").asText()).isEqualTo("maxRows");
        }
        assertThat(TestServer.json(server.get("/api/v1/uploads", token))).isEmpty();

        StringBuilder formatted = Workbooks.csv(Workbooks.people(100, 3)).append(",,,,\n".repeat(40));
        String id = TestServer.json(Workbooks.uploadCsv(server, token, formatted))
                .get("id")
                .asText();
        JsonNode summary = Workbooks.settled(server, token, id);
        assertThat(summary.get("status").asText()).isEqualTo("validated");
        assertThat(summary.get("totals").get("records").asLong()).isEqualTo(3);
        server.delete("/api/v1/uploads/" + id, token);
    }

    @Test
    void upload_wrongContentTypeOrPart() {
        String token = server.clerkToken("types");
        byte[] good = Workbooks.xlsx(Workbooks.people(1, 2));
        HttpResponse<String> json = server.postJson("/api/v1/uploads", token, "{}");
        HttpResponse<String> part = server.postMultipart("/api/v1/uploads", token, "usersfile", "a.xlsx", good);

        assertThat(Workbooks.problemCode(json, 415)).isEqualTo("request.unsupported_media_type");
        assertThat(Workbooks.problemCode(part, 400)).isEqualTo("request.missing_file");
        HttpResponse<String> octet = server.send(server.request("/api/v1/uploads", token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(good))
                .build());
        assertThat(octet.statusCode()).as(octet.body()).isEqualTo(202);
        server.delete("/api/v1/uploads/" + TestServer.json(octet).get("id").asText(), token);
    }

    @Test
    void upload_stagingFull() {
        String token = server.clerkToken("full");
        byte[] file = Workbooks.xlsx(Workbooks.people(1, 3));
        String first = Workbooks.accepted(server, token, file);
        String second = Workbooks.accepted(server, token, file);

        HttpResponse<String> third = Workbooks.upload(server, token, file);

        assertThat(Workbooks.problemCode(third, 503)).isEqualTo("staging.full");
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(TestServer.json(server.get("/api/v1/uploads", token))).hasSize(2);
        Workbooks.settled(server, token, second);
        assertThat(server.delete("/api/v1/uploads/" + first, token).statusCode())
                .isEqualTo(204);
        String fourth = Workbooks.accepted(server, token, file);
        assertThat(Workbooks.settled(server, token, fourth).get("status").asText())
                .isEqualTo("validated");
        server.delete("/api/v1/uploads/" + second, token);
        server.delete("/api/v1/uploads/" + fourth, token);
    }

    @Test
    void upload_recordBudgetSharedByAll() {
        // each upload reserves the 15 rows its sheet holds (not MAX_ROWS 20); 100 records in all fit 6 of them
        byte[] file = Workbooks.xlsx(Workbooks.people(1, 15));
        List<String> ids = new ArrayList<>();
        List<String> owners = List.of("b1", "b2", "b3", "b4", "b5", "b6", "b7");
        HttpResponse<String> refused = null;
        for (String owner : owners) {
            HttpResponse<String> r = Workbooks.upload(server, server.clerkToken(owner), file);
            if (r.statusCode() == 202) {
                ids.add(owner + "/" + TestServer.json(r).get("id").asText());
            } else {
                refused = r;
                break;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(Workbooks.problemCode(refused, 503)).isEqualTo("staging.full");
        assertThat(ids).hasSize(6);
        for (String ownerAndId : ids) {
            String[] p = ownerAndId.split("/");
            server.delete("/api/v1/uploads/" + p[1], server.clerkToken(p[0]));
        }
    }
}
