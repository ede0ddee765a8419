package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

final class SheetReaderTest {

    private static final String STYLES_XF = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";

    private static List<RawRecord> read(byte[] bytes) {
        return SheetRecordsTestSupport.readAll(bytes);
    }

    @Test
    void open_inlineStrings() {
        byte[] xlsx = Xlsx.ofSheetData(header(1)
                + row(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw")
                + row(3, "  Jean  Bosco ", "1198080012345602", "0722123456", "M", "jb@example.rw"));

        assertThat(read(xlsx))
                .containsExactly(
                        RawRecord.of(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"),
                        RawRecord.of(3, "Jean  Bosco", "1198080012345602", "0722123456", "M", "jb@example.rw"));
    }

    @Test
    void open_inputStream() {
        byte[] xlsx = Xlsx.ofSheetData(header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw"));

        try (SheetRecords sheet = SheetReader.defaults().open(new ByteArrayInputStream(xlsx))) {
            assertThat(sheet.records().toList()).containsExactly(RawRecord.of(2, "Alice", "1", "2", "F", "a@b.rw"));
        }
    }

    @Test
    void open_storedEntries() {
        byte[] stored = Xlsx.stored(Xlsx.ofSheetData(header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw")));

        assertThat(read(stored)).containsExactly(RawRecord.of(2, "Alice", "1", "2", "F", "a@b.rw"));
    }

    @Test
    void open_synonymsInAnyOrderWithExtraColumns() {
        byte[] xlsx = Xlsx.ofSheetData(row(1, "Mobile Number", "E-Mail", "Notes", "FULL_NAME", "Sex", "National.ID")
                + row(2, "0788123456", "a@b.rw", "vip", "Alice", "F", "1199070012345601"));

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            SheetHeader header = sheet.header();
            assertThat(header.row()).isEqualTo(1);
            assertThat(header.sheetName()).isEqualTo("Sheet1");
            assertThat(header.columns())
                    .isEqualTo(Map.of(
                            Field.PHONE_NUMBER, 0, Field.EMAIL, 1, Field.NAMES, 3, Field.GENDER, 4, Field.NID, 5));
            assertThat(header.headersFound())
                    .containsExactly("Mobile Number", "E-Mail", "Notes", "FULL_NAME", "Sex", "National.ID");
            assertThat(header.ignoredColumns()).containsExactly("Notes");
            assertThat(header.fieldHeaders())
                    .containsExactly("FULL_NAME", "National.ID", "Mobile Number", "Sex", "E-Mail");
            assertThat(sheet.records().toList())
                    .containsExactly(RawRecord.of(2, "Alice", "1199070012345601", "0788123456", "F", "a@b.rw"));
        }
    }

    @Test
    void open_headerBelowRowOne() {
        byte[] xlsx = Xlsx.ofSheetData("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t> </t></is></c></row>"
                + header(3) + row(4, "Alice", "1", "2", "F", "a@b.rw"));

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            assertThat(sheet.header().row()).isEqualTo(3);
            assertThat(sheet.records().map(RawRecord::row).toList()).containsExactly(4);
        }
    }

    /** Rows the sheet does not write (6 and 7) are blank rows too, as a person sees them; those after the last not. */
    @Test
    void records_blankRowsSkippedAndCounted() {
        byte[] xlsx = Xlsx.ofSheetData(header(1)
                + row(2, "A", "1", "2", "F", "a@b.rw")
                + row(3, "", " ", null, "", "")
                + row(4, null, null, null, null, null, "only an unmapped column")
                + row(5, "B", "1", "2", "F", "a@b.rw")
                + row(8, "C", "1", "2", "F", "a@b.rw")
                + row(9, "", "", "", "", ""));

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            assertThat(sheet.records().map(RawRecord::row).toList()).containsExactly(2, 5, 8);
            assertThat(sheet.blankRows()).isEqualTo(4);
            assertThat(sheet.rowsRead()).isEqualTo(7);
        }
    }

    @Test
    void records_numbersAsDigitsAndFlagged() {
        byte[] xlsx = Xlsx.ofSheetData(header(1) + "<row r=\"2\">"
                + "<c r=\"A2\"><v>12.50</v></c>"
                + "<c r=\"B2\"><v>1.199480035534601E15</v></c>"
                + "<c r=\"C2\"><v>785576983</v></c>"
                + "<c r=\"D2\"><v>7.0</v></c>"
                + "<c r=\"E2\"><v>-0.000</v></c></row>");

        assertThat(read(xlsx))
                .containsExactly(new RawRecord(2, "12.5", "1199480035534601", "785576983", "7", "0", true, true));
    }

    @Test
    void records_datesBooleansFormulasErrors() {
        byte[] xlsx = Xlsx.workbook()
                .styles(
                        "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy;@\"/></numFmts>",
                        0,
                        14,
                        164,
                        2)
                .sheet(
                        "People",
                        header(1) + "<row r=\"2\">"
                                + "<c r=\"A2\" t=\"str\"><f>CONCAT(\"Ali\",\"ce\")</f><v>Alice</v></c>"
                                + "<c r=\"B2\" s=\"1\"><v>45000</v></c>"
                                + "<c r=\"C2\" s=\"2\"><f>DATE(1990,1,2)</f><v>32875</v></c>"
                                + "<c r=\"D2\" t=\"b\"><v>1</v></c>"
                                + "<c r=\"E2\" t=\"e\"><v>#N/A</v></c></row>"
                                + "<row r=\"3\">"
                                + "<c r=\"A3\" s=\"3\"><v>3.5</v></c>"
                                + "<c r=\"B3\"><f>1+1</f><v>2</v></c>"
                                + "<c r=\"C3\" s=\"1\"><v>45000.75</v></c>"
                                + "<c r=\"D3\" t=\"b\"><v>0</v></c>"
                                + "<c r=\"E3\" t=\"str\"><f>\"x\"</f><v>  x@y.rw </v></c></row>")
                .bytes();

        // a date is not a number that lost digits: no numeric flag for it
        assertThat(read(xlsx))
                .containsExactly(
                        new RawRecord(2, "Alice", "2023-03-15", "1990-01-02", "TRUE", "#N/A", false, false),
                        new RawRecord(3, "3.5", "2", "2023-03-15T18:00", "FALSE", "x@y.rw", true, false));
    }

    @Test
    void records_sharedStrings() {
        byte[] xlsx = Xlsx.workbook()
                .sharedStrings("names", "nid", "phone_number", "gender", "email", " Alice ", "F")
                .sheet(
                        "S",
                        "<row r=\"1\">" + sst("A1", 0) + sst("B1", 1) + sst("C1", 2) + sst("D1", 3) + sst("E1", 4)
                                + "</row><row r=\"2\">" + sst("A2", 5) + "<c r=\"B2\"><v>1199070012345601</v></c>"
                                + "<c r=\"C2\"><v>788123456</v></c>" + sst("D2", 6) + "</row>")
                .bytes();

        assertThat(read(xlsx))
                .containsExactly(new RawRecord(2, "Alice", "1199070012345601", "788123456", "F", "", true, true));
    }

    private static String sst(String ref, int index) {
        return "<c r=\"" + ref + "\" t=\"s\"><v>" + index + "</v></c>";
    }

    @Test
    void open_namedSheet() {
        byte[] xlsx = Xlsx.workbook()
                .sheet("Instructions", row(1, "Fill in the second sheet"))
                .sheet("People", header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw"))
                .bytes();

        SheetReader reader = SheetReader.builder().sheetName("People").build();
        try (SheetRecords sheet = reader.open(xlsx)) {
            assertThat(sheet.header().sheetName()).isEqualTo("People");
            assertThat(sheet.records().map(RawRecord::names).toList()).containsExactly("Alice");
        }
        try (SheetRecords sheet = SheetReader.defaults().open(xlsx, " people")) {
            assertThat(sheet.header().sheetName()).isEqualTo("People");
        }
        try (SheetRecords sheet = SheetReader.defaults().open(xlsx, "people\u00A0")) {
            assertThat(sheet.header().sheetName()).isEqualTo("People");
        }
        // "Données" named with the e and its accent as two code points, as some systems spell it
        byte[] accented = Xlsx.workbook()
                .sheet("Instructions", row(1, "Fill in the second sheet"))
                .sheet("Donn\u00e9es", header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw"))
                .bytes();
        try (SheetRecords sheet = SheetReader.defaults().open(accented, "Donne\u0301es")) {
            assertThat(sheet.header().sheetName()).isEqualTo("Donn\u00e9es");
        }
        assertThatThrownBy(() -> SheetReader.defaults().open(xlsx, "Instructions"))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.MISSING_COLUMNS);
    }

    @Test
    void records_calledTwice() {
        byte[] xlsx = Xlsx.ofSheetData(header(1) + row(2, "A", "1", "2", "F", "a@b.rw"));

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            sheet.records().close();
            assertThatThrownBy(sheet::records).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void open_styledWorkbookWithoutStylesPartIsReadWithoutFormats() {
        byte[] xlsx = Xlsx.workbook()
                .sheet("S", header(1) + "<row r=\"2\"><c r=\"A2\" s=\"3\"><v>45000</v></c></row>")
                .bytes();

        assertThat(read(xlsx)).extracting(RawRecord::names).containsExactly("45000");
    }

    @Test
    void open_stylesWithGeneralFormat() {
        byte[] xlsx = Xlsx.workbook()
                .part(
                        "xl/styles.xml",
                        STYLES_XF,
                        "<styleSheet xmlns=\"" + Xlsx.SHEET_NS + "\"><cellXfs count=\"1\">"
                                + "<xf numFmtId=\"0\"/></cellXfs></styleSheet>")
                .sheet("S", header(1) + "<row r=\"2\"><c r=\"A2\" s=\"0\"><v>45000</v></c></row>")
                .bytes();

        assertThat(read(xlsx)).extracting(RawRecord::names).containsExactly("45000");
    }
}
