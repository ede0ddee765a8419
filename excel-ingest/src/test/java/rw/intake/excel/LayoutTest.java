package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.VisibilityState;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

/**
 * The layouts district offices send, each written twice: by LibreOffice Calc (fixtures {@code layout-*.xlsx},
 * converted from the {@code .fods} sources in {@code src/test/fixture-sources/} by {@code regenerate.sh} there) and
 * by fastexcel's writer here. A formula's cached value is covered by LibreOffice only (fastexcel writes formulas
 * without one) and by hand-written XML in {@link SheetReaderTest}.
 */
final class LayoutTest {

    private static final RawRecord ALICE =
            RawRecord.of(1, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw");
    private static final RawRecord BOSCO =
            RawRecord.of(1, "Jean Bosco", "1199880012345602", "0722123456", "M", "jb@example.rw");
    private static final String[] HEADER = {"Names", "NID", "Phone", "Gender", "Email"};

    private record Read(
            SheetHeader header, List<RawRecord> records, long blankRows, long rowsRead, List<String> otherLists) {}

    private static Read read(byte[] bytes, String sheet) {
        return read(SheetReader.defaults().open(bytes, sheet));
    }

    private static Read read(SheetRecords opened) {
        try (SheetRecords s = opened) {
            List<RawRecord> records = s.records().toList();
            assertThat(records.size() + s.blankRows()).isEqualTo(s.rowsRead());
            return new Read(s.header(), records, s.blankRows(), s.rowsRead(), s.otherLists());
        }
    }

    private static RawRecord at(int row, RawRecord r) {
        return new RawRecord(
                row, r.names(), r.nid(), r.phoneNumber(), r.gender(), r.email(), r.nidNumeric(), r.phoneNumeric());
    }

    /** A workbook written by fastexcel; {@code sheets} fills it. */
    private static byte[] fastexcel(WorkbookFiller sheets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Workbook wb = new Workbook(out, "LayoutTest", "1.0");
            sheets.fill(wb);
            wb.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface WorkbookFiller {
        void fill(Workbook wb) throws IOException;
    }

    private static void values(Worksheet ws, int row, String... values) {
        for (int c = 0; c < values.length; c++) {
            if (values[c] != null) {
                ws.value(row, c, values[c]);
            }
        }
    }

    private static String[] cells(RawRecord r) {
        return new String[] {r.names(), r.nid(), r.phoneNumber(), r.gender(), r.email()};
    }

    private static void assertTitleAboveHeader(Read read, int headerRow) {
        assertThat(read.header().row()).isEqualTo(headerRow);
        assertThat(read.header().headersFound())
                .containsExactly("Full Name:", "National ID:", "Tel:", "Sex", "E-mail", "Remarks");
        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.header().columns())
                .isEqualTo(
                        Map.of(Field.NAMES, 0, Field.NID, 1, Field.PHONE_NUMBER, 2, Field.GENDER, 3, Field.EMAIL, 4));
        assertThat(read.records()).containsExactly(at(headerRow + 1, ALICE), at(headerRow + 2, BOSCO));
        assertThat(read.rowsRead()).isEqualTo(2);
    }

    @Test
    void open_titleAboveHeaderLibreOffice() {
        assertTitleAboveHeader(read(Xlsx.resource("layout-title-above-header.xlsx"), null), 5);
    }

    @Test
    void open_titleAboveHeaderFastexcel() {
        byte[] xlsx = fastexcel(wb -> {
            Worksheet ws = wb.newWorksheet("Registrations");
            values(ws, 0, "District of Gasabo: registrations");
            ws.value(1, 0, "Date:");
            ws.value(1, 1, LocalDate.of(2024, 5, 2));
            ws.style(1, 1).format("yyyy-mm-dd").set();
            // a notes row that names two fields is not the header (three are needed)
            values(ws, 2, "Name: as on the ID card", "Phone", "mobile");
            values(ws, 4, "Full Name:", "National ID:", "Tel:", "Sex", "E-mail", "Remarks");
            values(ws, 5, cells(ALICE));
            ws.value(5, 5, "first");
            values(ws, 6, cells(BOSCO));
        });

        assertTitleAboveHeader(read(xlsx, null), 5);
    }

    @Test
    void open_headerFoundOnlyAmongFirstTwentyRows() {
        String rows = row(1, "List of people");
        byte[] late = Xlsx.ofSheetData(rows + header(22) + row(23, "A", "1", "2", "F", "a@b.rw"));

        // no row up to 20 maps three fields: the first non-blank row is the header, and it lacks them all
        assertThatThrownBy(() -> read(late, null))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.MISSING_COLUMNS)
                .extracting(e -> ((IngestException) e).details().get("headerRow"))
                .isEqualTo(1);

        // with nothing above, a header further down is still the first non-blank row
        byte[] blankAbove = Xlsx.ofSheetData(row(2, " ") + header(30) + row(31, "A", "1", "2", "F", "a@b.rw"));
        assertThat(read(blankAbove, null).records()).extracting(RawRecord::row).containsExactly(31);
    }

