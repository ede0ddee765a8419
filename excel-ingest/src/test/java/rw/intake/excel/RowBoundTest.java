package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.validation.RawRecord;

/** The rows a sheet holds, known before reading (for the server's staging reservation), and the cell length bound. */
final class RowBoundTest {

    @Test
    void maxDataRows_rowsBelowTheHeader() {
        StringBuilder data = new StringBuilder(row(1, " ")).append(row(2)).append(header(3));
        for (int r = 4; r < 14; r++) {
            data.append(row(r, "Alice Uwase", "1199880012345678", "0788123456", "F", "a@b.rw"));
        }
        data.append(row(14, " ")).append(row(15, "Bob Mugisha", "1199880012345679", "0788123457", "M", "b@b.rw"));

        try (SheetRecords sheet = SheetReader.defaults().open(Xlsx.ofSheetData(data.toString()))) {
            assertThat(sheet.maxDataRows()).isEqualTo(12);
            assertThat(sheet.records().count()).isEqualTo(11);
            assertThat(sheet.rowsRead()).isEqualTo(12);
        }
    }

    @Test
    void maxDataRows_csv_linesBelowTheHeader() {
        // a title line, the header on line 2, a record over two lines, a blank line, no line feed at the end
        String csv = "District of Gasabo\nnames,nid,phone_number,gender,email\n\"Alice\nUwase\",1,2,F,a@b.rw\n\n"
                + "Bob,1,2,M,b@b.rw";

        try (SheetRecords sheet = SheetReader.defaults().open(csv.getBytes(StandardCharsets.UTF_8))) {
            assertThat(sheet.maxDataRows()).as("lines 3 to 6").isEqualTo(4);
            assertThat(sheet.expectedDataRows()).isEqualTo(4);
            assertThat(sheet.records().count()).isEqualTo(2);
            assertThat(sheet.rowsRead()).isEqualTo(3);
        }
        try (SheetRecords sheet = SheetReader.defaults().open((csv + "\r\n").getBytes(StandardCharsets.UTF_8))) {
            assertThat(sheet.maxDataRows()).isEqualTo(4);
        }
        // lines ended by CR alone (Excel's "CSV (Macintosh)")
        byte[] cr = csv.replace('\n', '\r').getBytes(StandardCharsets.UTF_8);
        try (SheetRecords sheet = SheetReader.defaults().open(cr)) {
            assertThat(sheet.maxDataRows()).isEqualTo(4);
            assertThat(sheet.records().map(RawRecord::row)).containsExactly(3, 6);
        }
    }

    @Test
    void rowCount_prefixedRowsOnly() {
        String xml = "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheetData>"
                + "<x:row r=\"1\"><x:c/></x:row>\n<x:row\nr=\"2\"/><x:row\tr=\"3\"></x:row><x:rows/></x:sheetData>"
                + "<x:rowBreaks count=\"1\"/></x:worksheet>";
        byte[] workbook = Xlsx.workbook().sheetXml("S", xml).bytes();

        assertThat(PackageCheck.inspect(workbook, ReadLimits.defaults()).mostRows())
                .isEqualTo(3);
    }

    @Test
    void open_cellOverSpreadsheetLimit_refused() {
        String longest = "a".repeat(IngestException.MAX_CELL_CHARS);
        byte[] fits = Xlsx.ofSheetData(header(1) + row(2, longest, "1", "2", "F", "a@b.rw"));
        byte[] over = Xlsx.ofSheetData(header(1) + row(2, "Ann", "1", "2", "F", longest + "b"));

        try (SheetRecords sheet = SheetReader.defaults().open(fits)) {
            assertThat(sheet.records().findFirst().orElseThrow().names()).hasSize(IngestException.MAX_CELL_CHARS);
        }
        assertThatThrownBy(() -> SheetReader.defaults().open(over))
                .isInstanceOfSatisfying(
                        IngestException.class, e -> assertThat(e.code()).isEqualTo(IngestException.CELL_TOO_LONG));
    }

