package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

final class DigitProductTest {

    @Test
    void matches_tellsWhichPartsMatch() {
        DigitAutomaton mobile = DigitAutomaton.compile("7[237-9]\\d{7}");
        DigitAutomaton fixed = DigitAutomaton.compile("(?:06|[27]\\d\\d|[89]00)\\d{6}");
        DigitProduct both = DigitProduct.of(new DigitAutomaton[] {mobile, fixed, DigitAutomaton.NOTHING}, 9);

        assertThat(both.matches("785576983", 0, 9)).isEqualTo(0b011);
        assertThat(both.matches("+250785576983", 4, 13)).isEqualTo(0b011);
        assertThat(both.matches("745576983", 0, 9)).isEqualTo(0b010);
        assertThat(both.matches("900123456", 0, 9)).isEqualTo(0b010);
        assertThat(both.matches("910123456", 0, 9)).isZero();
        assertThat(both.matches("78557698", 0, 8)).isZero();
        assertThat(both.matches("78557698x", 0, 9)).isZero();
    }

    /** Every region the fast path could serve: typing by the product agrees with typing by each pattern in turn. */
    @Test
    void isMobile_productAgreesWithEachPatternInTurn() {
        Random random = new Random(5);
        int regions = 0;
        for (String region : new TreeSet<>(PhoneNumberUtil.getInstance().getSupportedRegions())) {
            Phones.RegionTyping typing = Phones.RegionTyping.of(Phones.metadata(region));
            if (typing == null || typing.all == null) {
                continue;
            }
            regions++;
            int length = typing.nationalLength;
            for (int prefix = 0; prefix < 1000; prefix++) {
                StringBuilder b = new StringBuilder(String.format("%03d", prefix));
                while (b.length() < length) {
                    b.append((char) ('0' + random.nextInt(10)));
                }
                String national = b.substring(0, length);
                assertThat(typing.isMobile(national, 0, length))
                        .as(region + " " + national)
                        .isEqualTo(typing.isMobileOneByOne(national, 0, length));
            }
        }
        assertThat(regions).isGreaterThan(50);
        assertThat(Phones.RegionTyping.of(Phones.metadata("RW")).all).isNotNull();
    }
}