    private static void assertInstructionsFirst(byte[] xlsx) {
        Read read = read(xlsx, null);
        assertThat(read.header().sheetName()).isEqualTo("List");
        assertThat(read.header().row()).isEqualTo(1);
        assertThat(read.records()).containsExactly(at(2, ALICE), at(3, BOSCO));
        assertThatThrownBy(() -> read(xlsx, "Instructions"))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.MISSING_COLUMNS);
    }

    @Test
    void open_instructionsSheetFirstLibreOffice() {
        assertInstructionsFirst(Xlsx.resource("layout-instructions-first.xlsx"));
    }

    @Test
    void open_instructionsSheetFirstFastexcel() {
        assertInstructionsFirst(fastexcel(wb -> {
            Worksheet help = wb.newWorksheet("Instructions");
            values(help, 0, "How to fill in the list");
            values(help, 1, "Names", "as on the ID card");
            values(help, 2, "Phone", "a mobile number");
            Worksheet list = wb.newWorksheet("List");
            values(list, 0, HEADER);
            values(list, 1, cells(ALICE));
            values(list, 2, cells(BOSCO));
        }));
    }

    @Test
    void open_templateSheetWithHeaderOnlyFirst_theListIsRead() {
        byte[] xlsx = fastexcel(wb -> {
            Worksheet template = wb.newWorksheet("Template");
            values(template, 0, "Fill in one person a row, on the sheet List");
            values(template, 2, HEADER);
            // a row whose five mapped cells are blank is not a record: the template holds none
            values(template, 3, null, null, null, null, null, "example");
            Worksheet list = wb.newWorksheet("List");
            values(list, 0, HEADER);
            values(list, 1, cells(ALICE));
            values(list, 2, cells(BOSCO));
        });

        Read read = read(xlsx, null);
        assertThat(read.header().sheetName()).isEqualTo("List");
        assertThat(read.records()).containsExactly(at(2, ALICE), at(3, BOSCO));
        // named, the template is what the client asked for: it has no data
        assertThatThrownBy(() -> read(xlsx, "Template"))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.EMPTY);
    }

    @Test
    void open_aListOnSeveralSheets_theOthersAreNamed() {
        RawRecord claude = RawRecord.of(1, "Claude Niyonzima", "1198580012345603", "0733123456", "M", "cn@example.rw");
        RawRecord diane = RawRecord.of(1, "Diane Mukamana", "1199370012345604", "0788654321", "F", "dm@example.rw");
        byte[] xlsx = fastexcel(wb -> {
            Worksheet kigali = wb.newWorksheet("Kigali");
            values(kigali, 0, HEADER);
            values(kigali, 1, cells(ALICE));
            values(kigali, 2, cells(BOSCO));
            values(wb.newWorksheet("Notes"), 0, "Lists of the districts, one a sheet");
            Worksheet huye = wb.newWorksheet("Huye");
            values(huye, 0, "District of Huye");
            values(huye, 2, "Full Name", "National ID", "Tel", "Sex", "E-mail");
            values(huye, 3, cells(claude));
            Worksheet lookups = wb.newWorksheet("Lookups");
            values(lookups, 0, "Names", "Gender", "Phone");
            values(lookups, 1, "example", "F", "07...");
            values(wb.newWorksheet("Template"), 0, HEADER);
            Worksheet musanze = wb.newWorksheet("Musanze");
            values(musanze, 0, HEADER);
            values(musanze, 1, cells(diane));
        });

        // the first list is read, whole; the later sheets that hold a list are named, not a template or a look-up table
        Read read = read(xlsx, null);
        assertThat(read.header().sheetName()).isEqualTo("Kigali");
        assertThat(read.records()).containsExactly(at(2, ALICE), at(3, BOSCO));
        assertThat(read.otherLists()).containsExactly("Huye", "Musanze");
        // the same with every part left to be read once (as a large sheet is), shared strings included
        Read once = read(FastexcelSheet.open(xlsx, null, ReadLimits.defaults(), 0));
        assertThat(once.records()).containsExactly(at(2, ALICE), at(3, BOSCO));
        assertThat(once.otherLists()).containsExactly("Huye", "Musanze");
        // a sheet named: every other list is named, those before it too
        Read named = read(xlsx, "Musanze");
        assertThat(named.records()).containsExactly(at(2, diane));
        assertThat(named.otherLists()).containsExactly("Kigali", "Huye");
        assertThat(read(xlsx, "Huye").otherLists()).containsExactly("Kigali", "Musanze");
        assertThat(read(xlsx, "Kigali").otherLists()).containsExactly("Huye", "Musanze");
        // a workbook of one list and an instructions sheet: nothing more to name
        assertThat(read(Xlsx.resource("layout-instructions-first.xlsx"), null).otherLists())
                .isEmpty();
    }

    @Test
    void open_everySheetHeaderOnly_theFirstWithTheWholeHeaderIsNamed() {
        byte[] xlsx = fastexcel(wb -> {
            values(wb.newWorksheet("Instructions"), 0, "How to fill in the list");
            values(wb.newWorksheet("Template"), 1, HEADER);
            values(wb.newWorksheet("List"), 0, HEADER);
        });

        assertThatThrownBy(() -> read(xlsx, null))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.EMPTY)
                .hasMessage("The sheet \"Template\" has a header in row 2 but no data rows below it.");
    }

    @Test
    void open_noSheetMapsAllFieldsFirstDecides() {
        byte[] xlsx = fastexcel(wb -> {
            values(wb.newWorksheet("Instructions"), 0, "Names", "NID", "Phone");
            values(wb.newWorksheet("Almost"), 0, "Names", "NID", "Phone", "Gender");
        });

        assertThatThrownBy(() -> read(xlsx, null))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.MISSING_COLUMNS)
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(Map.of(
                        "sheet",
                        "Instructions",
                        "headerRow",
                        1,
                        "missing",
                        List.of("gender", "email"),
                        "headersFound",
                        List.of("Names", "NID", "Phone"),
                        "accepted",
                        Map.of(
                                "gender",
                                List.of("gender", "sex"),
                                "email",
                                List.of("email", "e-mail", "email address"))));
    }

    private static void assertHidden(byte[] xlsx) {
        Read read = read(xlsx, null);
        RawRecord eric = RawRecord.of(4, "Eric Mugisha", "1199980012345603", "0788000111", "M", "eric@example.rw");
        assertThat(read.header().sheetName()).isEqualTo("People");
        assertThat(read.header().ignoredColumns()).containsExactly("Code");
        assertThat(read.header().columns().get(Field.NID)).isEqualTo(2);
        assertThat(read.records()).containsExactly(at(2, ALICE), at(3, BOSCO), eric);
    }

    @Test
    void open_hiddenSheetRowAndColumnLibreOffice() {
        assertHidden(Xlsx.resource("layout-hidden.xlsx"));
    }

    @Test
    void open_hiddenSheetRowAndColumnFastexcel() {
        assertHidden(fastexcel(wb -> {
            values(wb.newWorksheet("Notes"), 0, "The list is on a hidden sheet");
            Worksheet ws = wb.newWorksheet("People");
            ws.setVisibilityState(VisibilityState.HIDDEN);
            values(ws, 0, "Names", "Code", "NID", "Phone", "Gender", "Email");
            List<String[]> rows = List.of(cells(ALICE), cells(BOSCO), new String[] {
                "Eric Mugisha", "1199980012345603", "0788000111", "M", "eric@example.rw"
            });
            for (int r = 0; r < rows.size(); r++) {
                List<String> withCode = new ArrayList<>(List.of(rows.get(r)));
                withCode.add(1, "X" + (r + 1));
                values(ws, r + 1, withCode.toArray(String[]::new));
            }
            ws.hideColumn(1);
            ws.hideRow(2);
        }));
    }

    private static void assertMerged(byte[] xlsx) {
        Read read = read(xlsx, null);
        assertThat(read.header().row()).isEqualTo(2);
        // a merged cell's value is its top-left cell's: the cells it covers read blank
        assertThat(read.records())
                .containsExactly(
                        at(3, ALICE),
                        RawRecord.of(4, "Aline Ingabire", "1199270012345604", "0788000222", "", "aline@example.rw"),
                        RawRecord.of(5, "Grace Uwimana", "", "0788000333", "F", "grace@example.rw"));
    }

    @Test
    void open_mergedCellsLibreOffice() {
        assertMerged(Xlsx.resource("layout-merged-cells.xlsx"));
    }

    @Test
    void open_mergedCellsFastexcel() {
        assertMerged(fastexcel(wb -> {
            Worksheet ws = wb.newWorksheet("Merged");
            values(ws, 0, "Registrations");
            ws.range(0, 0, 0, 4).merge();
            values(ws, 1, HEADER);
            values(ws, 2, cells(ALICE));
            values(ws, 3, "Aline Ingabire", "1199270012345604", "0788000222", null, "aline@example.rw");
            ws.range(2, 3, 3, 3).merge();
            values(ws, 4, "Grace Uwimana", null, "0788000333", "F", "grace@example.rw");
            ws.range(4, 0, 4, 1).merge();
        }));
    }

    private static void assertDateInNid(byte[] xlsx) {
        // an ISO date, and no nid.numeric_cell flag: a date is not a number that lost its last digits
        assertThat(read(xlsx, null).records())
                .containsExactly(
                        RawRecord.of(2, "Alice Uwase", "1990-01-02", "0788123456", "F", "alice@example.rw"),
                        at(3, BOSCO));
    }

    @Test
    void open_dateInNidColumnLibreOffice() {
        assertDateInNid(Xlsx.resource("layout-date-in-nid.xlsx"));
    }

    @Test
    void open_dateInNidColumnFastexcel() {
        assertDateInNid(fastexcel(wb -> {
            Worksheet ws = wb.newWorksheet("People");
            values(ws, 0, HEADER);
            values(ws, 1, "Alice Uwase", null, "0788123456", "F", "alice@example.rw");
            ws.value(1, 1, LocalDate.of(1990, 1, 2));
            ws.style(1, 1).format("dd/mm/yyyy").set();
            values(ws, 2, cells(BOSCO));
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"layout-formula-cached.xlsx"})
    void open_formulaCachedValuesLibreOffice(String fixture) {
        assertThat(read(Xlsx.resource(fixture), null).records())
                .containsExactly(new RawRecord(
                        2, "Alice Uwase", "1199070012345601", "788123456", "F", "alice@example.rw", false, true));
    }
}
