package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.validation.RawRecord;

/**
 * The plain reader (bytes scanned in place) against fastexcel-reader: for every workbook, the same header, records,
 * blank rows and rows read, or the same refusal. Workbooks it supports are read by it to the end; for the others
 * (formulas, comments, rows without numbers, other encodings, ...) fastexcel-reader reads the rows from the first one
 * it does not support, or the whole sheet.
 */
final class PlainReaderTest {

    private static final ReadLimits LIMITS = ReadLimits.defaults();
    private static final String HEADER = Xlsx.header(1);

    /** What a reader made of a workbook: a refusal, or the header and every record. */
    private record Outcome(
            String refusal, SheetHeader header, List<RawRecord> records, long blankRows, long rowsRead) {}

    private static Outcome read(byte[] bytes, boolean plain, boolean[] readPlainly) {
        try (FastexcelSheet sheet = plain
                        ? FastexcelSheet.open(bytes, null, LIMITS)
                        : FastexcelSheet.openWithFastexcelOnly(bytes, null, LIMITS);
                Stream<RawRecord> records = sheet.records()) {
            List<RawRecord> all = records.toList();
            readPlainly[0] = sheet.readPlainly();
            return new Outcome(null, sheet.header(), all, sheet.blankRows(), sheet.rowsRead());
        } catch (IngestException e) {
            return new Outcome(e.code() + ": " + e.getMessage(), null, null, 0, 0);
        }
    }

    /** Reads with both readers, asserts the same outcome, and returns whether the plain reader read every row. */
    private static boolean sameOutcome(byte[] bytes) {
        boolean[] plainly = {false};
        Outcome plain = read(bytes, true, plainly);
        Outcome fastexcel = read(bytes, false, new boolean[1]);
        assertThat(plain).isEqualTo(fastexcel);
        return plainly[0];
    }

    static Stream<Arguments> writtenWorkbooks() {
        SampleSpec spec = SampleSpec.of(2_000, 5).withInvalidRatio(0.3);
        return Stream.of(
                Arguments.of("generator", SampleWorkbooks.xlsxBytes(spec)),
                Arguments.of(
                        "generator: synonyms, extra columns, header on row 4, blank rows",
                        SampleWorkbooks.xlsxBytes(
                                spec.withHeaderVariant(true, true, 3, 4).withBlankRowRatio(0.05))),
                Arguments.of("generator, stored", Xlsx.stored(SampleWorkbooks.xlsxBytes(spec))),
                Arguments.of("LibreOffice", Xlsx.resource("libreoffice-registrations.xlsx")),
                Arguments.of("LibreOffice from CSV", Xlsx.resource("libreoffice-from-csv.xlsx")),
                Arguments.of("POI shared strings", Xlsx.resource("poi-shared-strings.xlsx")),
                Arguments.of("POI streaming inline strings", Xlsx.resource("poi-streaming-inline-strings.xlsx")),
                Arguments.of("hidden rows and columns", Xlsx.resource("layout-hidden.xlsx")),
                Arguments.of("title above the header", Xlsx.resource("layout-title-above-header.xlsx")),
                Arguments.of("instructions sheet first", Xlsx.resource("layout-instructions-first.xlsx")),
                Arguments.of("merged cells", Xlsx.resource("layout-merged-cells.xlsx")),
                Arguments.of("a date in the NID column", Xlsx.resource("layout-date-in-nid.xlsx")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writtenWorkbooks")
    void workbooksAsProgramsWriteThem_areReadPlainly_withFastexcelsOutcome(String name, byte[] bytes) {
        assertThat(sameOutcome(bytes)).as("read by the plain reader to the end").isTrue();
    }

    /** A sheet of several inflate buffers: rows cut by a buffer's end, the entries inflated on a thread of their own. */
    @Test
    void largeSheet_rowsAcrossBuffers_sameOutcome() {
        byte[] bytes = SampleWorkbooks.xlsxBytes(SampleSpec.of(30_000, 9).withInvalidRatio(0.2));
        assertThat(bytes.length).as("compressed enough to be inflated ahead").isGreaterThan(1024 * 1024);

        assertThat(sameOutcome(bytes)).isTrue();
        assertThat(inflatingThreads()).isEmpty();
    }

    @Test
    void inflateLimitPassedWhileInflatingAhead_tooLarge_andTheThreadEnds() {
        byte[] bytes = SampleWorkbooks.xlsxBytes(SampleSpec.of(30_000, 9));
        ReadLimits small = new ReadLimits(LIMITS.maxBytes(), 4L * 1024 * 1024, LIMITS.maxRows());

        assertThatThrownBy(() -> FastexcelSheet.open(bytes, null, small))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE);
        assertThat(inflatingThreads()).isEmpty();
    }

    private static List<Thread> inflatingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("intake-inflate") && t.isAlive())
                .toList();
    }

