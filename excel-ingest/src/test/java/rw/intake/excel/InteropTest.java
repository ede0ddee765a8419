package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.validation.RawRecord;

/**
 * Workbooks written by other writers, committed as bytes under {@code src/test/resources/fixtures/}: Apache POI
 * (XSSF with shared strings, SXSSF with inline strings; generator {@code fixtures.PoiFixtures}) and LibreOffice
 * Calc 7 (converted headless from {@code src/test/fixture-sources/}).
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
        assertThat(read.blankRows()).isEqualTo(1);
        assertThat(read.rowsRead()).isEqualTo(5);
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
}
