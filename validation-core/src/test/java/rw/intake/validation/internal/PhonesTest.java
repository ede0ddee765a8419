package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.validation.Field;
import rw.intake.validation.Violation;

final class PhonesTest {

    private static final Phones RW = new Phones(Set.of("RW"));

    /** Every case runs through the rule and through both paths, which must agree wherever the fast one decides. */
    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "785576983               | +250785576983",
                "0785576983              | +250785576983",
                "250785576983            | +250785576983",
                "+250785576983           | +250785576983",
                "00250785576983          | +250785576983",
                "'  0785576983 '         | +250785576983",
                "+250 785 576 983        | +250785576983",
                "078-557-6983            | +250785576983",
                "(078) 557.6983          | +250785576983",
                "'+250\u00A0785\u00A0576983' | +250785576983",
                "250 785 576 983         | +250785576983",
                "0722123456              | +250722123456",
                "0732123456              | +250732123456",
                "0772123456              | +250772123456",
                "0792123456              | +250792123456",
                "0702123456              | phone.invalid",
                "0712345678              | phone.invalid",
                "0742123456              | phone.invalid",
                "0752123456              | phone.invalid",
                "0762123456              | phone.invalid",
                "0252123456              | phone.invalid",
                "0800123456              | phone.invalid",
                "78557698                | phone.invalid",
                "79769832                | phone.invalid",
                "07855769834             | phone.invalid",
                "7855769834              | phone.invalid",
                "733385576983            | phone.invalid",
                "2507855769834           | phone.invalid",
                "078557698               | phone.invalid",
                "0078557698              | phone.invalid",
                "00785576983             | phone.invalid",
                "250250785576            | phone.invalid",
                "250785576               | phone.invalid",
                "078557698a              | phone.invalid",
                "O785576983              | phone.invalid",
                "0788-ABC-123            | phone.invalid",
                "0788 FLOWER             | phone.invalid",
                "+254712345678           | phone.invalid",
                "+1 202 555 0123         | phone.invalid",
                "254712345678            | phone.invalid",
                "+                       | phone.invalid",
                "++250785576983          | phone.invalid",
                "250+785576983           | phone.invalid",
                "0785576983 ext 12       | phone.invalid",
                "0785576983/0788123456   | phone.invalid",
                "---                     | phone.invalid",
                "''                      | phone.required",
                "'   '                   | phone.required",
            })
    void check_bothPathsAgree(String cell, String expected) {
        Findings findings = new Findings();
        String e164 = RW.check(cell == null ? "" : cell, findings);
        boolean valid = expected.startsWith("+");

        assertThat(e164).isEqualTo(valid ? expected : null);
        assertThat(findings.toList())
                .extracting(Violation::code)
                .containsExactlyElementsOf(valid ? Set.of() : Set.of(expected));
        String cleaned = Phones.clean(cell == null ? "" : cell.strip());
        if (cleaned != null) {
            String full = RW.fullPath(cleaned);
            String fast = RW.fastPath(cleaned);
            assertThat(full).isEqualTo(valid ? expected : "");
            assertThat(fast).isIn(null, full);
        }
    }

    /** Only the five written forms: a trunk 0 after the country code is refused, though libphonenumber reads it. */
    @ParameterizedTest
    @ValueSource(
            strings = {"+250 (0) 785 576 983", "+2500785576983", "2500785576983", "002500785576983", "250 0785576983"})
    void check_outsideTheFiveForms_invalidWhereTheLibraryReadsThem(String cell) {
        Findings findings = new Findings();

        assertThat(RW.check(cell, findings)).isNull();
        assertThat(findings.toList()).extracting(Violation::code).containsExactly("phone.invalid");
        assertThat(RW.fullPath(Phones.clean(cell))).isEqualTo("+250785576983");
    }

    @Test
    void fastPath_decidesTheFiveWrittenForms() {
        for (String form :
                new String[] {"785576983", "0785576983", "250785576983", "+250785576983", "00250785576983"}) {
            assertThat(RW.fastPath(form)).as(form).isEqualTo("+250785576983");
        }
        assertThat(RW.fastPath("0742123456")).isEmpty();
    }

    @Test
    void fastPath_leavesOtherCountriesToTheFullPath() {
        assertThat(new Phones(Set.of("RW", "KE")).fastPath("+254712345678")).isNull();
        assertThat(new Phones(Set.of("RW", "KE")).fastPath("07855769")).isNull();
        assertThat(new Phones(Set.of("KE")).fastPath("0785576983")).isNull();
    }

    @Test
    void fastPath_rejectsOtherCountriesAndShortNumbersWhenOnlyRwandaIsAllowed() {
        assertThat(RW.fastPath("+254712345678")).isEmpty();
        assertThat(RW.fastPath("07855769")).isEmpty();
        assertThat(RW.fullPath("+254712345678")).isEmpty();
        assertThat(RW.fullPath("07855769")).isEmpty();
    }

    static Stream<Integer> sweep() {
        return IntStream.range(0, 20).boxed();
    }

    /** Random numbers near the Rwandan forms (every prefix, lengths around 9, all five forms): both paths agree. */
    @ParameterizedTest(name = "[{index}] seed {0}")
    @MethodSource("sweep")
    void fastPath_agreesWithFullPathOnRandomNumbers(int seed) {
        Random random = new Random(seed);
        String[] forms = {"", "0", "250", "+250", "00250", "00", "+", "2500", "+2500"};
        int decided = 0;
        for (int i = 0; i < 500; i++) {
            StringBuilder b = new StringBuilder(forms[random.nextInt(forms.length)]);
            int length = random.nextInt(4) == 0 ? 7 + random.nextInt(5) : 9;
            for (int j = 0; j < length; j++) {
                b.append(j == 0 && random.nextBoolean() ? '7' : (char) ('0' + random.nextInt(10)));
            }
            String c = b.toString();
            String fast = RW.fastPath(c);
            if (fast != null) {
                decided++;
                assertThat(fast).as(c).isEqualTo(RW.fullPath(c));
            }
        }
        assertThat(decided).isGreaterThan(100);
    }

    @ParameterizedTest(name = "[{index}] {0} \"{1}\" -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "RW KE | +254712345678  | +254712345678",
                "RW KE | 0712345678     | ''",
                "RW KE | 0785576983     | +250785576983",
                "KE    | 0712345678     | +254712345678",
                "KE    | +250785576983  | ''",
                "KE    | 0785576983     | +254785576983",
                "RW CN | +8613812345678 | +8613812345678",
            })
    void check_otherRegions(String regions, String cell, String expected) {
        Phones phones = new Phones(Set.of(regions.split(" ")));
        Findings findings = new Findings();

        String e164 = phones.check(cell, findings);

        assertThat(e164).isEqualTo(expected.isEmpty() ? null : expected);
        assertThat(findings.toList()).hasSize(expected.isEmpty() ? 1 : 0);
        String cleaned = Phones.clean(cell);
        assertThat(phones.fastPath(cleaned)).isIn(null, phones.fullPath(cleaned));
    }

    @Test
    void check_messageForAClerk() {
        Findings findings = new Findings();

        RW.check("79769832", findings);

        assertThat(findings.toList()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo(Field.PHONE_NUMBER);
            assertThat(v.message())
                    .isEqualTo("Phone number must be a mobile number of Rwanda such as 0788123456 or"
                            + " +250788123456; found '79769832'");
        });
    }

    /** An en dash or a no-break hyphen is not the hyphen the rule ignores: the message says which one was found. */
    @ParameterizedTest
    @ValueSource(strings = {"078\u2013812\u20133402", "078\u2011812\u20113401", "078\u2212812\u22123401"})
    void check_aDashThatIsNotTheHyphen_invalid_messageNamesIt(String cell) {
        Findings findings = new Findings();

        RW.check(cell, findings);

        char dash = cell.charAt(3);
        assertThat(findings.toList())
                .singleElement()
                .satisfies(v -> assertThat(v.message())
                        .endsWith("; found '" + cell + "' ('" + dash + "', U+" + String.format("%04X", (int) dash)
                                + ", is not the hyphen -: type the hyphen, or leave the separators out)"));
    }
}
