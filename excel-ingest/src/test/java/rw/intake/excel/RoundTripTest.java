package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/** Generator ground truth → written workbook → SheetReader → RecordValidator: the codes of every row agree. */
final class RoundTripTest {

    private static final int YEAR = 2026;

    static Stream<Arguments> specs() {
        SampleSpec plain = SampleSpec.of(3_000, 11).withReferenceYear(YEAR).withInvalidRatio(0.3);
        return Stream.of(
                Arguments.of("plain", plain),
                Arguments.of(
                        "synonyms, shuffled, extra columns, header on row 4, blank rows",
                        plain.withHeaderVariant(true, true, 3, 4).withBlankRowRatio(0.05)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void records_matchGroundTruth(String name, SampleSpec spec) {
        RecordValidator validator = RecordValidator.builder()
                .clock(Clock.fixed(LocalDate.of(YEAR, 6, 1).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC))
                .build();
        BatchValidator batch = validator.newBatch();
        List<String> mismatches = new ArrayList<>();
        long count;
        try (SheetRecords sheet = SheetReader.defaults().open(SampleWorkbooks.xlsxBytes(spec));
                Stream<RawRecord> records = sheet.records()) {
            assertThat(sheet.header().row()).isEqualTo(spec.headerRow());
            assertThat(sheet.header().ignoredColumns()).hasSize(spec.extraColumns());
            Iterator<SampleRow> truth = SampleWorkbooks.rows(spec).iterator();
            count = records.peek(raw -> {
                        SampleRow expected = truth.next();
                        // the reader trims cell text (VALIDATION-RULES.md); the generator pads some cells with spaces
                        RawRecord written = new RawRecord(
                                expected.row(),
                                expected.names().strip(),
                                expected.nid().strip(),
                                expected.phoneNumber().strip(),
                                expected.gender().strip(),
                                expected.email().strip(),
                                expected.nidNumeric(),
                                expected.phoneNumeric());
                        ValidatedRecord validated = batch.next(raw);
                        Set<String> codes = validated.violations().stream()
                                .map(Violation::code)
                                .collect(Collectors.toSet());
                        if (!raw.equals(written) || !codes.equals(expected.expectedCodes())) {
                            mismatches.add("read " + raw + " codes " + codes + " but wrote " + written + " codes "
                                    + expected.expectedCodes());
                        }
                    })
                    .count();
            assertThat(truth.hasNext()).as("records the reader did not return").isFalse();
        }
        assertThat(count).isEqualTo(spec.rows());
        assertThat(mismatches).isEmpty();
    }
}
