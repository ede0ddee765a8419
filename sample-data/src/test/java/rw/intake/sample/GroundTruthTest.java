package rw.intake.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/** The generator's ground truth against what validation-core reports, record by record. */
final class GroundTruthTest {

    /** Every record-level code of VALIDATION-RULES.md but nid.already_registered, which needs a database. */
    static final Set<String> RECORD_LEVEL_CODES = Set.of(
            "names.required",
            "names.length",
            "names.characters",
            "nid.required",
            "nid.format",
            "nid.category",
            "nid.birth_year",
            "nid.gender_digit",
            "nid.gender_mismatch",
            "nid.duplicate",
            "nid.numeric_cell",
            "nid.underage",
            "phone.required",
            "phone.invalid",
            "phone.duplicate",
            "gender.required",
            "gender.invalid",
            "email.required",
            "email.invalid",
            "email.duplicate");

    private static final int YEAR = 2026;

    @Test
    void validate_groundTruthMatchesValidationCore() {
        assertGroundTruth(SampleSpec.of(20_000, 2026).withReferenceYear(YEAR).withInvalidRatio(0.3));
    }

    @Test
    void validate_groundTruthMatchesAtAnotherSeedAndYear() {
        assertGroundTruth(SampleSpec.of(20_000, 77)
                .withReferenceYear(2031)
                .withInvalidRatio(0.1)
                .withBlankRowRatio(0.05));
    }

    private static void assertGroundTruth(SampleSpec spec) {
        Clock clock = Clock.fixed(Instant.parse(spec.referenceYear() + "-06-15T12:00:00Z"), ZoneOffset.UTC);
        BatchValidator batch = RecordValidator.builder().clock(clock).build().newBatch();
        List<String> mismatches = new ArrayList<>();
        int[] checked = {0};
        SampleWorkbooks.rows(spec).forEach(row -> {
            ValidatedRecord result = batch.next(raw(row));
            Set<String> actual =
                    result.violations().stream().map(Violation::code).collect(Collectors.toCollection(TreeSet::new));
            if (!actual.equals(new TreeSet<>(row.expectedCodes())) && mismatches.size() < 25) {
                mismatches.add(row + " -> validation-core says " + actual);
            }
            checked[0]++;
        });

        assertThat(checked[0]).isEqualTo(spec.rows());
        assertThat(mismatches).as("records whose codes differ").isEmpty();
    }

    static RawRecord raw(SampleRow row) {
        return new RawRecord(
                row.row(),
                row.names(),
                row.nid(),
                row.phoneNumber(),
                row.gender(),
                row.email(),
                row.nidNumeric(),
                row.phoneNumeric());
    }
}