    static Stream<Arguments> plainSheets() {
        String row = "<row r=\"2\">";
        return Stream.of(
                Arguments.of(
                        "entities and character references",
                        HEADER
                                + Xlsx.row(
                                        2,
                                        "A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos;",
                                        "1199880012345678",
                                        "&#48;788123456",
                                        "&#x46;",
                                        "caf&#233;@example.rw")),
                Arguments.of(
                        "non-ASCII text and an emoji",
                        HEADER + Xlsx.row(2, "Ngabo Ümüt 😀", "1199880012345678", "0788123456", "M", "a@b.rw")),
                Arguments.of(
                        "line ends inside text",
                        HEADER
                                + Xlsx.row(
                                        2, "two\r\nlines\rand\nmore", "1199880012345678", "0788123456", "M", "a@b.rw")),
                Arguments.of(
                        "rich inline text in runs",
                        HEADER + row
                                + "<c r=\"A2\" t=\"inlineStr\"><is><r><rPr><b/><sz val=\"11\"/></rPr><t>Ngabo</t></r>"
                                + "<r><t xml:space=\"preserve\"> Eric</t></r></is></c>"
                                + "<c r=\"B2\"><v>1199880012345678</v></c></row>"),
                Arguments.of(
                        "numbers: exponent, fraction, zero, negative, leading zeros",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\"><v>1.19988001234568E+15</v></c><c r=\"B2\"><v>007</v></c>"
                                + "<c r=\"C2\"><v>-0.50</v></c><c r=\"D2\"><v>0</v></c><c r=\"E2\"><v>100</v></c></row>"),
                Arguments.of(
                        "rows and cells without their references",
                        HEADER.replace("<row r=\"1\">", "<row>").replaceAll(" r=\"[A-E]1\"", "")
                                + "<row><c t=\"inlineStr\"><is><t>A B</t></is></c><c><v>1199880012345678</v></c>"
                                + "<c r=\"D2\" t=\"inlineStr\"><is><t>M</t></is></c>"
                                + "<c t=\"inlineStr\"><is><t>a@b.rw</t></is></c></row>"
                                + "<row r=\"4\"><c t=\"inlineStr\"><is><t>C D</t></is></c></row>"
                                + "<row><c r=\"B5\"><v>1199880012345679</v></c><c><v>788123456</v></c></row>"),
                Arguments.of(
                        "a phonetic run in an inline string",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Jean</t>"
                                + "<rPh sb=\"0\" eb=\"4\"><t>ジャン</t></rPh><phoneticPr fontId=\"1\"/></is></c>"
                                + "<c r=\"B2\" t=\"inlineStr\"><is><r><t>Ngabo</t></r><rPh sb=\"0\" eb=\"1\">"
                                + "<t xml:space=\"preserve\"> ン </t><t/></rPh><rPh/><r><t> Eric</t></r></is></c>"
                                + "</row>"),
                Arguments.of(
                        "booleans, errors, formula strings without formulas",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\" t=\"b\"><v>1</v></c><c r=\"B2\" t=\"b\"><v>0</v></c>"
                                + "<c r=\"C2\" t=\"e\"><v>#N/A</v></c><c r=\"D2\" t=\"str\"><v> x </v></c>"
                                + "<c r=\"E2\" t=\"b\"><v></v></c></row>"),
                Arguments.of(
                        "empty and self-closing cells and values",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\"/><c r=\"B2\"><v/></c><c r=\"C2\" t=\"s\"/>"
                                + "<c r=\"D2\" t=\"inlineStr\"/><c r=\"E2\"><v></v></c></row>"
                                + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x</t></is></c></row>"),
                Arguments.of(
                        "blank rows, self-closing rows, gaps",
                        HEADER + "<row r=\"2\"/><row r=\"3\"></row>"
                                + Xlsx.row(5, "A B", "1199880012345678", "0788123456", "M", "a@b.rw")
                                + "<row r=\"6\"/>"),
                Arguments.of(
                        "cells out of column order, a column twice",
                        HEADER
                                + "<row r=\"2\"><c r=\"E2\" t=\"inlineStr\"><is><t>e@x.rw</t></is></c>"
                                + "<c r=\"A2\" t=\"inlineStr\"><is><t>first</t></is></c>"
                                + "<c r=\"A2\" t=\"inlineStr\"><is><t>second</t></is></c></row>"),
                Arguments.of(
                        "extra attributes and white space in tags",
                        HEADER
                                + "<row   r = '2' spans=\"1:5\" ht=\"15\"  >\n  <c r='A2' s=\"0\"  t = 'inlineStr' >"
                                + "<is ><t >x</t ></is ></c >\n</row >"),
                Arguments.of(
                        "formulas with their cached values",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\" t=\"str\"><f aca=\"false\">CONCATENATE(&quot;A&quot;,&quot;B&quot;)</f>"
                                + "<v>AB</v></c><c r=\"B2\"><f>1+1</f><v>2</v></c><c r=\"C2\"><f/><v>3</v></c></row>"),
                Arguments.of(
                        "the same attributes on rows and cells, then others",
                        HEADER + sameAttributes(2, 4)
                                + "<row r=\"5\" spans=\"1:5\" ht=\"15\"><c r=\"A5\" s=\"0\" t=\"n\"><v>12</v></c>"
                                + "<c r=\"B5\" s=\"0\" t=\"inlineStr\"/><c r=\"C5\" t=\"inlineStr\" s=\"0\">"
                                + "<is><t>c</t></is></c><c r=\"D5\" s=\"0\" t=\"inlineStr\"><is><t>d</t></is></c></row>"
                                + "<row r=\"6\" spans=\"1:5\" ht=\"15\"/><row ht=\"15\" r=\"7\"/>"
                                + sameAttributes(8, 9)),
                Arguments.of(
                        "a column filled down with a formula, as Excel writes it (shared formulas)",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\" t=\"str\"><f t=\"shared\" ref=\"A2:A4\" si=\"0\">"
                                + "UPPER(F2)</f><v>AB</v></c><c r=\"B2\"><f t=\"shared\" ref=\"B2:B3\" si=\"1\">"
                                + "1199880012345678+ROW()</f><v>1199880012345680</v></c></row>"
                                + "<row r=\"3\"><c r=\"A3\" t=\"str\"><f t=\"shared\" si=\"0\"/><v>CD</v></c>"
                                + "<c r=\"B3\"><f t=\"shared\" si=\"1\"></f><v>1199880012345681</v></c></row>"
                                + "<row r=\"4\"><c r=\"A4\" t=\"str\"><f t=\"shared\" si=\"0\"/><v>EF</v></c></row>"),
                Arguments.of(
                        "array formulas, one of them spilled over the cells below (Excel 365's dynamic arrays)",
                        HEADER
                                + "<row r=\"2\"><c r=\"A2\" t=\"str\" cm=\"1\"><f t=\"array\" ref=\"A2:A3\">"
                                + "_xlfn._xlws.SORT(F2:F3)</f><v>AB</v></c><c r=\"B2\"><f t=\"array\" ref=\"B2\">"
                                + "SUM(G2:G3*H2:H3)</f><v>1199880012345680</v></c></row>"
                                + "<row r=\"3\"><c r=\"A3\" t=\"str\"><v>CD</v></c><c r=\"B3\"><v>7</v></c></row>"),
                Arguments.of(
                        "a cell past the row's other cells",
                        HEADER
                                + "<row r=\"2\"><c r=\"XFD2\" t=\"inlineStr\"><is><t>far</t></is></c>"
                                + "<c r=\"A2\" t=\"inlineStr\"><is><t>near</t></is></c></row>"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainSheets")
    void plainSheets_readPlainly_withFastexcelsOutcome(String name, String sheetData) {
        assertThat(sameOutcome(Xlsx.ofSheetData(sheetData))).isTrue();
    }

    /**
     * A row's {@code r} is optional: a row without it is the one after the last row, or row 1 (as spreadsheet
     * programs number it). fastexcel-reader numbers such a row by its place among the rows from 0; its rows are
     * numbered as the plain reader numbers them ({@code FastexcelEvents}).
     */
    @Test
    void rowsWithoutTheirNumbers_followTheLastRow() {
        String header = HEADER.replace("<row r=\"1\">", "<row>");
        String unnumbered = Xlsx.row(2, "A B", "1199880012345678", "0788123456", "M", "a@b.rw")
                .replace("<row r=\"2\">", "<row>");
        String after = Xlsx.row(6, "E F", "1199880012345680", "0788123458", "F", "e@f.rw")
                .replace("<row r=\"6\">", "<row>");
        String sheetData =
                header + unnumbered + Xlsx.row(5, "C D", "1199880012345679", "0788123457", "F", "c@d.rw") + after;
        boolean[] plainly = {false};

        Outcome read = read(Xlsx.ofSheetData(sheetData), true, plainly);

        assertThat(read.refusal()).isNull();
        assertThat(plainly[0]).isTrue();
        assertThat(read.header().row()).isEqualTo(1);
        assertThat(read.records()).extracting(RawRecord::row).containsExactly(2, 5, 6);
        assertThat(read.records()).extracting(RawRecord::names).containsExactly("A B", "C D", "E F");
    }

    /** Rows and cells without their references, as some libraries write every row, read plainly at any length. */
    @Test
    void manyRowsAndCellsWithoutReferences_readPlainly() {
        StringBuilder sheetData = new StringBuilder(unreferenced("names", "nid", "phone_number", "gender", "email"));
        for (int r = 2; r <= 30_001; r++) {
            sheetData.append(unreferenced("P" + r, String.valueOf(1199880000000000L + r), "0788123456", "F", "a@b.rw"));
        }
        boolean[] plainly = {false};

        Outcome read = read(Xlsx.ofSheetData(sheetData.toString()), true, plainly);

        assertThat(read.refusal()).isNull();
        assertThat(plainly[0]).isTrue();
        assertThat(read.records()).hasSize(30_000);
        assertThat(read.records().get(29_999))
                .extracting(RawRecord::row, RawRecord::names, RawRecord::email)
                .containsExactly(30_001, "P30001", "a@b.rw");
        assertThat(sameOutcome(Xlsx.ofSheetData(sheetData.toString()))).isTrue();
    }

    private static String unreferenced(String... values) {
        StringBuilder sb = new StringBuilder("<row>");
        for (String v : values) {
            sb.append("<c t=\"inlineStr\"><is><t>").append(v).append("</t></is></c>");
        }
        return sb.append("</row>").toString();
    }

    /**
     * After a row the plain reader leaves to fastexcel-reader (a comment), rows and cells without references are
     * numbered as the plain reader numbers them, phonetic runs of inline strings are left out, and a shared string
     * the workbook does not have is refused.
     */
    @Test
    void afterARowLeftToFastexcel_sameNumbersTextsAndRefusals() {
        String sheetData = HEADER.replace("<row r=\"1\">", "<row>")
                + "<!-- a comment -->"
                + unreferenced("A B", "1199880012345678", "0788123456", "M", "a@b.rw")
                + "<row r=\"7\"><c t=\"inlineStr\"><is><t>Jean</t><rPh sb=\"0\" eb=\"4\"><t>ジャン</t></rPh>"
                + "</is></c></row>"
                + unreferenced("C D");
        boolean[] plainly = {true};

        Outcome read = read(Xlsx.ofSheetData(sheetData), true, plainly);

        assertThat(read.refusal()).isNull();
        assertThat(plainly[0]).isFalse();
        assertThat(read.records()).extracting(RawRecord::row).containsExactly(2, 7, 8);
        assertThat(read.records()).extracting(RawRecord::names).containsExactly("A B", "Jean", "C D");
        assertThat(read).isEqualTo(read(Xlsx.ofSheetData(sheetData), false, plainly));

        byte[] dangling = Xlsx.workbook()
                .sharedStrings("Jean")
                .sheet(
                        "Sheet1",
                        HEADER + "<!-- a comment --><row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>"
                                + "<row r=\"3\"><c r=\"F3\" t=\"s\"><v>1</v></c></row>")
                .bytes();
        Outcome refused = read(dangling, true, plainly);
        assertThat(refused.refusal())
                .contains("row 3 refers to shared string 1, but the workbook's shared strings hold only 1");
        assertThat(refused).isEqualTo(read(dangling, false, plainly));
    }

    /**
     * A shared-string index of ten digits or more names more items than any workbook holds: refused at once by both
     * readers, before fastexcel-reader reads its table up to it (it ran out of heap on {@code 1000000000}).
     */
    @Test
    void sharedStringIndexOfTenDigits_refusedByBothReaders() {
        for (String index : List.of("1000000000", "2147483647", "0000000000")) {
            byte[] bytes = Xlsx.workbook()
                    .sharedStrings("Jean")
                    .sheet("Sheet1", HEADER + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>" + index + "</v></c></row>")
                    .bytes();
            for (boolean plain : new boolean[] {true, false}) {
                assertThat(read(bytes, plain, new boolean[1]).refusal())
                        .as(index + (plain ? " plainly" : " by fastexcel-reader"))
                        .contains("file.corrupt: The workbook cannot be read: row 2 refers to shared string " + index
                                + ", more than a workbook's shared strings hold");
            }
        }
    }

    /** A shared string the workbook does not have, read plainly, is refused as fastexcel-reader's rows are. */
    @Test
    void sharedStringPastTheTable_refusedAsByFastexcel() {
        byte[] bytes = Xlsx.workbook()
                .sharedStrings("Jean")
                .sheet(
                        "Sheet1",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"G2\" t=\"s\"><v>1</v></c>"
                                + "</row>")
                .bytes();
        Outcome plain = read(bytes, true, new boolean[1]);
        assertThat(plain.refusal())
                .isEqualTo("file.corrupt: The workbook cannot be read: row 2 refers to shared string 1, but the"
                        + " workbook's shared strings hold only 1. Open it in Excel, save it again and upload the new"
                        + " file.");
        assertThat(plain).isEqualTo(read(bytes, false, new boolean[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSheets")
    void refusals_areTheSame(String name, String sheetData) {
        boolean[] plainly = {false};
        Outcome plain = read(Xlsx.ofSheetData(sheetData), true, plainly);
        assertThat(plain.refusal()).isNotNull();
        assertThat(plain).isEqualTo(read(Xlsx.ofSheetData(sheetData), false, plainly));
    }

    static Stream<Arguments> refusedSheets() {
        return Stream.of(
                Arguments.of(
                        "a number that is not one",
                        HEADER + "<row r=\"2\"><c r=\"A2\"><v>12a</v></c><c r=\"C2\"><v>1</v></c></row>"),
                Arguments.of(
                        "a number with spaces",
                        HEADER + "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"><v> 12 </v></c></row>"),
                Arguments.of(
                        "a boolean that is not one",
                        HEADER + "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"E2\" t=\"b\"><v>2</v></c></row>"),
                Arguments.of(
                        "a shared string in a workbook without them, in a column not read",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Jean</t></is></c>"
                                + "<c r=\"F2\" t=\"s\"><v>0</v></c></row>"),
                Arguments.of(
                        "a row without its number after a row numbered 0",
                        HEADER + Xlsx.row(2, "a") + "<row r=\"0\"/><row><c><v>1</v></c></row>"),
                Arguments.of("rows out of order", HEADER + Xlsx.row(3, "a") + Xlsx.row(2, "b")),
                Arguments.of("no record", HEADER + "<row r=\"2\"/>"),
                Arguments.of("no header", "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"),
                // fastexcel-reader reads every cell, those of columns intake does not read too
                Arguments.of(
                        "a shared string's index that is not a number, in a column not read",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Jean</t></is></c>"
                                + "<c r=\"F2\" t=\"s\"><v> 0 </v></c></row>"),
                Arguments.of(
                        "a shared string's index that is not a number, in a cell a later one of its column replaces",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>x</v></c>"
                                + "<c r=\"A2\" t=\"inlineStr\"><is><t>Jean</t></is></c></row>"));
    }

    /** Rows {@code from} to {@code to} with the same attributes after each row's and cell's reference. */
    private static String sameAttributes(int from, int to) {
        StringBuilder rows = new StringBuilder();
        for (int r = from; r <= to; r++) {
            rows.append("<row r=\"").append(r).append("\" spans=\"1:5\" ht=\"15\">");
            for (char c = 'A'; c <= 'E'; c++) {
                rows.append("<c r=\"").append(c).append(r).append("\" s=\"0\" t=\"inlineStr\"><is><t>");
                rows.append(c).append(r).append("</t></is></c>");
            }
            rows.append("</row>");
        }
        return rows.toString();
    }

    static Stream<Arguments> sheetsLeftToFastexcel() {
        String data = Xlsx.row(2, "A B", "1199880012345678", "0788123456", "M", "a@b.rw");
        String more = Xlsx.row(4, "C D", "1199880012345679", "0788123457", "F", "c@d.rw");
        return Stream.of(
                Arguments.of(
                        "a shared formula without its base",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\"><f t=\"shared\" si=\"0\"/><v>2</v></c></row>" + more),
                Arguments.of(
                        "a data table",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\"><f t=\"dataTable\" ref=\"A3:A3\" dt2D=\"0\""
                                + " dtr=\"0\" r1=\"B1\"/><v>2</v></c></row>" + more),
                Arguments.of(
                        "an array formula's absolute range",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\"><f t=\"array\" ref=\"$A$3\">B3</f>"
                                + "<v>2</v></c></row>" + more),
                Arguments.of(
                        "a shared formula's absolute range",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\"><f t=\"shared\" ref=\"$A$3\" si=\"0\">B3</f>"
                                + "<v>2</v></c></row>" + more),
                Arguments.of("a comment between rows", HEADER + data + "<!-- <row r=\"3\"></row> -->" + more),
                Arguments.of(
                        "a comment in a cell",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\"><!-- x --><v>2</v></c></row>" + more),
                Arguments.of(
                        "CDATA",
                        HEADER + data
                                + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t><![CDATA[a<b]]></t></is></c></row>"
                                + more),
                Arguments.of("a lower-case reference", HEADER + data + "<row r=\"3\"><c r=\"a3\"><v>1</v></c></row>"),
                Arguments.of(
                        "an unknown entity",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>&nbsp;</t></is></c></row>"
                                + more),
                Arguments.of(
                        "an attribute given twice",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" r=\"B3\"><v>1</v></c></row>" + more),
                Arguments.of(
                        "an attribute given twice after the same attributes",
                        HEADER + sameAttributes(2, 3)
                                + "<row r=\"4\" spans=\"1:5\" ht=\"15\"><c r=\"A4\" s=\"0\" t=\"inlineStr\" s=\"0\">"
                                + "<is><t>a</t></is></c></row>"),
                Arguments.of(
                        "a row's attribute given twice after the same attributes",
                        HEADER + sameAttributes(2, 3) + "<row r=\"4\" spans=\"1:5\" ht=\"15\" ht=\"15\"/>"),
                Arguments.of(
                        "an undeclared prefix",
                        HEADER + data + "<row r=\"3\" x14ac:dyDescent=\"0.25\"><c r=\"A3\"><v>1</v></c></row>" + more),
                Arguments.of(
                        "tags that do not nest",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>x</r></t></is></c></row>"
                                + more),
                Arguments.of(
                        "an unknown cell type",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" t=\"x\"><v>2024-01-01</v></c></row>" + more),
                Arguments.of(
                        "]]> in text",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>a]]>b</t></is></c></row>"
                                + more),
                Arguments.of(
                        "a control character",
                        HEADER + data + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>a\u0001b</t></is></c></row>"
                                + more),
                Arguments.of("broken XML", HEADER + data + "<row r=\"3\"><c r=\"A3\"><v>1</c></row>" + more),
                Arguments.of(
                        "a prefixed row",
                        HEADER + data + "<x:row r=\"3\" xmlns:x=\"" + Xlsx.SHEET_NS
                                + "\"><x:c r=\"A3\"><x:v>1</x:v></x:c></x:row>" + more));
    }

    /**
     * Bytes that are not UTF-8 in a part that says it is, in a text of a cell or of a shared string: refused by the
     * plain reader, not left to fastexcel-reader, whose XML parser reads an overlong form as the character it spells
     * ({@code C0 B1} as {@code 1}), which would make a NID with a byte no encoder writes a valid one.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C0B1", "C1A9", "E080B1", "F08080B1", "EDA080", "F4908080", "B1", "C331", "F8"})
    void bytesThatAreNotUtf8_corrupt(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        byte[] inline = Xlsx.withBytes(
                Xlsx.ofSheetData(HEADER + Xlsx.row(2, "A B", "@@199880012345678", "0788123456", "M", "a@b.rw")),
                "xl/worksheets/sheet1.xml",
                "@@",
                bytes);
        byte[] sharedWithMarker = Xlsx.workbook()
                .sharedStrings("names", "nid", "phone_number", "gender", "email", "@@199880012345678")
                .sheet(
                        "Sheet1",
                        "<row r=\"1\">" + sst("A1", 0) + sst("B1", 1) + sst("C1", 2) + sst("D1", 3) + sst("E1", 4)
                                + "</row><row r=\"2\">" + sst("B2", 5) + "</row>")
                .bytes();
        byte[] shared = Xlsx.withBytes(sharedWithMarker, "xl/sharedStrings.xml", "@@", bytes);
        // the same after something the plain reader leaves to fastexcel-reader (a comment), which reads the rest
        byte[] inlineAfterAComment = Xlsx.withBytes(
                Xlsx.ofSheetData("<!-- note -->" + HEADER
                        + Xlsx.row(2, "A B", "@@199880012345678", "0788123456", "M", "a@b.rw")),
                "xl/worksheets/sheet1.xml",
                "@@",
                bytes);
        byte[] sharedAfterAComment = Xlsx.withBytes(
                Xlsx.withPart(
                        sharedWithMarker, "xl/sharedStrings.xml", xml -> xml.replaceFirst("<si>", "<!-- note --><si>")),
                "xl/sharedStrings.xml",
                "@@",
                bytes);
        for (byte[] workbook : List.of(inline, shared, inlineAfterAComment, sharedAfterAComment)) {
            Outcome plain = read(workbook, true, new boolean[1]);
            assertThat(plain.refusal())
                    .startsWith(IngestException.CORRUPT + ": The workbook cannot be read: the part xl/")
                    .contains(" is not UTF-8 text as it declares: ");
        }
    }

    private static String sst(String ref, int index) {
        return "<c r=\"" + ref + "\" t=\"s\"><v>" + index + "</v></c>";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sheetsLeftToFastexcel")
    void otherSheets_areLeftToFastexcel_withItsOutcome(String name, String sheetData) {
        assertThat(sameOutcome(Xlsx.ofSheetData(sheetData))).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeParts")
    void partsThatAreNotPlain_areLeftToFastexcel(String name, byte[] workbook) {
        assertThat(sameOutcome(workbook)).isFalse();
    }

    static Stream<Arguments> wholeParts() {
        String body = "<sheetData>" + HEADER + Xlsx.row(2, "A B", "1199880012345678", "0788123456", "M", "a@b.rw")
                + "</sheetData></worksheet>";
        String root = "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\">";
        return Stream.of(
                Arguments.of(
                        "ISO-8859-1",
                        Xlsx.workbook()
                                .sheetXml("Sheet1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + root + body)
                                .bytes()),
                Arguments.of(
                        "a prefix bound to no namespace",
                        Xlsx.workbook()
                                .sheetXml("Sheet1", "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\" xmlns:x=\"\">" + body)
                                .bytes()),
                Arguments.of(
                        "a second root after one that closed itself (a fuzz finding)",
                        Xlsx.workbook()
                                .sheetXml("Sheet1", "<worksheet xmlns=\"" + Xlsx.SHEET_NS + "\"/>" + root + body)
                                .bytes()),
                Arguments.of(
                        "a comment before sheetData",
                        Xlsx.workbook()
                                .sheetXml("Sheet1", root + "<!-- <sheetData/> -->" + body)
                                .bytes()),
                Arguments.of(
                        "a worksheet whose prefix is bound to another namespace",
                        Xlsx.workbook()
                                .sheetXml("Sheet1", "<x:worksheet xmlns:x=\"urn:other\">" + prefixed(body, "x"))
                                .bytes()),
                Arguments.of(
                        "shared strings with a comment",
                        Xlsx.workbook()
                                .sheet("Sheet1", HEADER + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>")
                                .part(
                                        "xl/sharedStrings.xml",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                                        "<sst xmlns=\"" + Xlsx.SHEET_NS + "\"><si><t>a</t><!-- x --></si></sst>")
                                .bytes()));
    }

    /**
     * Parts whose elements all carry the prefix the root binds to SpreadsheetML, as the .NET Open XML SDK writes them
     * ({@code <x:worksheet xmlns:x="…/main">}, {@code <x:row>}, {@code <x:sst>}): read by the plain reader, with
     * fastexcel-reader's outcome, over several buffers too.
     */
    @Test
    void prefixedParts_readPlainly_withFastexcelsOutcome() {
        StringBuilder rows = new StringBuilder(HEADER);
        StringBuilder strings = new StringBuilder();
        for (int r = 2; r < 30_000; r++) {
            rows.append("<row r=\"")
                    .append(r)
                    .append("\"><c r=\"A")
                    .append(r)
                    .append("\" t=\"s\"><v>")
                    .append(r - 2)
                    .append("</v></c><c r=\"B")
                    .append(r)
                    .append("\" t=\"inlineStr\"><is><t>")
                    .append(1199880012000000L + r)
                    .append("</t></is></c><c r=\"C")
                    .append(r)
                    .append("\"><v>788")
                    .append(100000 + r)
                    .append("</v></c><c r=\"D")
                    .append(r)
                    .append("\" t=\"str\"><f>IF(1,\"F\",\"M\")</f><v>F</v></c></row>");
            strings.append("<si><t>Name ").append(r).append(" Uwase</t></si>");
        }
        String sheet = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<x:worksheet xmlns:x=\""
                + Xlsx.SHEET_NS + "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                + prefixed("<sheetData>" + rows + "</sheetData></worksheet>", "x");
        String sst = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><x:sst xmlns:x=\"" + Xlsx.SHEET_NS + "\">"
                + prefixed(strings + "</sst>", "x");
        byte[] workbook = Xlsx.workbook()
                .sheetXml("Sheet1", sheet)
                .part(
                        "xl/sharedStrings.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                        sst)
                .bytes();

        assertThat(sameOutcome(workbook))
                .as("read by the plain reader to the end")
                .isTrue();
        boolean[] plainly = {false};
        Outcome read = read(workbook, true, plainly);
        assertThat(read.refusal()).isNull();
        assertThat(read.records()).hasSize(29_998);
        assertThat(read.records().get(0))
                .extracting(RawRecord::names, RawRecord::nid, RawRecord::phoneNumber, RawRecord::phoneNumeric)
                .containsExactly("Name 2 Uwase", "1199880012000002", "788100002", true);
    }

    /** The XML with every element's name given the prefix. */
    private static String prefixed(String xml, String prefix) {
        return xml.replace("</", "\u0000").replace("<", "<" + prefix + ":").replace("\u0000", "</" + prefix + ":");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedStrings")
    void sharedStrings_readAsFastexcelReadsThem(String name, String sst) {
        byte[] workbook = Xlsx.workbook()
                .sheet(
                        "Sheet1",
                        HEADER + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"s\"><v>1</v></c>"
                                + "<c r=\"C2\" t=\"s\"><v>2</v></c></row>")
                .part(
                        "xl/sharedStrings.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"" + Xlsx.SHEET_NS + "\" count=\"3\">"
                                + sst + "</sst>")
                .bytes();
        assertThat(sameOutcome(workbook)).isTrue();
    }

    static Stream<Arguments> sharedStrings() {
        return Stream.of(
                Arguments.of("plain", "<si><t>Ngabo Eric</t></si><si><t>1199880012345678</t></si><si><t/></si>"),
                Arguments.of(
                        "runs and phonetic text",
                        "<si><r><rPr><b/></rPr><t>Nga</t></r> <r><t>bo</t></r>"
                                + "<rPh sb=\"0\" eb=\"1\"><t>ンガボ</t></rPh><phoneticPr fontId=\"1\"/></si>"
                                + "<si><t xml:space=\"preserve\">  1199880012345678 </t></si><si><t>&amp;&#x41;</t></si>"),
                Arguments.of("non-ASCII", "<si><t>Ümüt 😀</t></si><si><t>x</t></si><si><t>é\r\nè</t></si>"),
                // shapes near the one read in one pass (<si><t>text</t></si>), each read by the full reading
                Arguments.of(
                        "close to plain",
                        "<si><t>a]b</t></si><si><t xml:space=\"preserve\">x</t ></si><si><t>tab\there</t></si>"),
                Arguments.of(
                        "close to plain, other attributes",
                        "<si><t xml:space=\"default\">x</t></si><si ><t>y</t></si><si><t>a</t><t>b</t></si>"),
                Arguments.of(
                        "close to plain, a reference and an empty text",
                        "<si><t>a&lt;b</t></si><si><t></t></si><si><t xml:space=\"preserve\"></t></si>"));
    }

    /** Shared strings over several buffers: items cut by a buffer's end, plain ones and others mixed. */
    @Test
    void sharedStringsAcrossBuffers_readAsFastexcelReadsThem() {
        int rows = 12_000;
        StringBuilder sst = new StringBuilder();
        StringBuilder data = new StringBuilder(HEADER);
        for (int i = 0; i < rows * 5; i++) {
            String text = "Item " + i + " " + "x".repeat(i % 17);
            sst.append(
                    switch (i % 13) {
                        case 3 -> "<si><t>" + text + " &amp; more</t></si>";
                        case 7 -> "<si><t>" + text + " é</t></si>";
                        case 11 -> "<si><r><t>" + text + "</t></r></si>";
                        default ->
                            i % 2 == 0
                                    ? "<si><t xml:space=\"preserve\">" + text + "</t></si>"
                                    : "<si><t>" + text + "</t></si>";
                    });
        }
        for (int r = 0; r < rows; r++) {
            data.append("<row r=\"").append(r + 2).append("\">");
            for (int c = 0; c < 5; c++) {
                data.append("<c r=\"").append((char) ('A' + c)).append(r + 2).append("\" t=\"s\"><v>");
                data.append(r * 5 + c).append("</v></c>");
            }
            data.append("</row>");
        }
        assertThat(sst.length()).as("several buffers of shared strings").isGreaterThan(3 * PackageCheck.BUFFER);
        byte[] workbook = Xlsx.workbook()
                .sheet("Sheet1", data.toString())
                .part(
                        "xl/sharedStrings.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"" + Xlsx.SHEET_NS + "\">" + sst
                                + "</sst>")
                .bytes();

        assertThat(sameOutcome(workbook)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("styles")
    void numberFormats_asFastexcelReadsThem(String name, String numFmts, int[] formats) {
        byte[] workbook = Xlsx.workbook()
                .sheet(
                        "Sheet1",
                        HEADER + "<row r=\"2\"><c r=\"A2\" s=\"0\"><v>45000</v></c><c r=\"B2\" s=\"1\">"
                                + "<v>45000.5</v></c><c r=\"C2\" s=\"2\"><v>1199880012345678</v></c><c r=\"D2\" s=\"9\">"
                                + "<v>12</v></c></row>")
                .styles(numFmts, formats)
                .bytes();
        assertThat(sameOutcome(workbook)).isTrue();
    }

    /**
     * Numbers in a date format that are no date Excel shows (it shows {@code ####}): a NID, a phone number past
     * 9999-12-31, a negative number, one too large for any date. Each reads as the number cell it is, by both readers;
     * the last date Excel shows still reads as a date. A NID in a column formatted as dates used to stop the upload
     * with a server fault (fastexcel-reader's path, where the plain reader leaves such a row).
     */
    @Test
    void numbersInADateFormat_pastExcelsDates_readAsNumbers() {
        String row =
                "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>2958465</v></c><c r=\"B2\" s=\"1\"><v>1199880012345678</v></c>"
                        + "<c r=\"C2\" s=\"1\"><v>788123456</v></c><c r=\"D2\" s=\"1\"><v>-1</v></c>"
                        + "<c r=\"E2\" s=\"1\"><v>1E+20</v></c></row>";
        byte[] workbook =
                Xlsx.workbook().sheet("Sheet1", HEADER + row).styles("", 0, 14).bytes();
        boolean[] plainly = {false};

        Outcome plain = read(workbook, true, plainly);

        assertThat(plain.refusal()).isNull();
        assertThat(plain.records())
                .containsExactly(new RawRecord(
                        2, "9999-12-31", "1199880012345678", "788123456", "-1", "100000000000000000000", true, true));
        assertThat(plainly[0]).as("read by the plain reader to the end").isTrue();
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    /**
     * Values in a column with no header text (a blank header cell, column F; past the header's last cell, column H)
     * are not read, and are listed among the ignored columns once the records are read, by both readers. A column
     * with no header whose cells hold no value (G: styled, empty, blank text) is not; nor is a value above the header.
     */
    @Test
    void valuesUnderNoHeader_listedAmongIgnoredColumns() {
        String header = Xlsx.row(2, "names", "nid", "phone_number", "gender", "email", "", "Notes");
        String data = "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Ann Uwase</t></is></c>"
                + "<c r=\"G3\" s=\"1\"/><c r=\"H3\" t=\"inlineStr\"><is><t> </t></is></c></row>"
                + "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>Bo Kim</t></is></c>"
                + "<c r=\"F4\"><v>250</v></c></row>"
                + "<row r=\"5\"><c r=\"H5\" t=\"inlineStr\"><is><t>total: 2</t></is></c></row>";
        byte[] workbook = Xlsx.workbook()
                .sheet("Sheet1", Xlsx.row(1, null, null, null, null, null, null, null, "title") + header + data)
                .styles("", 0, 14)
                .bytes();
        for (boolean plain : new boolean[] {true, false}) {
            try (FastexcelSheet sheet = plain
                            ? FastexcelSheet.open(workbook, null, LIMITS)
                            : FastexcelSheet.openWithFastexcelOnly(workbook, null, LIMITS);
                    Stream<RawRecord> records = sheet.records()) {
                assertThat(sheet.ignoredColumns()).as("before reading").containsExactly("Notes");
                assertThat(records.toList()).hasSize(2);
                assertThat(sheet.ignoredColumns())
                        .as(plain ? "plain" : "fastexcel-reader")
                        .containsExactly("Notes", "column F (no header)", "column H (no header)");
                assertThat(sheet.header().ignoredColumns()).containsExactly("Notes");
            }
        }
    }

    /**
     * The first days of the 1900 date system as Excel shows them, by both readers: serial 60 is the 29 February 1900
     * that Excel counts, between 59 (28 February) and 61 (1 March).
     */
    @Test
    void dates_around1900sLeapDay_asExcelShowsThem() {
        String row = "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>1</v></c><c r=\"B2\" s=\"1\"><v>59</v></c>"
                + "<c r=\"C2\" s=\"1\"><v>60</v></c><c r=\"D2\" s=\"1\"><v>60.75</v></c>"
                + "<c r=\"E2\" s=\"1\"><v>61</v></c></row>";
        byte[] workbook =
                Xlsx.workbook().sheet("Sheet1", HEADER + row).styles("", 0, 14).bytes();

        Outcome plain = read(workbook, true, new boolean[1]);

        assertThat(plain.records())
                .containsExactly(new RawRecord(
                        2, "1900-01-01", "1900-02-28", "1900-02-29", "1900-02-29T18:00", "1900-03-01", false, false));
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    /**
     * The same in the 1904 date system, whose last date Excel shows (9999-12-31) is serial 2,957,003: the next number
     * is no date either, by both readers.
     */
    @Test
    void numbersInADateFormat_past1904sLastDate_readAsNumbers() {
        String row = "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>2957003</v></c><c r=\"B2\" s=\"1\"><v>2957004</v></c>"
                + "<c r=\"C2\" s=\"1\"><v>2958000</v></c><c r=\"D2\" s=\"1\"><v>0</v></c>"
                + "<c r=\"E2\" s=\"1\"><v>2958465</v></c></row>";
        byte[] workbook = Xlsx.workbook()
                .date1904()
                .sheet("Sheet1", HEADER + row)
                .styles("", 0, 14)
                .bytes();
        boolean[] plainly = {false};

        Outcome plain = read(workbook, true, plainly);

        assertThat(plain.refusal()).isNull();
        assertThat(plain.records())
                .containsExactly(
                        new RawRecord(2, "9999-12-31", "2957004", "2958000", "1904-01-01", "2958465", true, true));
        assertThat(plainly[0]).as("read by the plain reader to the end").isTrue();
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    /**
     * Numbers with an exponent no double has are kept as written, not written out: a cell of {@code 1E+999999999}
     * made a billion-digit text, and the reader ran out of memory. The largest and smallest doubles still read as
     * plain digits.
     */
    @Test
    void hugeExponents_keptAsWritten_doublesWrittenOut() {
        String row = "<row r=\"2\"><c r=\"A2\"><v>1E+999999999</v></c><c r=\"B2\"><v>-1.5e-999999999</v></c>"
                + "<c r=\"C2\"><v>1.7976931348623157E308</v></c><c r=\"D2\"><v>4.9E-324</v></c></row>";
        byte[] workbook = Xlsx.ofSheetData(HEADER + row);
        boolean[] plainly = {false};

        Outcome plain = read(workbook, true, plainly);

        assertThat(plain.refusal()).isNull();
        RawRecord record = plain.records().get(0);
        assertThat(record.names()).isEqualTo("1E+999999999");
        assertThat(record.nid()).isEqualTo("-1.5E-999999999");
        assertThat(record.phoneNumber())
                .hasSize(309)
                .startsWith("17976931348623157")
                .endsWith("000");
        assertThat(record.gender()).hasSize(327).startsWith("0.000").endsWith("49");
        assertThat(plainly[0]).as("read by the plain reader to the end").isTrue();
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    /**
     * A row above the header whose 2,000 cells each hold one long shared string: 60 million characters, which the
     * header search would make as texts (the plain reader a copy for each cell), from a file of a few kilobytes. Both
     * readers refuse it as too large, the plain reader before it makes any of them.
     */
    @Test
    void titleRowOfLongSharedStrings_tooLarge_byBothReaders() {
        StringBuilder title = new StringBuilder("<row r=\"1\">");
        for (int c = 0; c < 2_000; c++) {
            title.append("<c t=\"s\"><v>0</v></c>");
        }
        title.append("</row>");
        byte[] workbook = Xlsx.workbook()
                .sharedStrings("x".repeat(30_000))
                .sheet("Sheet1", title + Xlsx.header(2) + Xlsx.row(3, "Alice", "1", "2", "F", "a@b.rw"))
                .bytes();

        Outcome plain = read(workbook, true, new boolean[1]);

        assertThat(plain.refusal()).startsWith("file.too_large: Row 1: its cells hold more than 16777216 characters");
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    /**
     * One cell, or one shared string, far longer than a spreadsheet program writes, in a column intake does not read:
     * a small file that a reader would have to hold whole. Refused by both readers, before any record.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("giantCells")
    void giantCellOrSharedString_tooLarge_byBothReaders(String what, byte[] workbook) {
        Outcome plain = read(workbook, true, new boolean[1]);

        assertThat(plain.refusal()).startsWith("file.too_large: The part xl/");
        assertThat(read(workbook, false, new boolean[1])).isEqualTo(plain);
    }

    static Stream<Arguments> giantCells() {
        String person = Xlsx.row(2, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw");
        String giant = "x".repeat(17 << 20);
        String runs = "<r><t>abcdefghijklmnop</t></r>".repeat(700_000);
        return Stream.of(
                Arguments.of("an inline string", sheetWithCellF(person, "<is><t>" + giant + "</t></is>")),
                Arguments.of("rich text in a cell", sheetWithCellF(person, "<is>" + runs + "</is>")),
                Arguments.of(
                        "a shared string",
                        Xlsx.workbook()
                                .sharedStrings(giant)
                                .sheet("S", Xlsx.header(1) + person)
                                .bytes()),
                Arguments.of(
                        "a shared string of rich text",
                        Xlsx.workbook()
                                .sharedStrings("</t>" + runs + "<t>")
                                .sheet("S", Xlsx.header(1) + person)
                                .bytes()));
    }

    /** A sheet of the header and the person's row with one more cell, in column F, an inline string. */
    private static byte[] sheetWithCellF(String person, String content) {
        String row = person.replace("</row>", "<c r=\"F2\" t=\"inlineStr\">" + content + "</c></row>");
        return Xlsx.workbook().sheet("S", Xlsx.header(1) + row).bytes();
    }

    /**
     * The same in a sheet left to the reader (of a sheet's proportions: random letters), which the zip pass does not
     * inflate: the plain reader's scan refuses it as the pass would, and fastexcel-reader's late pass too.
     */
    @Test
    void giantCell_inASheetReadOnce_tooLarge_byBothReaders() {
        Random random = new Random(3);
        char[] letters = new char[17 << 20];
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        String person = Xlsx.row(2, "Ann Uwase", "1199880012345678", "0788123456", "F", "ann@example.rw");
        String giant = Xlsx.row(3, "Eric Mugisha", "1199880012345679", "0788123457", "M", "eric@example.rw")
                .replace("</row>", "<c r=\"F3\" t=\"inlineStr\"><is><t>" + new String(letters) + "</t></is></c></row>");
        byte[] workbook =
                Xlsx.workbook().sheet("S", Xlsx.header(1) + person + giant).bytes();
        assertThat(PackageCheck.inspect(workbook, LIMITS, 1024).readOnce().entries())
                .containsExactly("xl/worksheets/sheet1.xml");

        assertThatThrownBy(() -> {
                    try (FastexcelSheet sheet = FastexcelSheet.open(workbook, null, LIMITS, 1024);
                            Stream<RawRecord> records = sheet.records()) {
                        records.forEach(r -> {});
                    }
                })
                .isInstanceOfSatisfying(IngestException.class, e -> {
                    assertThat(e.code()).isEqualTo(IngestException.TOO_LARGE);
                    assertThat(e.details()).containsEntry("limitName", "maxElementBytes");
                });
        assertThat(read(workbook, false, new boolean[1]).refusal()).startsWith("file.too_large: The part xl/");
    }

    static Stream<Arguments> styles() {
        return Stream.of(
                Arguments.of("built-in date formats", "", new int[] {14, 22, 1}),
                Arguments.of(
                        "custom formats",
                        "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/>"
                                + "<numFmt numFmtId=\"165\" formatCode=\"0000000000000000\"/></numFmts>",
                        new int[] {164, 165, 165}));
    }

    /**
     * {@code t="d"}: dates written as ISO 8601 text (the Strict format's, some writers'), in a mapped column or in one
     * that is not, read as a date serial is read. fastexcel-reader refuses such cells: the plain reader reads them.
     */
    @Test
    void isoDateCells_readAsDates_inAnyColumn_besideSharedFormulas() {
        String header = Xlsx.row(1, "names", "nid", "phone_number", "gender", "email", "Registered on", "Year");
        String rows = Xlsx.row(2, "Alice Uwase", "1199070012345601", "0788123456", "F")
                        .replace("</row>", "")
                + "<c r=\"E2\" t=\"d\"><v>2023-03-15T00:00:00</v></c>"
                + "<c r=\"F2\" t=\"d\"><v>2023-03-15T18:30:00.000</v></c>"
                // a column filled down with a formula: shared formulas, read by the plain reader too
                + "<c r=\"G2\"><f t=\"shared\" ref=\"G2:G3\" si=\"0\">YEAR(F2)</f><v>2023</v></c></row>"
                + Xlsx.row(3, "Jean Bosco", "1199880012345678").replace("</row>", "")
                + "<c r=\"C3\" t=\"d\"><v>2023-03-15T18:30:05</v></c><c r=\"D3\" t=\"d\"><v> 18:30:00 </v></c>"
                + "<c r=\"E3\" t=\"d\"><v>2023-03-15</v></c><c r=\"F3\" t=\"d\"><v>2023-03-16</v></c>"
                + "<c r=\"G3\"><f t=\"shared\" si=\"0\"/><v>2023</v></c></row>";
        boolean[] plainly = {false};

        Outcome read = read(Xlsx.ofSheetData(header + rows), true, plainly);

        assertThat(read.refusal()).isNull();
        assertThat(read.header().ignoredColumns()).containsExactly("Registered on", "Year");
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "2023-03-15"),
                        RawRecord.of(
                                3, "Jean Bosco", "1199880012345678", "2023-03-15T18:30:05", "18:30:00", "2023-03-15"));
        assertThat(plainly[0]).as("read by the plain reader to the end").isTrue();
    }

    /**
     * A workbook in the Strict format (Excel's "Strict Open XML Spreadsheet": the same parts under other namespaces),
     * its data on its second sheet, with shared strings: read as its transitional twin is, by both readers.
     */
    @Test
    void strictWorkbook_readAsItsTransitionalTwin() {
        byte[] transitional = Xlsx.workbook()
                .sheet("Instructions", Xlsx.row(1, "Fill in the sheet People, one person a row"))
                .sheet(
                        "People",
                        Xlsx.row(1, "names", "nid", "phone_number", "gender", "email")
                                        .replace("</row>", "")
                                + "<c r=\"F1\" t=\"s\"><v>0</v></c></row>"
                                + Xlsx.row(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw")
                                + Xlsx.row(3, "Jean Bosco", "1199880012345678", "0788123457", "M", "jb@example.rw"))
                .sharedStrings("Remarks")
                .bytes();
        byte[] strict = Xlsx.strict(transitional);
        boolean[] plainly = {false};

        Outcome read = read(strict, true, plainly);

        assertThat(read.refusal()).isNull();
        assertThat(read.header().sheetName()).isEqualTo("People");
        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.records()).hasSize(2);
        assertThat(read).isEqualTo(read(transitional, true, new boolean[1]));
        assertThat(plainly[0]).as("read by the plain reader to the end").isTrue();
        assertThat(read(strict, false, new boolean[1])).isEqualTo(read);
    }
}
