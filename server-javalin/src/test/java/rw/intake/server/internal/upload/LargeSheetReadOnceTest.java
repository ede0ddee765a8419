package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/**
 * A sheet large enough to be inflated once, by the reader (decision 15), over real HTTP: accepted before it is read,
 * its rows counted as they are read; a fault the zip pass would have refused before the 202 fails the upload instead,
 * and nothing of it is served.
 */
final class LargeSheetReadOnceTest {
    private static final String SHEET = "xl/worksheets/sheet1.xml";
    private static final int ROWS = 100_000;

    private static TestServer server;
    private static byte[] workbook;

    @BeforeAll
    static void start() {
        // one user may stage 200,000 records: two of these uploads fit, as their dimension says, not the row limit
        server = TestServer.start(Map.of("STAGING_MAX_RECORDS", "400000"));
        workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 21).withInvalidRatio(0.1));
        assertThat(ByteBuffer.wrap(workbook).order(ByteOrder.LITTLE_ENDIAN).getInt(directoryRecord(workbook) + 20))
                .as("the sheet is compressed to more than the 1 MiB from which it is read once")
                .isGreaterThan(1024 * 1024);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void largeSheets_readOnce_everyRowValidated_reservingWhatTheirDimensionSays() {
        String token = server.clerkToken("large");
        String first = Workbooks.accepted(server, token, workbook);
        String second = Workbooks.accepted(server, token, workbook);

        for (String id : new String[] {first, second}) {
            JsonNode summary = Workbooks.settled(server, token, id);
            assertThat(summary.get("status").asText()).isEqualTo("validated");
            JsonNode totals = summary.get("totals");
            assertThat(totals.get("records").asLong() + totals.get("blankRows").asLong())
                    .isEqualTo(summary.get("progress").get("rowsRead").asLong())
                    .isEqualTo(ROWS);
            server.delete("/api/v1/uploads/" + id, token);
        }
    }

    @Test
    void largeSheetWithAWrongCrc_acceptedThenFailed_nothingServed() {
        byte[] damaged = workbook.clone();
        ByteBuffer b = ByteBuffer.wrap(damaged).order(ByteOrder.LITTLE_ENDIAN);
        int crc = directoryRecord(damaged) + 16;
        b.putInt(crc, ~b.getInt(crc));
        String token = server.clerkToken("damaged");
        String id = Workbooks.accepted(server, token, damaged);

        JsonNode summary = Workbooks.settled(server, token, id);

        assertThat(summary.get("status").asText()).isEqualTo("failed");
        assertThat(summary.get("failure").get("code").asText()).isEqualTo("file.corrupt");
        assertThat(Workbooks.problemCode(server.get("/api/v1/uploads/" + id + "/records", token), 409))
                .isEqualTo("upload.failed");
        assertThat(Workbooks.problemCode(server.postJson("/api/v1/uploads/" + id + "/commit", token, ""), 409))
                .isEqualTo("upload.failed");
        server.delete("/api/v1/uploads/" + id, token);
    }

    /**
     * A sheet read once reserves what its dimension says; one without a dimension reserves what one upload may hold at
     * most (not the row limit, which a budget below it could never take), and is read to its end.
     */
    @Test
    void largeSheetWithoutItsDimension_admittedAndRead() {
        String token = server.clerkToken("undeclared");
        String id = Workbooks.accepted(server, token, withDimension(""));

        JsonNode summary = Workbooks.settled(server, token, id);

        assertThat(summary.get("status").asText()).isEqualTo("validated");
        JsonNode totals = summary.get("totals");
        assertThat(totals.get("records").asLong() + totals.get("blankRows").asLong())
                .isEqualTo(ROWS);
        server.delete("/api/v1/uploads/" + id, token);
    }

    /**
     * A sheet that holds more rows than its dimension says, or than one upload may stage, fails as it passes the budget
     * (50,000 records here), rather than taking what the budget does not have.
     */
    @Test
    void largeSheetOverTheBudget_failedWhenItPassesIt() {
        try (TestServer small = TestServer.start(Map.of("STAGING_MAX_RECORDS", "100000"))) {
            String token = small.clerkToken("understated");
            for (String dimension : new String[] {"<dimension ref=\"A1:E3\"/>", ""}) {
                String id = Workbooks.accepted(small, token, withDimension(dimension));

                JsonNode summary = Workbooks.settled(small, token, id);

                assertThat(summary.get("status").asText()).as(dimension).isEqualTo("failed");
                assertThat(summary.get("failure").get("code").asText()).isEqualTo("file.too_many_rows");
                small.delete("/api/v1/uploads/" + id, token);
            }
        }
    }

    /**
     * A sheet that holds more rows than its dimension says takes more of the budget as it is read only while the
     * user's share has room: here 150,000 records a user, 100,000 held by an upload, and a second one that said 2
     * rows fails as staging.full once past the share, and gives back what it took.
     */
    @Test
    void understatedSheetPastTheUsersShare_failedAsStagingFull() {
        try (TestServer small = TestServer.start(Map.of("STAGING_MAX_RECORDS", "300000"))) {
            String token = small.clerkToken("understating");
            String held = Workbooks.accepted(small, token, workbook);
            assertThat(Workbooks.settled(small, token, held).get("status").asText())
                    .isEqualTo("validated");
            String id = Workbooks.accepted(small, token, withDimension("<dimension ref=\"A1:E3\"/>"));

            JsonNode summary = Workbooks.settled(small, token, id);

            assertThat(summary.get("status").asText()).isEqualTo("failed");
            assertThat(summary.get("failure").get("code").asText()).isEqualTo("staging.full");
            assertThat(summary.get("failure").get("detail").asText())
                    .contains("more rows than it declared", "of the 150000 records one user may have staged");
            assertThat(small.get("/metrics", small.adminToken()).body())
                    .containsPattern("(?m)^intake_staging_records 100000(\\.0)?$");
        }
    }

    /** The workbook with its sheet's dimension element replaced (by nothing, or a range that is not the sheet's). */
    private static byte[] withDimension(String dimension) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(workbook))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                parts.put(e.getName(), in.readAllBytes());
            }
            String sheet = new String(parts.get(SHEET), StandardCharsets.UTF_8);
            String changed = sheet.replaceFirst("<dimension [^>]*/>", dimension);
            assertThat(changed).isNotEqualTo(sheet);
            parts.put(SHEET, changed.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                    zip.putNextEntry(new ZipEntry(p.getKey()));
                    zip.write(p.getValue());
                    zip.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sheet's central directory record: its offset in the zip. */
    private static int directoryRecord(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = SHEET.getBytes(StandardCharsets.UTF_8);
        for (int i = zip.length - 46; i >= 0; i--) {
            if (b.getInt(i) == 0x02014b50
                    && (b.getShort(i + 28) & 0xFFFF) == name.length
                    && new String(zip, i + 46, name.length, StandardCharsets.UTF_8).equals(SHEET)) {
                return i;
            }
        }
        throw new AssertionError("no directory record for " + SHEET);
    }
}
