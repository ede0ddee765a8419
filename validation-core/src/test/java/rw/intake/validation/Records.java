package rw.intake.validation;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/** Test records: one valid record to vary a field of, a validator whose current year is 2026, and code lists. */
final class Records {

    static final Clock CLOCK_2026 = Clock.fixed(Instant.parse("2026-06-01T10:00:00Z"), ZoneOffset.UTC);
    static final RecordValidator VALIDATOR =
            RecordValidator.builder().clock(CLOCK_2026).build();

    private Records() {}

    static RawRecord valid(int row) {
        return RawRecord.of(row, "Bob Kagabo", "1199480035534601", "0785576983", "M", "bob@gmail.com");
    }

    /** The valid record on row 2 with one field's cell replaced ({@code null} from a CSV table reads as empty). */
    static RawRecord with(Field field, String value) {
        return with(2, field, value);
    }

    static RawRecord with(int row, Field field, String value) {
        RawRecord r = valid(row);
        String v = value == null ? "" : value;
        return new RawRecord(
                row,
                field == Field.NAMES ? v : r.names(),
                field == Field.NID ? v : r.nid(),
                field == Field.PHONE_NUMBER ? v : r.phoneNumber(),
                field == Field.GENDER ? v : r.gender(),
                field == Field.EMAIL ? v : r.email(),
                false,
                false);
    }

    /** The codes of a record's violations, space-separated in order ({@code ""} for none). */
    static String codes(ValidatedRecord r) {
        return r.violations().stream().map(Violation::code).collect(Collectors.joining(" "));
    }

    /** The expected codes of a CSV cell ({@code null} or empty means none). */
    static String expected(String codes) {
        return codes == null ? "" : codes;
    }

    static List<String> codesOf(ValidatedRecord r, Field field) {
        return r.violations().stream()
                .filter(v -> v.field() == field)
                .map(Violation::code)
                .toList();
    }
}
