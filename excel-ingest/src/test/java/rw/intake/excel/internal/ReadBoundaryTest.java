package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.IngestException;
import rw.intake.excel.ReadLimits;

/**
 * The plain reader's parts (a worksheet, the shared strings) read whole however the reads of their stream cut them:
 * each part is read once for every offset at which a read may end ({@link Split}), so that every element, and every
 * tag of what follows a sheet's rows, is cut by the end of the buffer once, with the buffer holding bytes before it
 * (which reading more moves to its start).
 */
public final class ReadBoundaryTest {

    private static final String SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /** What the project's generator (fastexcel) writes after a sheet's rows. */
    public static final String GENERATOR_TAIL =
            "<pageMargins bottom=\"0.75\" footer=\"0.3\" header=\"0.3\" left=\"0.7\""
                    + " right=\"0.7\" top=\"0.75\"/><pageSetup paperSize=\"1\" scale=\"100\" fitToWidth=\"1\" fitToHeight=\"1\""
                    + " firstPageNumber=\"0\" useFirstPageNumber=\"false\" blackAndWhite=\"false\" orientation=\"portrait\"/>"
                    + "<headerFooter differentFirst=\"false\" differentOddEven=\"false\"><oddHeader></oddHeader><oddFooter>"
                    + "</oddFooter></headerFooter></worksheet>";

    /** A tail with what else may stand there: white space, a comment, a processing instruction, CDATA. */
    private static final String OTHER_TAIL =
            "\r\n  <pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\""
                    + " header=\"0.3\" footer=\"0.3\" />\n  <!-- a comment after the rows -->"
                    + "<?app-instruction some data for it?><extLst><ext uri=\"{78C0D931-6437-407d-A8EE-F0AAD7539E65}\">"
                    + "<![CDATA[ <not markup> ]]></ext  ></extLst   >\n</worksheet  >\n<!-- after the root -->\n";

    private static String sheet(String tail) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"")
                .append(SHEET_NS)
                .append("\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">")
                .append("<dimension ref=\"A1:E4\"/><sheetViews><sheetView workbookViewId=\"0\"></sheetView>")
                .append("</sheetViews><sheetData>");
        for (int r = 1; r <= 4; r++) {
            xml.append("<row r=\"").append(r).append("\">");
            for (int c = 0; c < 5; c++) {
                String ref = (char) ('A' + c) + Integer.toString(r);
                xml.append("<c r=\"")
                        .append(ref)
                        .append("\" t=\"inlineStr\"><is><t>")
                        .append(ref)
                        .append("</t></is></c>");
            }
            xml.append("</row>");
        }
        return xml.append("</sheetData>").append(tail).toString();
    }

    /** The rows of the sheet, each as its number and its cells' texts; or the refusal. */
    private static List<String> rows(byte[] xml, int at) {
        List<String> rows = new ArrayList<>();
        PlainSheetRows sheet = new PlainSheetRows(
                new Split(xml, at), "xl/worksheets/sheet1.xml", null, new CellValues(false), List.of(), Map.of());
        try {
            while (sheet.advance()) {
                StringBuilder row = new StringBuilder().append(sheet.rowNum());
                for (int c = 0; c < sheet.cellCount(); c++) {
                    row.append(' ').append(sheet.text(c));
                }
                rows.add(row.toString());
            }
        } finally {
            sheet.close();
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {GENERATOR_TAIL, OTHER_TAIL})
    void sheet_readsCutAnywhere_everyRowAndAWholeTail(String tail) {
        byte[] xml = sheet(tail).getBytes(StandardCharsets.UTF_8);
        List<String> whole = rows(xml, xml.length);
        assertThat(whole).hasSize(4).startsWith("1 A1 B1 C1 D1 E1").endsWith("4 A4 B4 C4 D4 E4");

        for (int at = 1; at < xml.length; at++) {
            assertThat(rows(xml, at))
                    .as("a read ending at byte %d of %d", at, xml.length)
                    .isEqualTo(whole);
        }
    }

    /** A tail that is cut short is refused wherever the reads end, as it is when the part is read at once. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\"/><headerFooter><oddHeader></oddHeader>",
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\"/></worksheet><pageMargins left=\"0.7\"/>",
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\"/><headerFooter></oddHeader></worksheet>"
            })
    void brokenTail_readsCutAnywhere_refused(String tail) {
        byte[] xml = sheet(tail).getBytes(StandardCharsets.UTF_8);
        int tailFrom = xml.length - tail.length();
        for (int at = tailFrom - 20; at < xml.length; at++) {
            int cut = at;
            assertThatThrownBy(() -> rows(xml, cut))
                    .as("a read ending at byte %d of %d", at, xml.length)
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                    .hasMessageContaining("after its rows");
        }
    }

    /** The shared strings, read to their end tag (written here with white space in it) and drained. */
    @Test
    void sharedStrings_readsCutAnywhere_everyItemAndTheEnd() {
        StringBuilder sst = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"")
                .append(SHEET_NS)
                .append("\" count=\"6\" uniqueCount=\"6\">");
        List<String> items = List.of("names", "nid", "phone_number", "gender", "email", "Uwase & Mugisha");
        for (String item : items) {
            sst.append("<si><t>").append(item.replace("&", "&amp;")).append("</t></si>");
        }
        byte[] xml = sst.append("</sst   >\n").toString().getBytes(StandardCharsets.UTF_8);

        for (int at = 1; at <= xml.length; at++) {
            SharedStringTable table = SharedStringTable.open(
                    new Split(xml, at), "xl/sharedStrings.xml", ReadLimits.DEFAULT_MAX_SHARED_STRINGS_BYTES);
            try {
                assertThat(table.has(items.size()))
                        .as("a read ending at byte %d of %d", at, xml.length)
                        .isFalse();
                assertThat(table.count()).isEqualTo(items.size());
                for (int i = 0; i < items.size(); i++) {
                    assertThat(table.get(i)).isEqualTo(items.get(i));
                }
            } finally {
                table.close();
            }
        }
    }

    /** The bytes, in reads that never run past {@code at}: the first ends there, the next ones go on from it. */
    private static final class Split extends InputStream {
        private final ByteArrayInputStream in;
        private final int at;
        private int read;

        Split(byte[] bytes, int at) {
            this.in = new ByteArrayInputStream(bytes);
            this.at = at;
        }

        @Override
        public int read() {
            int c = in.read();
            read += c < 0 ? 0 : 1;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = read < at ? Math.min(len, at - read) : len;
            int r = in.read(b, off, n);
            read += Math.max(r, 0);
            return r;
        }
    }
}
