package rw.intake.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class SampleWorkbooksTest {

    private static final int YEAR = 2026;
    private static final List<String> CANONICAL = List.of("Names", "NID", "Phone Number", "Gender", "Email");
    /** The synonyms of VALIDATION-RULES.md, in Field order, normalized (lower case; no space, _, - or .). */
    private static final List<Set<String>> SYNONYMS = List.of(
            Set.of("names", "name", "fullname", "fullnames"),
            Set.of("nid", "nationalid", "nationalidnumber", "idnumber"),
            Set.of("phonenumber", "phone", "phoneno", "mobile", "mobilenumber", "telephone", "msisdn"),
            Set.of("gender", "sex"),
            Set.of("email", "emailaddress"));

    private static SampleSpec spec(int rows, long seed) {
        return SampleSpec.of(rows, seed).withReferenceYear(YEAR);
    }

    @Test
    void xlsxBytes_sameSpecSameBytes() {
        SampleSpec spec = spec(3000, 11).withHeaderVariant(true, true, 3, 2).withBlankRowRatio(0.05);

        assertThat(SampleWorkbooks.xlsxBytes(spec)).isEqualTo(SampleWorkbooks.xlsxBytes(spec));
    }

    @Test
    void xlsxBytes_otherSeedOtherBytes() {
        assertThat(SampleWorkbooks.xlsxBytes(spec(200, 1))).isNotEqualTo(SampleWorkbooks.xlsxBytes(spec(200, 2)));
    }

    @Test
    void xlsxBytes_plainSpecReadsBackAsRows() {
        SampleSpec spec = spec(2000, 5).withInvalidRatio(0.5);

        SheetContent sheet = SheetContent.read(SampleWorkbooks.xlsxBytes(spec));

        assertThat(sheet.sheetName()).isEqualTo(SampleWorkbooks.SHEET_NAME);
        assertThat(sheet.rows().get(1)).extracting(SheetContent.Text::value).containsExactlyElementsOf(CANONICAL);
        List<SampleRow> rows = SampleWorkbooks.rows(spec).toList();
        assertThat(rows).extracting(SampleRow::row).startsWith(2, 3, 4).endsWith(2001);
        assertCellsMatch(sheet, rows, List.of(0, 1, 2, 3, 4));
    }

    @Test
    void xlsxBytes_headerVariantsAppearInTheFile() {
        SampleSpec spec = spec(3000, 9).withHeaderVariant(true, true, 4, 4).withBlankRowRatio(0.1);

        SheetContent sheet = SheetContent.read(SampleWorkbooks.xlsxBytes(spec));

        for (int above = 1; above < 4; above++) {
            assertThat(sheet.rows().get(above))
                    .as("row %d above the header", above)
                    .isNotEmpty()
                    .allMatch(cell -> cell.value().isBlank());
        }
        List<String> header =
                sheet.rows().get(4).stream().map(SheetContent.Text::value).toList();
        assertThat(header).hasSize(9).doesNotContainAnyElementsOf(CANONICAL);
        List<Integer> fieldColumns = new ArrayList<>();
        for (Set<String> synonyms : SYNONYMS) {
            List<Integer> matching = new ArrayList<>();
            for (int c = 0; c < header.size(); c++) {
                if (synonyms.contains(normalize(header.get(c)))) {
                    matching.add(c);
                }
            }
            assertThat(matching).as("columns for %s in %s", synonyms, header).hasSize(1);
            fieldColumns.add(matching.get(0));
        }
        assertThat(fieldColumns).as("shuffled").isNotEqualTo(List.of(0, 1, 2, 3, 4));
        List<String> extras = new ArrayList<>(header);
        fieldColumns.forEach(c -> extras.remove(header.get(c)));
        assertThat(extras).hasSize(4).allMatch(h -> SYNONYMS.stream().noneMatch(s -> s.contains(normalize(h))));
        List<SampleRow> rows = SampleWorkbooks.rows(spec).toList();
        int last = rows.get(rows.size() - 1).row();
        long blankRows = SampleWorkbooks.blankRows(spec);
        assertThat(blankRows).isGreaterThan(100).isEqualTo(last - 4 - rows.size());
        assertThat(sheet.rows()).as("every row is in the sheet, blank or not").hasSize(last);
        Set<Integer> recordRows = rows.stream().map(SampleRow::row).collect(Collectors.toSet());
        long blankMapped = sheet.rows().keySet().stream()
                .filter(r -> r > 4)
                .filter(r -> fieldColumns.stream()
                        .allMatch(c -> sheet.cell(r, c).value().isBlank()))
                .count();
        assertThat(blankMapped).isEqualTo(blankRows);
        assertThat(sheet.rows().keySet())
                .filteredOn(r -> r > 4 && !recordRows.contains(r))
                .anyMatch(r -> sheet.rows().get(r).stream()
                        .anyMatch(cell -> !cell.value().isBlank()));
        assertCellsMatch(sheet, rows, fieldColumns);
        for (SampleRow row : rows) {
            for (int c = 0; c < header.size(); c++) {
                if (!fieldColumns.contains(c) && !header.get(c).startsWith("Notes")) {
                    assertThat(sheet.cell(row.row(), c).value())
                            .as("extra %s on row %d", header.get(c), row.row())
                            .isNotBlank();
                }
            }
        }
    }

    @Test
    void rows_blankRowsAreGapsInTheRowNumbers() {
        List<SampleRow> rows =
                SampleWorkbooks.rows(spec(5000, 3).withBlankRowRatio(0.2)).toList();

        assertThat(rows).hasSize(5000);
        int last = rows.get(rows.size() - 1).row();
        double blankShare = (double) (last - 1 - rows.size()) / (last - 1);
        assertThat(blankShare).isBetween(0.18, 0.22);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).row()).isGreaterThan(rows.get(i - 1).row());
        }
    }

    @Test
    void rows_invalidRatioIsTheShareOfRecordsWithCodes() {
        assertThat(shareWithCodes(spec(10_000, 4).withInvalidRatio(0.1))).isBetween(0.09, 0.11);
        assertThat(shareWithCodes(spec(10_000, 4).withInvalidRatio(0.3))).isBetween(0.28, 0.32);
        assertThat(shareWithCodes(spec(2000, 4).withInvalidRatio(0))).isZero();
        assertThat(shareWithCodes(spec(2000, 4).withInvalidRatio(1))).isEqualTo(1.0);
    }

    @Test
    void rows_coverEveryRecordLevelCode() {
        Set<String> codes = SampleWorkbooks.rows(spec(20_000, 8).withInvalidRatio(0.3))
                .flatMap(r -> r.expectedCodes().stream())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(codes).containsExactlyInAnyOrderElementsOf(GroundTruthTest.RECORD_LEVEL_CODES);
    }

    @Test
    void rows_sameSpecSameRecords() {
        SampleSpec spec = spec(1000, 21).withInvalidRatio(0.4);

        assertThat(SampleWorkbooks.rows(spec).toList())
                .isEqualTo(SampleWorkbooks.rows(spec).toList());
    }

    /** More records than a sheet's rows below the header, or a header and records past its last row. */
    @Test
    void rows_pastTheSheetsLastRow_refusedBeforeAnyRecord() {
        for (SampleSpec spec : List.of(
                new SampleSpec(1_048_576, 0.1, 1, YEAR, false, false, 0, 1, 0),
                new SampleSpec(2, 0.1, 1, YEAR, false, false, 0, 1_048_575, 0),
                new SampleSpec(1_000_000, 0.1, 1, YEAR, false, false, 0, 1, 0.05))) {
            assertThatThrownBy(() -> SampleWorkbooks.rows(spec))
                    .as(spec.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1048576");
        }
        assertThat(SampleWorkbooks.rows(new SampleSpec(1, 0.1, 1, YEAR, false, false, 0, 1_048_575, 0)))
                .singleElement()
                .extracting(SampleRow::row)
                .isEqualTo(1_048_576);
    }

    @Test
    void write_sidecarHasOneSortedLinePerRecord() throws IOException {
        SampleSpec spec =
                spec(3000, 13).withInvalidRatio(0.5).withBlankRowRatio(0.1).withHeaderVariant(false, false, 0, 3);
        StringWriter csv = new StringWriter();

        SampleWorkbooks.write(spec, new ByteArrayOutputStream(), csv);

        List<String> lines = csv.toString().lines().toList();
        List<SampleRow> rows = SampleWorkbooks.rows(spec).toList();
        assertThat(lines).hasSize(rows.size() + 1);
        assertThat(lines.get(0)).isEqualTo("row,codes");
        assertThat(csv.toString()).endsWith("\n");
        for (int i = 0; i < rows.size(); i++) {
            String line = lines.get(i + 1);
            assertThat(line).matches("\\d+,([a-z_]+\\.[a-z_]+(\\|[a-z_]+\\.[a-z_]+)*)?");
            String[] parts = line.split(",", -1);
            assertThat(Integer.parseInt(parts[0])).isEqualTo(rows.get(i).row());
            List<String> codes = parts[1].isEmpty() ? List.of() : List.of(parts[1].split("\\|"));
            assertThat(codes)
                    .isSorted()
                    .containsExactlyInAnyOrderElementsOf(rows.get(i).expectedCodes());
            assertThat(SampleWorkbooks.expectedLine(rows.get(i))).isEqualTo(line);
        }
        assertThat(lines).anyMatch(l -> l.contains("|"));
    }

    private static double shareWithCodes(SampleSpec spec) {
        return SampleWorkbooks.rows(spec)
                        .filter(r -> !r.expectedCodes().isEmpty())
                        .count()
                / (double) spec.rows();
    }

    private static void assertCellsMatch(SheetContent sheet, List<SampleRow> rows, List<Integer> fieldColumns) {
        for (SampleRow row : rows) {
            int r = row.row();
            assertThat(sheet.cell(r, fieldColumns.get(0)).value())
                    .as("names, row %d", r)
                    .isEqualTo(row.names());
            assertThat(sheet.cell(r, fieldColumns.get(1)))
                    .as("nid, row %d", r)
                    .isEqualTo(new SheetContent.Text(row.nid(), row.nidNumeric()));
            assertThat(sheet.cell(r, fieldColumns.get(2)))
                    .as("phone, row %d", r)
                    .isEqualTo(new SheetContent.Text(row.phoneNumber(), row.phoneNumeric()));
            assertThat(sheet.cell(r, fieldColumns.get(3)).value())
                    .as("gender, row %d", r)
                    .isEqualTo(row.gender());
            assertThat(sheet.cell(r, fieldColumns.get(4)).value())
                    .as("email, row %d", r)
                    .isEqualTo(row.email());
        }
    }

    private static String normalize(String header) {
        return header.toLowerCase(Locale.ROOT).replaceAll("[\\s_.\\-]", "");
    }
}
