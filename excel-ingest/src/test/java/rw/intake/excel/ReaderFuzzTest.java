package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import rw.intake.excel.internal.FastexcelSheet;
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
    @DictionaryFile(resourcePath = "workbook-xml.dict")
    void open_generatedParts(FuzzedDataProvider data) {
        readAll(generatedParts(data));
    }

    /**
     * The same workbooks read by the plain reader and by fastexcel-reader alone: the same header, records, blank rows
     * and rows read, or the same refusal ({@code PlainReaderTest} has the cases written by hand).
     */
    @FuzzTest(maxDuration = "30m")
    @DictionaryFile(resourcePath = "workbook-xml.dict")
    void plainReader_agreesWithFastexcel(FuzzedDataProvider data) {
        byte[] bytes = generatedParts(data);
        assertThat(outcome(bytes, true)).isEqualTo(outcome(bytes, false));
    }

    private static byte[] generatedParts(FuzzedDataProvider data) {
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
        return book.bytes();
    }

    private static String outcome(byte[] bytes, boolean plain) {
        return outcome(bytes, plain, READER.limits());
    }

    /**
     * Everything a reader made of the workbook, as text: its refusal, or its header, records and counts; the plain
     * reader (falling back to fastexcel-reader) or fastexcel-reader alone.
     */
    static String outcome(byte[] bytes, boolean plain, ReadLimits limits) {
        try (FastexcelSheet sheet = plain
                        ? FastexcelSheet.open(bytes, null, limits)
                        : FastexcelSheet.openWithFastexcelOnly(bytes, null, limits);
                Stream<RawRecord> records = sheet.records()) {
            return sheet.header() + " " + records.toList() + " " + sheet.blankRows() + " " + sheet.rowsRead();
        } catch (IngestException e) {
            return e.code() + ": " + e.getMessage();
        }
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
