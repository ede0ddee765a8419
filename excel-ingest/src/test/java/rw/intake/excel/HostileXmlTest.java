package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.validation.RawRecord;

/**
 * fastexcel-reader parses with Aalto StAX, DTD support and external entities switched off. These files prove it:
 * Aalto refuses any general entity reference in that mode ("operation not (yet) implemented"), so the workbook is
 * refused as corrupt, no local file is read and nothing is expanded.
 */
final class HostileXmlTest {

    private static final String MARKER = "MARKER-7f3a9c-SECRET";

    @TempDir
    Path dir;

    /** What reading produced: the records read, or the refusal. */
    private record Outcome(List<RawRecord> records, Throwable failure) {
        String text() {
            return records + " " + (failure == null ? "" : failure.getMessage() + " " + failure.getCause());
        }
    }

    private static Outcome readAll(byte[] xlsx) {
        List<RawRecord> records = new ArrayList<>();
        Throwable failure = catchThrowable(() -> {
            try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
                sheet.records().forEach(records::add);
            }
        });
        return new Outcome(records, failure);
    }

    private String fileUri() throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, MARKER, StandardCharsets.UTF_8);
        return secret.toUri().toString();
    }

    private static String worksheet(String doctype, String sheetData) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + doctype + "<worksheet xmlns=\"" + Xlsx.SHEET_NS
                + "\"><sheetData>" + sheetData + "</sheetData></worksheet>";
    }

    /**
     * A tag of more attributes than any spreadsheet program writes (namespace declarations, which the XML parser checks
     * each against every one before it) is refused by the zip pass; the most it allows are read.
     */
    @Test
    void open_tagWithTooManyAttributesIsRefused() {
        for (int count : new int[] {999, 1_000}) {
            StringBuilder ns = new StringBuilder();
            for (int i = 0; i < count; i++) {
                ns.append(" xmlns:n").append(i).append("=\"urn:n").append(i).append('"');
            }
            String sheet = worksheet(
                            "", header(1) + row(2, "Ana Uwase", "1199070012345601", "0788123456", "F", "a@b.rw"))
                    .replace("<worksheet ", "<worksheet" + ns + " ");
            Outcome outcome = readAll(Xlsx.workbook().sheetXml("S", sheet).bytes());
            if (count < 1_000) {
                assertThat(outcome.failure()).isNull();
                assertThat(outcome.records()).hasSize(1);
            } else {
                assertThat(outcome.failure())
                        .isInstanceOf(IngestException.class)
                        .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                        .hasMessageContaining("has a tag with more than 1000 attributes");
            }
        }
    }

    @Test
    void open_externalEntityInSheetIsNotResolved() throws IOException {
        String doctype = "<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"" + fileUri() + "\">]>";
        byte[] xlsx = Xlsx.workbook()
                .sheetXml(
                        "S",
                        worksheet(
                                doctype, header(1) + row(2, "&xxe;", "1199070012345601", "0788123456", "F", "a@b.rw")))
                .bytes();

        Outcome outcome = readAll(xlsx);

        assertThat(outcome.text()).doesNotContain(MARKER);
        assertThat(outcome.failure())
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
    }

    @Test
    void open_externalEntityInSharedStringsIsNotResolved() throws IOException {
        String sst = "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM \"" + fileUri() + "\">]><sst xmlns=\""
                + Xlsx.SHEET_NS + "\"><si><t>&xxe;</t></si></sst>";
        byte[] xlsx = Xlsx.workbook()
                .part(
                        "xl/sharedStrings.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                        sst)
                .sheet("S", header(1) + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>")
                .bytes();

        Outcome outcome = readAll(xlsx);

        assertThat(outcome.text()).doesNotContain(MARKER);
        assertThat(outcome.failure())
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
    }

    @Test
    void open_externalDtdIsNotFetched() throws IOException {
        Path dtd = dir.resolve("evil.dtd");
        Files.writeString(dtd, "<!ENTITY leak \"" + MARKER + "\">", StandardCharsets.UTF_8);
        String doctype = "<!DOCTYPE worksheet SYSTEM \"" + dtd.toUri() + "\">";
        byte[] xlsx = Xlsx.workbook()
                .sheetXml("S", worksheet(doctype, header(1) + row(2, "&leak;", "1", "2", "F", "a@b.rw")))
                .bytes();

        Outcome outcome = readAll(xlsx);

        assertThat(outcome.text()).doesNotContain(MARKER);
        assertThat(outcome.failure())
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
    }

    @Test
    void open_billionLaughsIsNotExpanded() {
        StringBuilder doctype = new StringBuilder("<!DOCTYPE worksheet [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            doctype.append("<!ENTITY lol")
                    .append(i)
                    .append(" \"")
                    .append(("&lol" + (i - 1) + ";").repeat(10))
                    .append("\">");
        }
        doctype.append("]>");
        byte[] xlsx = Xlsx.workbook()
                .sheetXml("S", worksheet(doctype.toString(), header(1) + row(2, "&lol9;", "1", "2", "F", "a@b.rw")))
                .bytes();

        Outcome outcome = readAll(xlsx);

        assertThat(outcome.text()).doesNotContain("lollollol");
        assertThat(outcome.failure())
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
    }

    /** Found by {@link ReaderFuzzTest}: fastexcel sizes a row by its largest column (150 million entries here). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "<c r=\"NAMESE1\" t=\"inlineStr\"><is><t>x</t></is></c>",
                "<c t=\"inlineStr\" r = 'xfda1'><is><t>x</t></is></c>",
                "<c r=\"&#65;&#65;&#65;&#65;1\"><v>1</v></c>"
            })
    void open_cellBeyondTheLastColumn_corruptAtOnce(String cell) {
        byte[] xlsx = Xlsx.ofSheetData(header(1) + "<row r=\"2\">" + cell + "</row>");

        assertThatThrownBy(() -> SheetReader.defaults().open(xlsx))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                .hasMessage("The workbook cannot be read: the part xl/worksheets/sheet1.xml has a cell reference beyond"
                        + " the last column (XFD). Open it in Excel, save it again and upload the new file.");
    }

    @Test
    void open_cellInColumnXfd_read() {
        byte[] far = Xlsx.ofSheetData(header(1) + row(2, "Uwase Aline", "1199880012345678", "0788123456", "F", "a@b.rw")
                + "<row r=\"3\"><c r=\"XFD3\" t=\"inlineStr\"><is><t>x</t></is></c></row>");

        assertThat(SheetRecordsTestSupport.readAll(far)).hasSize(1);
    }
}
