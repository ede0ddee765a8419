package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RecordValidatorTest {

    private static ValidatedRecord validateNid(RecordValidator v, String nid) {
        return v.validate(Records.with(Field.NID, nid));
    }

    @ParameterizedTest(name = "[{index}] {0}: {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "2026-06-01T00:00:00Z | 1202680035534601 | nid.underage",
                "2025-06-01T00:00:00Z | 1202680035534601 | nid.birth_year",
                "2042-06-01T00:00:00Z | 1202680035534601 | ''",
                "2042-06-01T00:00:00Z | 1204280035534601 | nid.underage",
            })
    void clock_decidesTheCurrentYear(String instant, String nid, String codes) {
        RecordValidator v = RecordValidator.builder()
                .clock(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC))
                .build();

        assertThat(Records.codes(validateNid(v, nid))).isEqualTo(Records.expected(codes));
    }

    @Test
    void clock_yearTurnsInTheClocksZone() {
        Instant newYearInKigali = Instant.parse("2026-12-31T22:30:00Z");
        RecordValidator kigali = RecordValidator.builder()
                .clock(Clock.fixed(newYearInKigali, ZoneId.of("Africa/Kigali")))
                .build();
        RecordValidator utc = RecordValidator.builder()
                .clock(Clock.fixed(newYearInKigali, ZoneOffset.UTC))
                .build();

        assertThat(Records.codes(validateNid(kigali, "1202780035534601"))).isEqualTo("nid.underage");
        assertThat(Records.codes(validateNid(utc, "1202780035534601"))).isEqualTo("nid.birth_year");
    }

    @ParameterizedTest(name = "[{index}] minimum {0}, born {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "16 | 2010 | ''",
                "16 | 2011 | nid.underage",
                "18 | 2008 | ''",
                "18 | 2009 | nid.underage",
                "0  | 2026 | ''",
                "1  | 2026 | nid.underage",
            })
    void minimumAge_underageIsCurrentYearMinusBirthYearBelowIt(int minimumAge, int birthYear, String codes) {
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .minimumAge(minimumAge)
                .build();

        ValidatedRecord r = validateNid(v, "1" + birthYear + "80035534601");

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
        assertThat(r.valid()).isTrue();
    }

    @Test
    void phoneRegions_acceptAnotherCountrysMobiles() {
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .phoneRegions(Set.of("RW", "KE"))
                .build();

        ValidatedRecord kenyan = v.validate(Records.with(Field.PHONE_NUMBER, "+254 712 345 678"));
        ValidatedRecord byDefault = Records.VALIDATOR.validate(Records.with(Field.PHONE_NUMBER, "+254 712 345 678"));

        assertThat(kenyan.normalized().phoneNumber()).isEqualTo("+254712345678");
        assertThat(kenyan.violations()).isEmpty();
        assertThat(Records.codes(byDefault)).isEqualTo("phone.invalid");
    }

    @Test
    void phoneRegions_otherCountriesNumbersAreDuplicatesToo() {
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .phoneRegions(Set.of("RW", "CN"))
                .build();
        BatchValidator batch = v.newBatch();

        batch.next(Records.with(2, Field.PHONE_NUMBER, "+86 138 1234 5678"));
        ValidatedRecord again = batch.next(Records.with(3, Field.PHONE_NUMBER, "+8613812345678"));

        assertThat(again.violations())
                .extracting(Violation::code, Violation::relatedRow)
                .contains(tuple("phone.duplicate", 2));
    }

    @Test
    void phoneRegions_unknownRegionIsRejected() {
        assertThatThrownBy(() ->
                        RecordValidator.builder().phoneRegions(Set.of("XX")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no phone metadata for region XX");
    }

    @Test
    void validate_validRecordIsNormalized() {
        RawRecord raw =
                RawRecord.of(7, "  Bob  Kagabo ", "1199 4800 3553 4601", "(078) 557-6983", " male ", "Bob@GMAIL.com ");

        ValidatedRecord r = Records.VALIDATOR.validate(raw);

        assertThat(r.valid()).isTrue();
        assertThat(r.violations()).isEmpty();
        assertThat(r.row()).isEqualTo(7);
        assertThat(r.raw()).isSameAs(raw);
        assertThat(r.normalized())
                .isEqualTo(new Normalized("Bob Kagabo", "1199480035534601", "+250785576983", "M", "Bob@gmail.com"));
    }

    @Test
    void validate_everyFieldEmpty() {
        ValidatedRecord r = Records.VALIDATOR.validate(RawRecord.of(2, "", "", "", "", ""));

        assertThat(Records.codes(r))
                .isEqualTo("names.required nid.required phone.required gender.required email.required");
        assertThat(r.violations()).allSatisfy(v -> assertThat(v.severity()).isEqualTo(Severity.ERROR));
        assertThat(r.normalized()).isEqualTo(new Normalized(null, null, null, null, null));
        assertThat(r.displayValue(Field.NAMES)).isEmpty();
    }

    @Test
    void displayValue_invalidValueBetweenNoBreakSpaces() {
        ValidatedRecord r = Records.VALIDATOR.validate(
                RawRecord.of(2, "\u00A0X\u00A0", "1199480035534601", "0785576983", "M", "\u00A0x@y\u00A0"));

        assertThat(Records.codes(r)).isEqualTo("names.length email.invalid");
        assertThat(r.displayValue(Field.NAMES)).isEqualTo("X");
        assertThat(r.displayValue(Field.EMAIL)).isEqualTo("x@y");
    }

    @Test
    void validate_violationsInFieldOrder() {
        RawRecord raw = new RawRecord(2, "X", "4199470035534601", "12", "M", "x@y", true, true);

        ValidatedRecord r = Records.VALIDATOR.validate(raw);

        assertThat(Records.codes(r))
                .isEqualTo(
                        "names.length nid.category nid.gender_mismatch nid.numeric_cell phone.invalid email.invalid");
        assertThat(r.violations()).extracting(Violation::field).isSorted();
    }

    @Test
    void defaults_areThoseOfTheRulesPage() {
        RecordValidator v = RecordValidator.defaults();

        assertThat(v.minimumAge()).isEqualTo(16);
        assertThat(v.phoneRegions()).containsExactly("RW");
        assertThat(v.registeredNids().registeredAmong(Set.of("1199480035534601")))
                .isEmpty();
    }
}
