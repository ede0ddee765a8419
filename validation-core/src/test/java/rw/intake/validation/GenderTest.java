package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class GenderTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "M          | ''              | M",
                "m          | ''              | M",
                "Male       | ''              | M",
                "MALE       | ''              | M",
                "' male '   | ''              | M",
                "F          | ''              | F",
                "f          | ''              | F",
                "Female     | ''              | F",
                "fEmAlE     | ''              | F",
                "''         | gender.required |",
                "'  '       | gender.required |",
                "X          | gender.invalid  |",
                "Man        | gender.invalid  |",
                "Femme      | gender.invalid  |",
                "Males      | gender.invalid  |",
                "1          | gender.invalid  |",
                "M.         | gender.invalid  |",
            })
    void validate_gender(String cell, String codes, String normalized) {
        RawRecord raw = Records.with(Field.GENDER, cell);
        String nid = "F".equals(normalized) ? "1199470035534601" : raw.nid();
        ValidatedRecord r = Records.VALIDATOR.validate(
                new RawRecord(2, raw.names(), nid, raw.phoneNumber(), raw.gender(), raw.email(), false, false));

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
        assertThat(r.normalized().gender()).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource({"X, 'Gender must be M, F, Male or Female; found ''X'''", "'', Gender is required"})
    void validate_genderMessage(String cell, String message) {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.GENDER, cell));

        assertThat(r.violations())
                .singleElement()
                .extracting(Violation::message)
                .isEqualTo(message);
    }

    /**
     * A value is quoted so that the clerk sees what is in it: a character that shows nothing as its code, and a long
     * value cut between two characters, never inside an emoji's surrogate pair.
     */
    @Test
    void validate_genderMessageShowsWhatTheCellHolds() {
        String zeroWidth = message("M\u200b");
        String emojiAtTheCut = message("x".repeat(36) + "\ud83d\ude00yyyy");
        String emojiBeforeTheCut = message("x".repeat(35) + "\ud83d\ude00yyyy");
        String shortWithEmoji = message("x".repeat(36) + "\ud83d\ude00yy");

        assertThat(zeroWidth).isEqualTo("Gender must be M, F, Male or Female; found 'M<U+200B>'");
        // the cut counts the value's characters, not their codes' letters
        assertThat(message("A".repeat(33) + "\u200b")).endsWith("found '" + "A".repeat(33) + "<U+200B>'");
        assertThat(message("M" + "\u200b".repeat(39))).endsWith("found 'M" + "<U+200B>".repeat(39) + "'");
        assertThat(message("M" + "\u200b".repeat(40))).endsWith("found 'M" + "<U+200B>".repeat(36) + "...'");
        assertThat(emojiAtTheCut).endsWith("found '" + "x".repeat(36) + "\ud83d\ude00...'");
        assertThat(emojiBeforeTheCut).endsWith("found '" + "x".repeat(35) + "\ud83d\ude00yyyy'");
        assertThat(shortWithEmoji).endsWith("found '" + "x".repeat(36) + "\ud83d\ude00yy'");
    }

    private static String message(String gender) {
        return Records.VALIDATOR
                .validate(Records.with(Field.GENDER, gender))
                .violations()
                .get(0)
                .message();
    }
}
