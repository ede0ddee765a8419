package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

/**
 * Workbooks written by other writers, committed as bytes under {@code src/test/resources/fixtures/}: Apache POI
 * (XSSF with shared strings, SXSSF with inline strings; generator {@code fixtures.PoiFixtures}) and LibreOffice
 * Calc 7 (converted headless from {@code src/test/fixture-sources/}), ExcelJS and SheetJS, openpyxl and XlsxWriter,
 * and Gnumeric.
 */
final class InteropTest {

    private record Read(SheetHeader header, List<RawRecord> records, long blankRows, long rowsRead) {}

    private static Read read(String fixture, String sheet) {
        try (SheetRecords s = SheetReader.defaults().open(Xlsx.resource(fixture), sheet)) {
            List<RawRecord> records = s.records().toList();
            return new Read(s.header(), records, s.blankRows(), s.rowsRead());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"poi-shared-strings.xlsx", "poi-streaming-inline-strings.xlsx"})
    void open_poi(String fixture) {
        Read read = read(fixture, null);

        assertThat(read.header().row()).isEqualTo(3);
        assertThat(read.header().sheetName()).isEqualTo("People");
        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.records())
                .containsExactly(
                        new RawRecord(
                                4,
                                "Alice Uwase",
                                "1199070012345601",
                                "0788123456",
                                "F",
                                "alice@example.rw",
                                false,
                                false),
                        new RawRecord(
                                5, "Jean Bosco", "1199880012345678", "788123456", "M", "jb@example.rw", true, true),
                        // a formula's cached text; a numeric formula; 12.5 under "#,##0.00"; a yyyy-mm-dd date cell
                        new RawRecord(6, "Marie Claire", "1199870012345611", "12.5", "F", "2023-03-15", true, true),
                        new RawRecord(9, "Eric", "1199980012345699", "TRUE", "male", "eric@example.rw", false, false));
        // row 7 is written blank, row 8 is not written: both are blank rows
        assertThat(read.blankRows()).isEqualTo(2);
        assertThat(read.rowsRead()).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"poi-shared-strings.xlsx", "poi-streaming-inline-strings.xlsx"})
    void open_poiSecondSheet(String fixture) {
        assertThat(read(fixture, "Staff").records())
                .containsExactly(RawRecord.of(
                        2, "Staff Member", "1198570012345612", "+250 722 123 456", "F", "staff@example.rw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"libreoffice-registrations.xlsx"})
    void open_libreOffice(String fixture) {
        Read read = read(fixture, null);

        assertThat(read.header().row()).isEqualTo(2);
        assertThat(read.header().sheetName()).isEqualTo("Registrations");
        assertThat(read.header().headersFound())
                .containsExactly("Names", "Phone No", "ID Number", "Gender", "Email", "Comment");
        assertThat(read.header().ignoredColumns()).containsExactly("Comment");
        assertThat(read.records())
                .containsExactly(
                        new RawRecord(
                                3,
                                "Alice Uwase",
                                "1199070012345601",
                                "0788123456",
                                "F",
                                "alice@example.rw",
                                false,
                                false),
                        // LibreOffice keeps 15 significant digits of a number: ...678 was saved as ...680
                        new RawRecord(
                                4, "Jean Bosco", "1199880012345680", "788123456", "M", "jb@example.rw", true, true),
                        new RawRecord(
                                5, "Marie Claire", "1199870012345611", "788123456", "F", "2023-03-15", false, true),
                        // LibreOffice saves a boolean as the number 0 or 1 in a General format
                        new RawRecord(7, "Eric", "1199980012345699", "0", "male", "eric@example.rw", false, true));
        assertThat(read.blankRows()).isEqualTo(1);
        assertThat(read.rowsRead()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"libreoffice-registrations.xlsx"})
    void open_libreOfficeSecondSheet(String fixture) {
        assertThat(read(fixture, "Staff").records())
                .containsExactly(new RawRecord(
                        2, "Staff Member", "1198570012345610", "250722123456", "F", "staff@example.rw", true, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"libreoffice-from-csv.xlsx"})
    void open_libreOfficeFromCsv(String fixture) {
        assertThat(read(fixture, null).records())
                .containsExactly(
                        new RawRecord(
                                2, "Alice Uwase", "1199070012345600", "788123456", "F", "alice@example.rw", true, true),
                        new RawRecord(
                                3, "Jean Bosco", "1199880012345680", "788123456", "M", "jb@example.rw", true, true));
    }

    /**
     * ExcelJS 4.4 (a merged title row above the header, shared strings, a column filled down with a formula written as
     * shared formulas) and SheetJS 0.18 (cells of type str); generator {@code fixture-sources/javascript-writers.js}.
     * Both are read by the plain reader to the end.
     */
    @ParameterizedTest
    @ValueSource(strings = {"exceljs-shared-formulas.xlsx", "sheetjs-str-cells.xlsx"})
    void open_javascriptWriters(String fixture) {
        Read read = read(fixture, null);

        int header = fixture.startsWith("exceljs") ? 3 : 1;
        assertThat(read.header().row()).isEqualTo(header);
        assertThat(read.header().ignoredColumns())
                .isEqualTo(header == 3 ? List.of("Registered on", "Name length") : List.of("Registered on"));
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(
                                header + 1, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"),
                        RawRecord.of(
                                header + 2, "Jean Bosco", "1199880012345678", "+250 722 123 456", "M", "jb@example.rw"),
                        RawRecord.of(
                                header + 3,
                                "Espérance Mukamana",
                                "1199870012345611",
                                "0733123456",
                                "Female",
                                "esperance@example.rw"));
        assertReadPlainly(fixture, 3);
    }

    /**
     * openpyxl 3.0 (generator {@code fixture-sources/python-writers.py}): a merged title and a date above the header,
     * which is under synonyms; inline strings; a row with only a remark (blank); a hidden row of number cells; a
     * formula written without a cached value (blank, as Excel would show it before recalculating); an error cell and a
     * boolean.
     */
    @Test
    void open_openpyxl() {
        Read read = read("openpyxl-title-and-types.xlsx", null);

        assertThat(read.header().row()).isEqualTo(4);
        assertThat(read.header().sheetName()).isEqualTo("Members");
        assertThat(read.header().headersFound())
                .containsExactly("Full Name", "National ID", "Phone No.", "Sex", "E-mail:", "Remarks");
        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(5, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"),
                        RawRecord.of(6, "Jean Bosco", "1199880012345678", "+250 722 123 456", "M", "jb@example.rw"),
                        RawRecord.of(
                                7,
                                "Espérance Mukamana",
                                "1199870012345611",
                                "0733123456",
                                "Female",
                                "esperance@example.rw"),
                        new RawRecord(
                                9,
                                "Claude Niyonsaba",
                                "1199780012345622",
                                "788123499",
                                "M",
                                "claude@example.rw",
                                true,
                                true),
                        RawRecord.of(10, "Grace Ingabire", "", "0788000000", "F", "grace@example.rw"),
                        RawRecord.of(11, "Eric Mugisha", "#N/A", "0788111222", "TRUE", "eric@example.rw"));
        assertThat(read.blankRows()).isEqualTo(1);
        assertThat(read.rowsRead()).isEqualTo(7);
        assertReadPlainly("openpyxl-title-and-types.xlsx", 6);
    }

    /**
     * openpyxl with {@code iso_dates=True}, which writes dates as ISO 8601 text ({@code t="d"}), a type fastexcel-reader
     * refuses alone: a date and time typed into the gender column reads as a date cell in a date format would; the
     * dates and the time of day in the unmapped column do not stop the plain reader.
     */
    @Test
    void open_openpyxlIsoDates() {
        Read read = read("openpyxl-iso-dates.xlsx", null);

        assertThat(read.header().ignoredColumns()).containsExactly("Born");
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"),
                        RawRecord.of(
                                3,
                                "Iso Person",
                                "1199880012345679",
                                "0788123457",
                                "2024-03-17T13:45",
                                "iso@example.rw"));
        assertReadPlainly("openpyxl-iso-dates.xlsx", 2);
    }

    /**
     * XlsxWriter 3.0 (generator {@code fixture-sources/python-writers.py}): in its constant-memory mode (inline
     * strings), the list on the second sheet behind an instructions sheet; a formula with its cached text, a number
     * cell, a date in a yyyy-mm-dd format. With shared strings: a table over the list, a rich string of two runs,
     * frozen panes, a NID and a phone number as number cells.
     */
    @ParameterizedTest
    @ValueSource(strings = {"xlsxwriter-constant-memory.xlsx", "xlsxwriter-rich-strings-table.xlsx"})
    void open_xlsxWriter(String fixture) {
        Read read = read(fixture, null);
        boolean constantMemory = fixture.contains("constant-memory");

        assertThat(read.header().row()).isEqualTo(1);
        assertThat(read.header().sheetName()).isEqualTo(constantMemory ? "Data" : "People");
        assertThat(read.header().ignoredColumns()).isEmpty();
        RawRecord alice = RawRecord.of(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw");
        RawRecord esperance = RawRecord.of(
                4, "Espérance Mukamana", "1199870012345611", "0733123456", "Female", "esperance@example.rw");
        if (constantMemory) {
            assertThat(read.records())
                    .containsExactly(
                            alice,
                            RawRecord.of(3, "Jean Bosco", "1199880012345678", "+250 722 123 456", "M", "jb@example.rw"),
                            esperance,
                            new RawRecord(
                                    5,
                                    "Eric Mugisha",
                                    "1199980012345699",
                                    "788123456",
                                    "2024-02-29",
                                    "eric@example.rw",
                                    false,
                                    true));
        } else {
            assertThat(read.records())
                    .containsExactly(
                            alice,
                            new RawRecord(
                                    3, "Jean Bosco", "1199880012345678", "788123456", "M", "jb@example.rw", true, true),
                            esperance);
        }
        assertThat(read.blankRows()).isZero();
        assertReadPlainly(fixture, read.records().size());
    }

    /**
     * XlsxWriter's escapes ({@code fixture-sources/python-writers.py}): a carriage return and a vertical tab written as
     * {@code _x000D_} and {@code _x000B_}, a typed {@code _x0041_} as {@code _x005F_x0041_}; read as the characters
     * they stand for (and trimmed), in shared and inline strings, in the header too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"xlsxwriter-escapes.xlsx", "xlsxwriter-escapes-inline.xlsx"})
    void open_xlsxWriterEscapes(String fixture) {
        Read read = read(fixture, null);

        assertThat(read.header().columns()).containsEntry(Field.PHONE_NUMBER, 2);
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "Jean Bosco", "1199880012345678", "0788123456", "M", "jb@example.rw"),
                        RawRecord.of(3, "Ann\r\nMarie", "1199870012345611", "0733123456", "F", "a_x0041_b@example.rw"),
                        RawRecord.of(
                                4, "Paul\u000bKagame", "1199880012345679", "0788123457", "M", "pk\u000b@example.rw"));
        assertReadPlainly(fixture, 3);
    }

    /**
     * Gnumeric 1.12's {@code ssconvert} from a CSV file ({@code fixture-sources/gnumeric-from-csv.csv}): XML indented
     * with white space between the elements, inline and shared strings side by side, numbers for the digits (a phone
     * number's leading 0 lost, as in any spreadsheet program), no row element for the CSV's blank line.
     */
    @Test
    void open_gnumeric() {
        Read read = read("gnumeric-from-csv.xlsx", null);

        assertThat(read.header().row()).isEqualTo(1);
        assertThat(read.records())
                .containsExactly(
                        new RawRecord(
                                2, "Alice Uwase", "1199070012345601", "788123456", "F", "alice@example.rw", true, true),
                        new RawRecord(
                                3,
                                "Jean Bosco",
                                "1199880012345678",
                                "+250 722 123 456",
                                "M",
                                "jb@example.rw",
                                true,
                                false),
                        new RawRecord(
                                5,
                                "Espérance Mukamana",
                                "1199870012345611",
                                "733123456",
                                "Female",
                                "esperance@example.rw",
                                true,
                                true));
        // the CSV file's blank line 4, which Gnumeric does not write, is a blank row as it is in the CSV file
        assertThat(read.blankRows()).isEqualTo(1);
        assertReadPlainly("gnumeric-from-csv.xlsx", 3);
    }

    /** fastexcel-reader's reading gives as many records, and the plain reader read the sheet to its end. */
    private static void assertReadPlainly(String fixture, int records) {
        try (FastexcelSheet sheet = FastexcelSheet.open(Xlsx.resource(fixture), null, ReadLimits.defaults());
                Stream<RawRecord> read = sheet.records()) {
            assertThat(read.count()).isEqualTo(records);
            assertThat(sheet.readPlainly())
                    .as("read by the plain reader to the end")
                    .isTrue();
        }
    }
}
