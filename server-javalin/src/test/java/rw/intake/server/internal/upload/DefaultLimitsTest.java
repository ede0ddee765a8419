package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import rw.intake.excel.ReadLimits;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;

/**
 * The default limits take what a spreadsheet program writes: a 1,000,000-row list saved the way LibreOffice saves it
 * (every text in the shared-strings part, a style on every cell, verbose row attributes) is over 50 MiB and is
 * accepted with the defaults. The upload is deleted once accepted; its validation is not awaited.
 */
final class DefaultLimitsTest {
    private static final int ROWS = 1_000_000;

    @Test
    void upload_millionRowsSpreadsheetStyle_accepted() {
        byte[] xlsx = spreadsheetStyle(SampleSpec.of(ROWS, 12));
        assertThat(xlsx.length).isGreaterThan(50 * 1024 * 1024).isLessThan((int) ReadLimits.DEFAULT_MAX_BYTES);

        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("big-sheet");
            HttpResponse<String> r = Workbooks.upload(server, token, xlsx);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(server.delete(
                                    "/api/v1/uploads/"
                                            + TestServer.json(r).get("id").asText(),
                                    token)
                            .statusCode())
                    .isEqualTo(204);
        }
    }

    /**
     * A workbook whose first cell names the last of 1,600,000 shared strings of 200 characters: 320 MB of text in a zip
     * of a few MB, under the inflate limit. Read whole, they ran the heap out (a 500). The default bound of the shared
     * strings refuses it as {@code file.too_large} ({@code maxSharedStringsBytes}) while the header is looked for, and
     * the server serves on.
     */
    @Test
    void upload_sharedStringsOfHundredsOfMegabytes_tooLarge_serverServesOn() {
        byte[] xlsx = spreadsheetStyle(SampleSpec.of(10, 12), 1_600_000, 200);
        assertThat(xlsx.length).isLessThan(16 * 1024 * 1024);

        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("many-strings");
            HttpResponse<String> r = Workbooks.upload(server, token, xlsx);

            assertThat(Workbooks.problemCode(r, 413)).isEqualTo("file.too_large");
            assertThat(TestServer.json(r).get("limitName").asText()).isEqualTo("maxSharedStringsBytes");
            assertThat(TestServer.json(r).get("limit").asLong())
                    .isEqualTo(Math.min(
                            ReadLimits.DEFAULT_MAX_SHARED_STRINGS_BYTES,
                            Runtime.getRuntime().maxMemory() / 6));
            String other = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(0, 1_000)));
            assertThat(Workbooks.settled(server, token, other).get("status").asText())
                    .isEqualTo("validated");
        }
    }

    static byte[] spreadsheetStyle(SampleSpec spec) {
        return spreadsheetStyle(spec, 0, 0);
    }

    /**
     * The spec's records as a spreadsheet program lays them out: texts in {@code xl/sharedStrings.xml} (one entry per
     * text cell, in sheet order), numbers as numbers, a style on every cell. The sheet is written first, the strings
     * after it from a second pass over the same (deterministic) records, so that no table is held in memory. The
     * strings start with {@code unused} items that no cell names, of {@code unusedLength} characters.
     */
    static byte[] spreadsheetStyle(SampleSpec spec, int unused, int unusedLength) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024 * 1024);
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            if (unused > 0) {
                zip.setLevel(Deflater.BEST_SPEED); // hundreds of MB of one pattern
            }
            Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
            entry(
                    zip,
                    w,
                    "[Content_Types].xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\""
                            + "http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
                            + "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\""
                            + " ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\""
                            + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName="
                            + "\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml."
                            + "styles+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd."
                            + "openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/"
                            + "sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml."
                            + "sharedStrings+xml\"/></Types>");
            entry(
                    zip,
                    w,
                    "_rels/.rels",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://"
                            + "schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"
                            + "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/"
                            + "workbook.xml\"/></Relationships>");
            entry(
                    zip,
                    w,
                    "xl/workbook.xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://"
                            + "schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"
                            + "officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" state=\"visible\""
                            + " r:id=\"rId2\"/></sheets></workbook>");
            entry(
                    zip,
                    w,
                    "xl/_rels/workbook.xml.rels",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
                            + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
                            + "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\""
                            + "styles.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
                            + "2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId3\" Type="
                            + "\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\""
                            + "sharedStrings.xml\"/></Relationships>");
            entry(
                    zip,
                    w,
                    "xl/styles.xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"http://"
                            + "schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\""
                            + " formatCode=\"General\"/></numFmts><fonts count=\"1\"><font><sz val=\"10\"/><name val=\"Arial\"/>"
                            + "</font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill>"
                            + "<patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border><left/><right/>"
                            + "<top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"164\" "
                            + "fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"164\""
                            + " fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"1\" fontId=\"0\" fillId=\"0\""
                            + " borderId=\"0\" xfId=\"0\" applyNumberFormat=\"true\"/></cellXfs></styleSheet>");
            zip.putNextEntry(new ZipEntry("xl/worksheets/sheet1.xml"));
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas."
                    + "openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"A1:E" + (spec.rows() + 1)
                    + "\"/><sheetFormatPr defaultRowHeight=\"12.8\"/><sheetData>");
            int strings = unused;
            w.write(rowStart(1));
            for (int c = 0; c < Workbooks.HEADER.length; c++) {
                strings = text(w, 1, c, strings);
            }
            w.write("</row>");
            Iterator<SampleRow> rows = SampleWorkbooks.rows(spec).iterator();
            while (rows.hasNext()) {
                SampleRow r = rows.next();
                w.write(rowStart(r.row()));
                strings = text(w, r.row(), 0, strings);
                strings = r.nidNumeric() ? number(w, r.row(), 1, r.nid(), strings) : text(w, r.row(), 1, strings);
                strings = r.phoneNumeric()
                        ? number(w, r.row(), 2, r.phoneNumber(), strings)
                        : text(w, r.row(), 2, strings);
                strings = text(w, r.row(), 3, strings);
                strings = text(w, r.row(), 4, strings);
                w.write("</row>");
            }
            w.write("</sheetData></worksheet>");
            w.flush();
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("xl/sharedStrings.xml"));
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"http://schemas."
                    + "openxmlformats.org/spreadsheetml/2006/main\" count=\"" + strings + "\" uniqueCount=\"" + strings
                    + "\">");
            String filler = "x".repeat(Math.max(0, unusedLength - 10));
            for (int i = 0; i < unused; i++) {
                si(w, String.format(Locale.ROOT, "%010d", i) + filler);
            }
            for (String h : Workbooks.HEADER) {
                si(w, h);
            }
            rows = SampleWorkbooks.rows(spec).iterator();
            while (rows.hasNext()) {
                SampleRow r = rows.next();
                si(w, r.names());
                if (!r.nidNumeric()) {
                    si(w, r.nid());
                }
                if (!r.phoneNumeric()) {
                    si(w, r.phoneNumber());
                }
                si(w, r.gender());
                si(w, r.email());
            }
            w.write("</sst>");
            w.flush();
            zip.closeEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, Writer w, String name, String xml) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        w.write(xml);
        w.flush();
        zip.closeEntry();
    }

    private static String rowStart(int row) {
        return "<row r=\"" + row + "\" spans=\"1:5\" s=\"0\" customFormat=\"false\" ht=\"12.8\" hidden=\"false\" "
                + "customHeight=\"false\" outlineLevel=\"0\" collapsed=\"false\">";
    }

    private static String ref(int row, int column) {
        return (char) ('A' + column) + Integer.toString(row);
    }

    private static int text(Writer w, int row, int column, int index) throws IOException {
        w.write("<c r=\"" + ref(row, column) + "\" s=\"0\" t=\"s\"><v>" + index + "</v></c>");
        return index + 1;
    }

    private static int number(Writer w, int row, int column, String value, int index) throws IOException {
        w.write("<c r=\"" + ref(row, column) + "\" s=\"1\" t=\"n\"><v>" + value + "</v></c>");
        return index;
    }

    private static void si(Writer w, String text) throws IOException {
        w.write("<si><t xml:space=\"preserve\">"
                + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</t></si>");
    }
}
