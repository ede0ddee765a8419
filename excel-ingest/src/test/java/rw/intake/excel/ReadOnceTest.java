package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.excel.internal.ReadBoundaryTest;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.validation.RawRecord;

/**
 * Large parts read once: the zip pass leaves a large deflated part of a sheet's proportions to the reader, which counts
 * what it inflates against the inflate limit and refuses too many rows as it reads; fastexcel-reader reads no row of
 * such a workbook before the pass over those parts is made after all. Here every deflated part is large enough
 * ({@code readOnceFrom} 0), so that small workbooks take that path.
 */
final class ReadOnceTest {

    private static final ReadLimits LIMITS = ReadLimits.defaults();

    /** What a reader made of a workbook: a refusal, or the header and every record. */
    private record Outcome(
            String refusal, SheetHeader header, List<RawRecord> records, long blankRows, long rowsRead) {}

    private static Outcome read(byte[] bytes, ReadLimits limits, long readOnceFrom) {
        try (FastexcelSheet sheet = FastexcelSheet.open(bytes, null, limits, readOnceFrom);
                Stream<RawRecord> records = sheet.records()) {
            List<RawRecord> all = records.toList();
            return new Outcome(null, sheet.header(), all, sheet.blankRows(), sheet.rowsRead());
        } catch (IngestException e) {
            return new Outcome(e.code() + ": " + e.getMessage(), null, null, 0, 0);
        }
    }

    /**
     * A number cell of a million digits (a file of a few kilobytes, whose reading as a number would hold a core for
     * many seconds) is refused as corrupt, its sheet read once or checked first.
     */
    @Test
    void aNumberCellOfAMillionDigits_refusedAsCorrupt() {
        byte[] bytes = Xlsx.ofSheetData(
                Xlsx.header(1) + "<row r=\"2\"><c r=\"C2\"><v>" + "9".repeat(1_000_000) + "</v></c></row>");
        for (long readOnceFrom : new long[] {0, PackageCheck.READ_ONCE_FROM}) {
            assertThat(read(bytes, LIMITS, readOnceFrom).refusal())
                    .as("read once from %d", readOnceFrom)
                    .startsWith("file.corrupt: ")
                    .contains("a number cell of 1,000,000 characters");
        }
    }

    /** The workbooks of {@link PlainReaderTest}, as programs write them, each deflated part of them read once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rw.intake.excel.PlainReaderTest#writtenWorkbooks")
    void readOnce_sameOutcomeAsCheckedFirst(String name, byte[] bytes) {
        assertThat(read(bytes, LIMITS, 0)).isEqualTo(read(bytes, LIMITS, PackageCheck.READ_ONCE_FROM));
    }

    /** What follows the rows of a sheet read once is read to the part's end, and must be whole. */
    @ParameterizedTest
    @MethodSource("rw.intake.excel.Xlsx#brokenWorksheetEnds")
    void worksheetBrokenAfterItsRows_readOnce_refusedAfterTheLastRecord(String tail) {
        assertThat(read(Xlsx.sheetEndingWith(tail), LIMITS, 0).refusal())
                .startsWith(IngestException.CORRUPT)
                .contains("after its rows");
    }

    /**
     * A sheet read once whose dimension is a streaming writer's {@code A1} says nothing of its rows: they are not
     * known before it is read (so an upload reserves the most it may stage), not none.
     */
    @Test
    void dimensionA1_readOnce_rowsNotKnown() {
        try (FastexcelSheet sheet = FastexcelSheet.open(streamed(3_000), null, LIMITS, 0)) {
            assertThat(sheet.maxDataRows()).isEqualTo(-1);
            assertThat(sheet.expectedDataRows()).isEqualTo(-1);
            assertThat(sheet.records().count()).isEqualTo(3_000);
        }
    }

