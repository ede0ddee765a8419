package rw.intake.excel;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import rw.intake.validation.RawRecord;

/**
 * Fuzzes {@link SheetReader} with Jazzer: whatever the bytes, reading a workbook either yields records or throws an
 * {@link IngestException}; any other throwable, a hang or running out of memory is a finding.
 *
 * <p>In a normal build ({@code mvn verify}) each target runs once per committed input under
 * {@code src/test/resources/rw/intake/excel/ReaderFuzzTestInputs/<method>/} (regression mode). A real fuzzing run of
 * one target, from the repository root, for the {@code maxDuration} of its annotation:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl excel-ingest -am test -Dtest='ReaderFuzzTest#open_generatedParts' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * <p>(or {@code #open_anyBytes}). Inputs that grow coverage are kept under {@code excel-ingest/.cifuzz-corpus/};
 * a finding is written to the inputs directory above, where it becomes a regression test. Copy the interesting
 * corpus entries there too.
 */
final class ReaderFuzzTest {

    /** Small limits so that one input stays cheap; the checks they guard are the same as with the defaults. */
    private static final SheetReader READER = SheetReader.builder()
            .limits(new ReadLimits(1024 * 1024, 8L * 1024 * 1024, 2_000))
            .build();

    /** Arbitrary bytes: mostly not a zip at all, or a zip with broken entries. */
    @FuzzTest(maxDuration = "30m")
    void open_anyBytes(byte[] bytes) {
        readAll(bytes);
    }

    /**
     * A well-formed zip of a workbook whose sheet, shared strings and styles XML are fuzzed, so the mutations reach
     * the XML parsing and the cell conversion rather than dying on a zip checksum.
     */
    @FuzzTest(maxDuration = "30m")
    @DictionaryEntries({
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        "<sheetData>",
        "</sheetData>",
        "<row r=\"1\">",
        "<row r=\"2\">",
        "</row>",
        "<c r=\"A1\" t=\"s\">",
        "<c r=\"B2\" t=\"inlineStr\"><is><t>",
        "</t></is></c>",
        "<v>",
        "</v>",
        "</c>",
        "t=\"n\"",
        "t=\"b\"",
        "t=\"d\"",
        "t=\"e\"",
        "t=\"str\"",
        "s=\"1\"",
        "<f>",
        "<dimension ref=\"A1:E9\"/>",
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        "<si><t>",
        "</t></si>",
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        "<numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>",
        "<cellXfs><xf numFmtId=\"14\"/>",
        "names",
        "nid",
        "phone_number",
        "gender",
        "email",
        "1199880012345678",
        "0788123456",
        "<!DOCTYPE",
        "&amp;",
        "&#x1F600;",
        "1E+308",
        "-0",
        "NaN"
    })
    void open_generatedParts(FuzzedDataProvider data) {
        Xlsx book = Xlsx.workbook();
        if (data.consumeBoolean()) {
            book.part(
                    "xl/sharedStrings.xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                    data.consumeString(2_000));
        }
        if (data.consumeBoolean()) {
            book.part(
                    "xl/styles.xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
                    data.consumeString(1_000));
        }
        String sheetName = data.consumeBoolean() ? "Sheet1" : data.consumeString(40);
        book.sheetXml(sheetName, data.consumeRemainingAsString());
        readAll(book.bytes());
    }

    private static void readAll(byte[] bytes) {
        try (SheetRecords sheet = READER.open(bytes);
                Stream<RawRecord> records = sheet.records()) {
            records.forEach(r -> {});
        } catch (IngestException expected) {
            // the only way the reader may refuse a workbook
        }
    }
}
