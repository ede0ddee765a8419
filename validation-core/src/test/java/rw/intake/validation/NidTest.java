package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

final class NidTest {

    private static final long SEED = 20261128L;

    @ParameterizedTest(name = "[{index}] \"{0}\" {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1199480035534601       | M | ''                                        | 1199480035534601",
                "2199480035534601       | M | ''                                        | 2199480035534601",
                "3199470035534601       | F | ''                                        | 3199470035534601",
                "'1199 4800 3553 4601'  | M | ''                                        | 1199480035534601",
                "' 1199480035534601 '   | M | ''                                        | 1199480035534601",
                "''                     | M | nid.required                              |",
                "'   '                  | M | nid.required                              |",
                "119948003553460        | M | nid.format                                |",
                "11994800355346012      | M | nid.format                                |",
                "11994800355346O1       | M | nid.format                                |",
                "1199-4800-3553-4601    | M | nid.format                                |",
                "4199480035534601X      | M | nid.format                                |",
                "\uFF11199480035534601  | M | nid.format                                |",
                "0199480035534601       | M | nid.category                              |",
                "4199480035534601       | M | nid.category                              |",
                "9199480035534601       | M | nid.category                              |",
                "1189980035534601       | M | nid.birth_year                            |",
                "1190080035534601       | M | ''                                        | 1190080035534601",
                "1202780035534601       | M | nid.birth_year                            |",
                "1000080035534601       | M | nid.birth_year                            |",
                "1199400035534601       | M | nid.gender_digit                          |",
                "1199460035534601       | M | nid.gender_digit                          |",
                "1199490035534601       | M | nid.gender_digit                          |",
                "1199470035534601       | M | nid.gender_mismatch                       |",
                "1199480035534601       | F | nid.gender_mismatch                       |",
                "1199480035534601       | X | gender.invalid                            | 1199480035534601",
                "1199470035534601       | '' | gender.required                          | 1199470035534601",
                "1199460035534601       | X | nid.gender_digit gender.invalid           |",
                "4189950035534601       | M | nid.category nid.birth_year nid.gender_digit |",
                "0300070035534601       | F | nid.category nid.birth_year               |",
                "1202680035534601       | M | nid.underage                              | 1202680035534601",
                "1201180035534601       | M | nid.underage                              | 1201180035534601",
                "1201080035534601       | M | ''                                        | 1201080035534601",
                "4201180035534601       | M | nid.category nid.underage                 |",
                "1202780035534601       | M | nid.birth_year                            |",
            })
    void validate_nid(String cell, String gender, String codes, String normalized) {
        RawRecord r = Records.with(Field.NID, cell);
        ValidatedRecord v = Records.VALIDATOR.validate(new RawRecord(
                2, r.names(), r.nid(), r.phoneNumber(), gender == null ? "" : gender, r.email(), false, false));

        assertThat(Records.codes(v)).isEqualTo(Records.expected(codes));
        assertThat(v.normalized().nid()).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "119948003553460    | NID must be exactly 16 digits; found 15",
                "11994800355346O1   | NID must be exactly 16 digits; found 'O' at position 15",
                "''                 | NID is required",
                "4199480035534601   | NID category (digit 1) must be 1 (citizen), 2 (refugee) or 3 (foreigner); found 4",
                "1202780035534601   | NID birth year (digits 2-5) must be from 1900 to 2026; found 2027",
                "1199450035534601   | NID gender digit (digit 6) must be 8 (male) or 7 (female); found 5",
                "1199470035534601   | NID gender digit 7 (female) does not match gender M",
                "1201580035534601   | NID birth year 2015 makes the holder younger than 16 in 2026",
            })
    void validate_nidMessage(String cell, String message) {
        ValidatedRecord v = Records.VALIDATOR.validate(Records.with(Field.NID, cell));

        assertThat(v.violations())
                .singleElement()
                .extracting(Violation::message)
                .isEqualTo(message);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1199480035534601   | nid.numeric_cell",
                "119948003553460    | nid.format nid.numeric_cell",
                "1199470035534601   | nid.gender_mismatch nid.numeric_cell",
                "1201580035534601   | nid.underage nid.numeric_cell",
            })
    void validate_nidNumericCellWarnsWhateverElseFires(String cell, String codes) {
        RawRecord r = Records.with(Field.NID, cell);
        ValidatedRecord v = Records.VALIDATOR.validate(
                new RawRecord(2, r.names(), r.nid(), r.phoneNumber(), r.gender(), r.email(), true, false));

        assertThat(Records.codes(v)).isEqualTo(codes);
        assertThat(v.violations())
                .filteredOn(x -> x.code().equals("nid.numeric_cell"))
                .singleElement()
                .extracting(Violation::severity)
                .isEqualTo(Severity.WARNING);
    }

    @Test
    void validate_nidWarningsKeepTheRecordValid() {
        RawRecord r = Records.with(Field.NID, "1201580035534601");
        ValidatedRecord v = Records.VALIDATOR.validate(
                new RawRecord(2, r.names(), r.nid(), r.phoneNumber(), r.gender(), r.email(), true, false));

        assertThat(v.valid()).isTrue();
        assertThat(v.hasWarnings()).isTrue();
        assertThat(v.normalized().nid()).isEqualTo("1201580035534601");
    }

    /** A well-formed NID for gender M or F with a birth year from 1900 to 2010 (no underage warning in 2026). */
    static String wellFormed(Random random, String gender) {
        StringBuilder b = new StringBuilder(16);
        b.append(1 + random.nextInt(3));
        b.append(1900 + random.nextInt(111));
        b.append(gender.equals("M") ? '8' : '7');
        for (int i = 0; i < 10; i++) {
            b.append(random.nextInt(10));
        }
        return b.toString();
    }

    static Stream<Integer> sweep() {
        return IntStream.range(0, 3000).boxed();
    }

    @ParameterizedTest(name = "[{index}] case {0}")
    @MethodSource("sweep")
    void validate_wellFormedNidPassesAndBadDigitsAreCaught(int i) {
        Random random = new Random(SEED + i);
        String gender = random.nextBoolean() ? "M" : "F";
        String nid = wellFormed(random, gender);
        char badCategory = "0456789".charAt(random.nextInt(7));
        char badGender = "01234569".charAt(random.nextInt(8));
        char otherGender = nid.charAt(5) == '8' ? '7' : '8';

        assertThat(codesOf(nid, gender)).isEmpty();
        assertThat(codesOf(badCategory + nid.substring(1), gender)).isEqualTo("nid.category");
        assertThat(codesOf(nid.substring(0, 5) + badGender + nid.substring(6), gender))
                .isEqualTo("nid.gender_digit");
        assertThat(codesOf(nid.substring(0, 5) + otherGender + nid.substring(6), gender))
                .isEqualTo("nid.gender_mismatch");
        assertThat(codesOf(nid.substring(0, 15), gender)).isEqualTo("nid.format");
    }

    private static String codesOf(String nid, String gender) {
        RawRecord r = Records.valid(2);
        return Records.codes(Records.VALIDATOR.validate(
                new RawRecord(2, r.names(), nid, r.phoneNumber(), gender, r.email(), false, false)));
    }
}