    @Test
    void tooManyRows_readOnce_refusedWhileReading() {
        byte[] bytes = SampleWorkbooks.xlsxBytes(SampleSpec.of(1_500, 3));
        ReadLimits limits = new ReadLimits(LIMITS.maxBytes(), LIMITS.maxInflatedBytes(), 1_000);

        try (FastexcelSheet sheet = FastexcelSheet.open(bytes, null, limits, 0)) {
            assertThat(sheet.maxDataRows()).as("not counted before reading").isEqualTo(-1);
            assertThat(sheet.expectedDataRows()).as("by the sheet's dimension").isEqualTo(1_500);
            assertThatThrownBy(() -> sheet.records().count())
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.TOO_MANY_ROWS);
        }
    }

    /** A directory that claims less than the part inflates to: the reader's count, not the claim, decides. */
    @Test
    void inflateLimitPassedWhileReadingOnce_tooLarge_andTheThreadEnds() {
        byte[] honest = SampleWorkbooks.xlsxBytes(SampleSpec.of(30_000, 9));
        String sheet = "xl/worksheets/sheet1.xml";
        long packed = compressedSize(honest, sheet);
        byte[] lying = withDeclaredSize(honest, sheet, packed * 2);
        ReadLimits limits = new ReadLimits(LIMITS.maxBytes(), packed * 3, LIMITS.maxRows());
        assertThat(PackageCheck.inspect(lying, limits, 0).readOnce().entries()).contains(sheet);

        try (FastexcelSheet opened = FastexcelSheet.open(lying, null, limits, 0)) {
            assertThatThrownBy(() -> opened.records().count())
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE)
                    .hasMessageContaining("unpacks to more than");
        }
        assertThat(inflatingThreads()).isEmpty();
        // the pass, made over every part when none is read once, refuses it before reading
        assertThatThrownBy(() -> FastexcelSheet.open(lying, null, limits, Long.MAX_VALUE))
                .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE);
    }

    /**
     * A cell reference past XFD in a part read once: the plain reader leaves such a row to fastexcel-reader, which
     * would allocate a list as long as the column; the pass over the part, made before fastexcel reads, refuses it.
     */
    @Test
    void cellRefBeyondXfd_inPartReadOnce_refusedBeforeFastexcelReadsIt() {
        StringBuilder data = new StringBuilder(Xlsx.header(1));
        for (int r = 2; r < 500; r++) {
            data.append(Xlsx.row(r, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw"));
        }
        data.append("<row r=\"500\"><c r=\"NAMESE500\" t=\"inlineStr\"><is><t>x</t></is></c></row>");
        byte[] bytes = Xlsx.ofSheetData(data.toString());

        try (FastexcelSheet sheet = FastexcelSheet.open(bytes, null, LIMITS, 0)) {
            assertThatThrownBy(() -> sheet.records().count())
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                    .hasMessageContaining("has a cell reference beyond the last column");
        }
        assertThatThrownBy(() -> FastexcelSheet.open(bytes, null, LIMITS))
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                .hasMessageContaining("has a cell reference beyond the last column");
    }

    /** A part whose bytes do not match its CRC: refused by the pass, or by the reader at the part's end. */
    @ParameterizedTest
    @MethodSource("partsWithAWrongCrc")
    void wrongCrc_refusedAtOpen_orAtTheEndOfThePartReadOnce(String part, byte[] honest) {
        byte[] bytes = honest.clone();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = directoryRecord(bytes, part) + 16;
        b.putInt(at, ~b.getInt(at));
        long records = read(honest, LIMITS, 0).records().size();

        assertThatThrownBy(() -> FastexcelSheet.open(bytes, null, LIMITS))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
        try (FastexcelSheet sheet = FastexcelSheet.open(bytes, null, LIMITS, 0)) {
            assertThatThrownBy(() -> sheet.records().count())
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
        }
        assertThat(records).isPositive();
    }

    static Stream<Arguments> partsWithAWrongCrc() {
        return Stream.of(
                Arguments.of("xl/worksheets/sheet1.xml", SampleWorkbooks.xlsxBytes(SampleSpec.of(2_000, 5))),
                Arguments.of("xl/sharedStrings.xml", Xlsx.resource("libreoffice-registrations.xlsx")),
                Arguments.of("xl/sharedStrings.xml", withAnItemNoCellReads()));
    }

    /** Shared strings whose last item no cell reads: read to their end all the same. */
    private static byte[] withAnItemNoCellReads() {
        StringBuilder header = new StringBuilder("<row r=\"1\">");
        for (int c = 0; c < 5; c++) {
            header.append("<c r=\"")
                    .append((char) ('A' + c))
                    .append("1\" t=\"s\"><v>")
                    .append(c)
                    .append("</v></c>");
        }
        String data = header.append("</row>")
                + Xlsx.row(2, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw");
        return Xlsx.workbook()
                .sharedStrings("names", "nid", "phone_number", "gender", "email", "no cell reads this")
                .sheet("S", data)
                .bytes();
    }

    /** A part that claims a zip bomb's ratio is inflated by the pass however large it is. */
    @Test
    void partOfABombsRatio_inflatedByThePass() {
        String padding = "<sheetPr codeName=\"" + "p".repeat(4 * 1024 * 1024) + "\"/>";
        String xml = "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\">" + padding + "<sheetData>" + Xlsx.header(1)
                + Xlsx.row(2, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw")
                + "</sheetData></worksheet>";
        byte[] bytes = Xlsx.workbook().sheetXml("S", xml).bytes();
        assertThat((long) xml.getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(PackageCheck.READ_ONCE_RATIO * compressedSize(bytes, "xl/worksheets/sheet1.xml"));

        PackageCheck.Result checked = PackageCheck.inspect(bytes, LIMITS, 0);

        // only sheets and shared strings are ever read once: the workbook's other parts are inflated by the pass
        assertThat(checked.readOnce().entries()).isEmpty();
        assertThat(checked.mostRows()).isEqualTo(2);
        assertThat(PackageCheck.inspect(bytes, LIMITS, 1024).mostRows()).isEqualTo(2);
        assertThat(PackageCheck.inspect(bytes, LIMITS, 1024).readOnce().entries())
                .isEmpty();
    }

    /**
     * A zip bomb that claims a sheet's proportions: its start shows what it is, and the pass inflates it, refusing it
     * before the 202.
     */
    @Test
    void bombThatLiesAboutItsSize_inflatedByThePass_refusedAtOpen() {
        String xml = "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\"><sheetPr codeName=\"" + "p".repeat(8 * 1024 * 1024)
                + "\"/><sheetData>" + Xlsx.header(1)
                + Xlsx.row(2, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw")
                + "</sheetData></worksheet>";
        byte[] honest = Xlsx.workbook().sheetXml("S", xml).bytes();
        String sheet = "xl/worksheets/sheet1.xml";
        byte[] lying = withDeclaredSize(honest, sheet, compressedSize(honest, sheet) * 2);
        ReadLimits limits = new ReadLimits(LIMITS.maxBytes(), 4L * 1024 * 1024, LIMITS.maxRows());

        assertThat(PackageCheck.inspect(lying, LIMITS, 0).readOnce().entries()).doesNotContain(sheet);
        assertThatThrownBy(() -> FastexcelSheet.open(lying, null, limits, 0))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE);
    }

    @Test
    void defaultThreshold_largeSheetReadOnce_smallOneChecked() {
        byte[] small = SampleWorkbooks.xlsxBytes(SampleSpec.of(2_000, 5));
        byte[] large = SampleWorkbooks.xlsxBytes(SampleSpec.of(120_000, 5));
        assertThat(compressedSize(large, "xl/worksheets/sheet1.xml")).isGreaterThan(PackageCheck.READ_ONCE_FROM);

        assertThat(PackageCheck.inspect(small, LIMITS).mostRows()).isEqualTo(2_001);
        assertThat(PackageCheck.inspect(large, LIMITS).readOnce().entries())
                .containsExactly("xl/worksheets/sheet1.xml");
        assertThat(PackageCheck.inspect(large, LIMITS).mostRows()).isEqualTo(-1);
        try (SheetRecords sheet = SheetReader.defaults().open(large)) {
            assertThat(sheet.maxDataRows()).isEqualTo(-1);
            assertThat(sheet.expectedDataRows()).as("by the sheet's dimension").isEqualTo(120_000);
            assertThat(sheet.records().count()).isEqualTo(120_000);
            assertThat(sheet.rowsRead()).isEqualTo(120_000);
        }
    }

    /**
     * From 1 MiB, a sheet that declares its range of rows (as spreadsheet programs and the generator write it) is read
     * once, its upload sized by that range; below 4 MiB, one that does not (a streaming writer's dimension {@code A1})
     * has its rows counted by the pass before the 202, as its size is all that would tell them.
     */
    @Test
    void midSizeSheet_readOnceWhenItDeclaresItsRows_countedByThePassWhenNot() {
        String part = "xl/worksheets/sheet1.xml";
        byte[] declared = SampleWorkbooks.xlsxBytes(SampleSpec.of(60_000, 7));
        byte[] undeclared = streamed(60_000);
        for (byte[] bytes : List.of(declared, undeclared)) {
            assertThat(compressedSize(bytes, part))
                    .isBetween(PackageCheck.READ_ONCE_FROM, PackageCheck.UNDECLARED_READ_ONCE_FROM);
        }

        assertThat(PackageCheck.inspect(declared, LIMITS).readOnce().entries()).containsExactly(part);
        try (SheetRecords sheet = SheetReader.defaults().open(declared)) {
            assertThat(sheet.maxDataRows()).isEqualTo(-1);
            assertThat(sheet.expectedDataRows()).as("by the sheet's dimension").isEqualTo(60_000);
            assertThat(sheet.records().count()).isEqualTo(60_000);
        }

        PackageCheck.Result checked = PackageCheck.inspect(undeclared, LIMITS);
        assertThat(checked.readOnce().entries()).isEmpty();
        assertThat(checked.mostRows()).isEqualTo(60_001);
        try (SheetRecords sheet = SheetReader.defaults().open(undeclared)) {
            assertThat(sheet.maxDataRows()).isEqualTo(60_000);
            assertThat(sheet.expectedDataRows()).isEqualTo(60_000);
            assertThat(sheet.records().count()).isEqualTo(60_000);
        }
    }

    /**
     * The generator's workbook of 30,000 rows of seed 11 (1.55 MB, its sheet read once): a read of its sheet ended
     * inside {@code <pageMargins .../>}, after {@code </sheetData>}, and the check of what follows the rows read the
     * tag's name where the buffer had held it before it moved, and refused the workbook as {@code file.corrupt}.
     */
    @Test
    void generatorWorkbook_seed11_30000Rows_everyRecord() {
        byte[] bytes = SampleWorkbooks.xlsxBytes(SampleSpec.of(30_000, 11).withReferenceYear(2026));
        assertThat(PackageCheck.inspect(bytes, LIMITS).readOnce().entries())
                .containsExactly("xl/worksheets/sheet1.xml");

        try (SheetRecords sheet = SheetReader.defaults().open(bytes);
                Stream<RawRecord> records = sheet.records()) {
            assertThat(records.count()).isEqualTo(30_000);
            assertThat(sheet.blankRows()).isZero();
        }
    }

    /** What the generator (fastexcel) writes after a sheet's rows. */
    private static final String GENERATOR_TAIL = ReadBoundaryTest.GENERATOR_TAIL;

    /**
     * The plain reader's first read of a sheet is the 8 KiB its stream looks at for the root's prefix; the rest of a
     * part under 264 KiB comes with the next. A long cell moves the sheet's tail over that end, so that it falls on
     * every byte of the tail (and a few either side) in turn: each such sheet reads whole, read once or checked first.
     */
    @Test
    void tailCutByTheFirstRead_everyRecord() {
        int firstRead = 8 * 1024;
        String head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"" + Xlsx.SHEET_NS + "\">"
                + "<dimension ref=\"A1:E2\"/><sheetData>" + Xlsx.header(1);
        String rowStart = Xlsx.row(2, "", "1199880012345678", "0788123456", "F", "a@b.rw");
        int withoutPadding = head.length() + rowStart.length() + "</sheetData>".length();
        for (int into = -8; into <= GENERATOR_TAIL.length() + 8; into++) {
            String padding = "Uwase" + "a".repeat(firstRead - into - withoutPadding - "Uwase".length());
            String xml = head + Xlsx.row(2, padding, "1199880012345678", "0788123456", "F", "a@b.rw") + "</sheetData>"
                    + GENERATOR_TAIL;
            assertThat(xml.indexOf(GENERATOR_TAIL)).isEqualTo(firstRead - into);
            byte[] bytes = Xlsx.workbook().sheetXml("Sheet1", xml).bytes();

            for (long readOnceFrom : new long[] {0, PackageCheck.READ_ONCE_FROM}) {
                Outcome outcome = read(bytes, LIMITS, readOnceFrom);
                assertThat(outcome.refusal())
                        .as("the first read ending %d bytes into the tail", into)
                        .isNull();
                assertThat(outcome.records()).hasSize(1);
                assertThat(outcome.records().get(0).names()).isEqualTo(padding);
            }
        }
    }

    /** A header and {@code rows} people, written by fastexcel's streaming writer (its dimension is {@code A1}). */
    private static byte[] streamed(int rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Workbook wb = new Workbook(out, "ReadOnceTest", "1.0");
            Worksheet ws = wb.newWorksheet("People");
            String[] header = {"names", "nid", "phone_number", "gender", "email"};
            for (int c = 0; c < header.length; c++) {
                ws.value(0, c, header[c]);
            }
            for (int r = 1; r <= rows; r++) {
                ws.value(r, 0, "Person Number");
                ws.value(r, 1, String.format(Locale.ROOT, "11990800%08d", r));
                ws.value(r, 2, String.format(Locale.ROOT, "0788%06d", r));
                ws.value(r, 3, "M");
                ws.value(r, 4, "person" + r + "@example.com");
            }
            wb.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("A1:E");
        return out.toByteArray();
    }

    private static List<Thread> inflatingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("intake-inflate") && t.isAlive())
                .toList();
    }

    /** The entry's central directory record: its offset in the zip. */
    private static int directoryRecord(byte[] zip, String name) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && (b.getShort(i + 28) & 0xFFFF) == wanted.length) {
                String found = new String(zip, i + 46, wanted.length, StandardCharsets.UTF_8);
                if (found.equals(name)) {
                    return i;
                }
            }
        }
        throw new AssertionError("no directory record for " + name);
    }

    private static long compressedSize(byte[] zip, String name) {
        return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(directoryRecord(zip, name) + 20)
                & 0xFFFFFFFFL;
    }

    /** The zip with the entry's inflated size in its directory record set to {@code size}. */
    private static byte[] withDeclaredSize(byte[] zip, String name, long size) {
        byte[] copy = zip.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(directoryRecord(copy, name) + 24, (int) size);
        return copy;
    }
}
