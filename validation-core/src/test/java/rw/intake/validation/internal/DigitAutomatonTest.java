package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneNumberDesc;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class DigitAutomatonTest {

    @ParameterizedTest(name = "[{index}] {0} ~ \"{1}\" -> {2}")
    @CsvSource({
        "7[237-9]\\d{7}, 785576983, true",
        "7[237-9]\\d{7}, 745576983, false",
        "7[237-9]\\d{7}, 78557698, false",
        "7[237-9]\\d{7}, 7855769830, false",
        "(?:06|[27]\\d\\d|[89]00)\\d{6}, 06123456, true",
        "(?:06|[27]\\d\\d|[89]00)\\d{6}, 900123456, true",
        "(?:06|[27]\\d\\d|[89]00)\\d{6}, 910123456, false",
        "'1\\d{2,4}', 123, true",
        "'1\\d{2,4}', 12345, true",
        "'1\\d{2,4}', 12, false",
        "'1\\d{2,4}', 123456, false",
        "12?3, 13, true",
        "12?3, 123, true",
        "12?3, 1223, false",
        "'', '', true",
        "7[237-9]\\d{7}, 78557698a, false",
    })
    void matches_likeTheRegex(String regex, String digits, boolean expected) {
        DigitAutomaton a = DigitAutomaton.compile(regex);

        assertThat(a).isNotNull();
        assertThat(a.matches(digits, 0, digits.length())).isEqualTo(expected);
        assertThat(Pattern.compile(regex).matcher(digits).matches()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"7+", "7*", "(7)", "[^7]", "7{2,}", "a", "\\s", "7|(?:8"})
    void compile_unsupportedSyntax(String regex) {
        assertThat(DigitAutomaton.compile(regex)).isNull();
    }

    /** Every pattern of every region's metadata compiles, and agrees with java.util.regex on probes around it. */
    @Test
    void compile_everyMetadataPatternAgreesWithTheRegex() {
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        Random random = new Random(7);
        int patterns = 0;
        int matched = 0;
        for (String region : new TreeSet<>(util.getSupportedRegions())) {
            PhoneMetadata m = Phones.metadata(region);
            for (PhoneNumberDesc d : List.of(
                    m.getGeneralDesc(),
                    m.getMobile(),
                    m.getFixedLine(),
                    m.getPremiumRate(),
                    m.getTollFree(),
                    m.getVoip(),
                    m.getUan(),
                    m.getPager(),
                    m.getPersonalNumber(),
                    m.getSharedCost(),
                    m.getVoicemail())) {
                String regex = d.getNationalNumberPattern();
                if (regex.isEmpty()) {
                    continue;
                }
                patterns++;
                DigitAutomaton a = DigitAutomaton.compile(regex);
                assertThat(a).as(region + " " + regex).isNotNull();
                Pattern p = Pattern.compile(regex);
                for (String s : probes(d, random)) {
                    boolean expected = p.matcher(s).matches();
                    matched += expected ? 1 : 0;
                    assertThat(a.matches(s, 0, s.length()))
                            .as(region + " " + regex + " on " + s)
                            .isEqualTo(expected);
                }
            }
        }
        assertThat(patterns).isGreaterThan(1000);
        assertThat(matched).isGreaterThan(10_000);
    }

    /** The example number, each one-digit change of it, it shortened and lengthened, and random digit strings. */
    private static List<String> probes(PhoneNumberDesc d, Random random) {
        List<String> out = new ArrayList<>();
        if (d.hasExampleNumber()) {
            String ex = d.getExampleNumber();
            out.add(ex);
            out.add(ex + "0");
            out.add(ex.substring(1));
            for (int i = 0; i < ex.length(); i++) {
                for (char c = '0'; c <= '9'; c++) {
                    out.add(ex.substring(0, i) + c + ex.substring(i + 1));
                }
            }
        }
        for (int i = 0; i < 40; i++) {
            StringBuilder b = new StringBuilder();
            int length = 1 + random.nextInt(17);
            for (int j = 0; j < length; j++) {
                b.append((char) ('0' + random.nextInt(10)));
            }
            out.add(b.toString());
        }
        return out;
    }
}