    @Test
    void open_csvValueOverItsBound_tooLarge() {
        String header = "names,nid,phone_number,gender,email\n";
        String bound = "a".repeat(16 * 1024 * 1024);
        // a mapped cell: over a spreadsheet cell's 32,767 characters, then over the bound of any value
        byte[] mapped = (header + "\"" + bound.substring(1) + "\",1,2,F,a@b.rw\n").getBytes(StandardCharsets.UTF_8);
        byte[] mappedOver =
                (header + "Ann,1,2,F,a@b.rw\n\"" + bound + "b\",1,2,F,a@b.rw\n").getBytes(StandardCharsets.UTF_8);
        // an unmapped one (a remark), unquoted
        byte[] remark = ("names,nid,phone_number,gender,email,remark\nAnn,1,2,F,a@b.rw," + bound + "b\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] remarkFits = ("names,nid,phone_number,gender,email,remark\nAnn,1,2,F,a@b.rw," + bound + "\n")
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SheetReader.defaults().open(mapped))
                .isInstanceOfSatisfying(
                        IngestException.class, e -> assertThat(e.code()).isEqualTo(IngestException.CELL_TOO_LONG));
        try (SheetRecords sheet = SheetReader.defaults().open(mappedOver)) {
            assertThatThrownBy(() -> sheet.records().count()).isInstanceOfSatisfying(IngestException.class, e -> {
                assertThat(e.code()).isEqualTo(IngestException.TOO_LARGE);
                assertThat(e.details())
                        .containsEntry("line", 3L)
                        .containsEntry("limit", 16L * 1024 * 1024)
                        .containsEntry("limitName", "maxValueChars");
            });
        }
        assertThatThrownBy(() -> SheetReader.defaults().open(remark))
                .isInstanceOfSatisfying(
                        IngestException.class, e -> assertThat(e.code()).isEqualTo(IngestException.TOO_LARGE));
        try (SheetRecords sheet = SheetReader.defaults().open(remarkFits)) {
            assertThat(sheet.records().count()).isEqualTo(1);
            assertThat(sheet.ignoredColumns()).containsExactly("remark");
        }
    }

    /**
     * A row of more columns than a spreadsheet's 16,384 is refused as {@code file.too_large} ({@code maxColumns}): a
     * CSV record of more fields, blank or not, as soon as they are read (a 50 MB line of commas ran the heap out, each
     * field a string), and a sheet's header row with a value past them; a row of 16,384 columns is read.
     */
    @Test
    void open_rowOfMoreColumnsThanASpreadsheet_tooLarge() {
        String header = "names,nid,phone_number,gender,email";
        String widest = header + ",x".repeat(16_384 - 5);
        byte[] csvHeader = (header + ",x".repeat(3_000_000) + "\nAnn,1,2,F,a@b.rw\n").getBytes(StandardCharsets.UTF_8);
        byte[] csvRecord = (header + "\nAnn,1,2,F,a@b.rw" + ",".repeat(16_384) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] csvFits = (widest + "\nAnn,1,2,F,a@b.rw" + ",".repeat(16_379) + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder wide = new StringBuilder("<row r=\"1\">");
        for (String h : header.split(",")) {
            wide.append("<c t=\"inlineStr\"><is><t>").append(h).append("</t></is></c>");
        }
        wide.append("<c t=\"inlineStr\"><is><t>x</t></is></c>".repeat(16_384 - 5));
        byte[] xlsxFits = Xlsx.ofSheetData(wide + "</row>" + row(2, "Ann", "1", "2", "F", "a@b.rw"));
        byte[] xlsxOver = Xlsx.ofSheetData(
                wide + "<c t=\"inlineStr\"><is><t>x</t></is></c></row>" + row(2, "Ann", "1", "2", "F", "a@b.rw"));

        for (byte[] over : new byte[][] {csvHeader, xlsxOver}) {
            assertThatThrownBy(() -> SheetReader.defaults().open(over))
                    .isInstanceOfSatisfying(IngestException.class, e -> {
                        assertThat(e.code()).isEqualTo(IngestException.TOO_LARGE);
                        assertThat(e.details())
                                .containsEntry("row", 1L)
                                .containsEntry("limit", 16_384)
                                .containsEntry("limitName", "maxColumns");
                    });
        }
        // the first record is read as the sheet opens
        assertThatThrownBy(() -> SheetReader.defaults().open(csvRecord))
                .isInstanceOfSatisfying(
                        IngestException.class,
                        e -> assertThat(e.details()).containsEntry("row", 2L).containsEntry("limitName", "maxColumns"));
        for (byte[] fits : new byte[][] {csvFits, xlsxFits}) {
            try (SheetRecords sheet = SheetReader.defaults().open(fits)) {
                assertThat(sheet.records().count()).isEqualTo(1);
                assertThat(sheet.ignoredColumns()).hasSize(16_384 - 5);
            }
        }
    }
}
