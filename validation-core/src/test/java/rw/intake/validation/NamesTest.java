package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class NamesTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                     | names.required                  |",
                "'   '                  | names.required                  |",
                "'\t \u00A0'            | names.required                  |",
                "A                      | names.length                    |",
                "Al                     | ''                              | Al",
                "Bob Kagabo             | ''                              | Bob Kagabo",
                "'  Bob \t  Kagabo  '   | ''                              | Bob Kagabo",
                "'Bob\u00A0\u00A0Kagabo'| ''                              | Bob Kagabo",
                // the next line character (NEL) is white space by Unicode, as the line and paragraph separators are
                "'\u0085Bob\u0085Kagabo\u2028' | ''                      | Bob Kagabo",
                "'\u0085'               | names.required                  |",
                "Jean-Paul Habimana     | ''                              | Jean-Paul Habimana",
                "O'Neil Mugisha         | ''                              | O'Neil Mugisha",
                "O\u2019Neil Mugisha    | ''                              | O\u2019Neil Mugisha",
                "Dr. Kagabo             | ''                              | Dr. Kagabo",
                "\u00C9mile Ngoga       | ''                              | \u00C9mile Ngoga",
                "E\u0301mile Ngoga      | ''                              | \u00C9mile Ngoga",
                "'  E\u0301mile  Ngoga' | ''                              | \u00C9mile Ngoga",
                "\u674E\u5C0F\u9F8D     | ''                              | \u674E\u5C0F\u9F8D",
                "\u0410\u043D\u043D\u0430 | ''                            | \u0410\u043D\u043D\u0430",
                "\u0905\u0928\u093F\u0932 | ''                            | \u0905\u0928\u093F\u0932",
                // letters and a mark Unicode 14 added (Vithkuqi; Toto; Tagalog's U+1715), unknown to Java 17's tables
                "\uD801\uDD70\uD801\uDD71\uD801\uDD72 | ''              | \uD801\uDD70\uD801\uDD71\uD801\uDD72",
                "Ana \uD838\uDE90\uD838\uDE91 | ''                    | Ana \uD838\uDE90\uD838\uDE91",
                "Jean \u1715            | ''                             | Jean \u1715",
                // a code point no Unicode version has assigned
                "Bob \u0378Kagabo       | names.characters                |",
                "Bob3 Kagabo            | names.characters                |",
                "Mutoni_A               | names.characters                |",
                "Bob@Kagabo             | names.characters                |",
                "'Bob, Kagabo'          | names.characters                |",
                "Bob \u201CKagabo\u201D | names.characters                |",
                "3                      | names.length names.characters   |",
            })
    void validate_names(String cell, String codes, String normalized) {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.NAMES, cell));

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
        assertThat(r.normalized().names()).isEqualTo(normalized);
    }

    @Test
    void validate_namesOfOneHundredCharacters() {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.NAMES, "A".repeat(100)));

        assertThat(r.violations()).isEmpty();
    }

    @Test
    void validate_namesOfOneHundredAndOneCharacters() {
        ValidatedRecord r =
                Records.VALIDATOR.validate(Records.with(Field.NAMES, "A".repeat(50) + " " + "B".repeat(50)));

        assertThat(Records.codes(r)).isEqualTo("names.length");
        assertThat(r.violations().get(0).message()).isEqualTo("Names must be 2 to 100 characters long; found 101");
    }

    @Test
    void validate_namesLengthCountsCharactersNotChars() {
        String twoSupplementary = "\uD840\uDC00\uD840\uDC01";

        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.NAMES, twoSupplementary));

        assertThat(r.violations()).isEmpty();
    }

    @Test
    void validate_namesCharactersMessageNamesTheCharacter() {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.NAMES, "Bob3"));

        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.severity()).isEqualTo(Severity.ERROR);
            assertThat(v.message())
                    .isEqualTo("Names may contain only letters, spaces, apostrophes, hyphens and periods; found '3'");
        });
    }

    @Test
    void validate_namesCharactersMessageNamesAnInvisibleCharacterByItsCode() {
        assertThat(Records.VALIDATOR
                        .validate(Records.with(Field.NAMES, "Bob\u200bKagabo"))
                        .violations())
                .singleElement()
                .extracting(Violation::message)
                .isEqualTo("Names may contain only letters, spaces, apostrophes, hyphens and periods; found U+200B");
    }

    @Test
    void validate_namesUnchangedKeepsTheSameString() {
        RawRecord raw = Records.with(Field.NAMES, "Bob Kagabo");

        assertThat(Records.VALIDATOR.validate(raw).normalized().names()).isSameAs(raw.names());
    }
}
