package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.internal.PackageCheck;

/**
 * The row count and the cell reference watch of {@link PackageCheck#inspect} where the bytes they look for straddle
 * two inflate buffers: the sheet is padded so that the token starts {@code before} bytes ahead of the end of the first
 * {@link PackageCheck#BUFFER} bytes (a stored part is read, and a part this compressible is inflated, in full buffers),
 * for every {@code before} up to the token's length, deflated and stored.
 */
final class PackageCheckBoundaryTest {

    @ParameterizedTest
    @CsvSource({
        "<row r=\"2\"/>, 2",
        "<x:row r=\"2\"/>, 2",
        "<x:row\tr=\"2\"></x:row>, 2",
        "<row></row>, 2",
        "<rowBreaks count=\"1\"/>, 1",
        "<x:rows/>, 1",
        "<arrow r=\"2\"/>, 1"
    })
    void inspect_rowAcrossBuffers_countedAsWhole(String token, long rows) {
        for (int before = 0; before <= token.length(); before++) {
            for (boolean stored : new boolean[] {false, true}) {
                byte[] xlsx = workbook(sheet(token, before), stored);

                assertThat(PackageCheck.inspect(xlsx, ReadLimits.defaults()).mostRows())
                        .as("%s starting %d bytes before the buffer's end, stored %s", token, before, stored)
                        .isEqualTo(rows);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<c r=\"NAMESE2\"/>", "<c\tr = 'xfda2'/>", "<c r=\"&#65;&#65;&#65;&#65;2\"/>"})
    void inspect_cellRefBeyondXfdAcrossBuffers_corrupt(String token) {
        for (int before = 0; before <= token.length(); before++) {
            for (boolean stored : new boolean[] {false, true}) {
                byte[] xlsx = workbook(sheet(token, before), stored);

                assertThatThrownBy(() -> PackageCheck.inspect(xlsx, ReadLimits.defaults()))
                        .as("%s starting %d bytes before the buffer's end, stored %s", token, before, stored)
                        .isInstanceOf(IngestException.class)
                        .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                        .hasMessageContaining("the part xl/worksheets/sheet1.xml has a cell reference beyond");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<c r=\"XFD2\"/>", "<c r=\"A2\" rr=\"ABCDE\"/>", "<c s=\"ABCD\" r='ZZ2'/>"})
    void inspect_cellRefWithinXfdAcrossBuffers_accepted(String token) {
        for (int before = 0; before <= token.length(); before++) {
            byte[] xlsx = workbook(sheet(token, before), false);

            assertThat(PackageCheck.inspect(xlsx, ReadLimits.defaults()).mostRows())
                    .as("%s starting %d bytes before the buffer's end", token, before)
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"<c r=\"NAMESE2\"/>, true", "<c r=\"XFD2\"/>, false"})
    void inspect_utf16Sheet_readAsItsAscii(String token, boolean refused) {
        String xml = "<worksheet><sheetData><row r=\"1\">" + token + "</row></sheetData></worksheet>";
        // UTF-16LE of ASCII is the ASCII with a zero byte after each character: the same bytes as this UTF-8
        String utf16 = new String(xml.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1);
        byte[] xlsx = workbook(utf16, false);

        if (refused) {
            assertThatThrownBy(() -> PackageCheck.inspect(xlsx, ReadLimits.defaults()))
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
        } else {
            // UTF-16 is read by its characters: its rows are counted as UTF-8's are
            assertThat(PackageCheck.inspect(xlsx, ReadLimits.defaults()).mostRows())
                    .isEqualTo(1);
        }
    }

    /**
     * A sheet of one row, then {@code token} starting {@code before} bytes ahead of the end of the first inflate
     * buffer, then more than a buffer's worth of padding.
     */
    private static String sheet(String token, int before) {
        String head =
                "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\" xmlns:x=\"" + Xlsx.SHEET_NS + "\"><sheetPr codeName=\"";
        String tail = "\"/><sheetData><row r=\"1\"><c r=\"A1\"/></row>";
        int pad = PackageCheck.BUFFER - before - head.length() - tail.length();
        String xml = head + "p".repeat(pad) + tail + token + "</sheetData><headerFooter><oddHeader>"
                + "h".repeat(PackageCheck.BUFFER) + "</oddHeader></headerFooter></worksheet>";
        assertThat(xml.indexOf(token)).isEqualTo(PackageCheck.BUFFER - before);
        return xml;
    }

    private static byte[] workbook(String sheetXml, boolean stored) {
        byte[] deflated = Xlsx.workbook().sheetXml("S", sheetXml).bytes();
        return stored ? Xlsx.stored(deflated) : deflated;
    }
}
