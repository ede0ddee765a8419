package rw.intake.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generator's phones against libphonenumber's RW mobile metadata (the generator itself does not use it). */
final class PhoneMetadataTest {

    private static final Pattern ACCEPTED = Pattern.compile("(?:\\+250|00250|250|0)?(7\\d{8})");
    private static final Pattern MOBILE = Pattern.compile(DefaultMetadataDependenciesProvider.getInstance()
            .getPhoneNumberMetadataSource()
            .getMetadataForRegion("RW")
            .getMobile()
            .getNationalNumberPattern());

    @Test
    void rows_cleanPhonesAreRwandanMobiles() {
        List<SampleRow> rows = SampleWorkbooks.rows(SampleSpec.of(5000, 31).withInvalidRatio(0.3))
                .toList();

        List<SampleRow> clean = rows.stream()
                .filter(r -> r.expectedCodes().stream()
                        .noneMatch(c -> c.startsWith("phone.") && !c.equals("phone.duplicate")))
                .toList();
        assertThat(clean)
                .hasSizeGreaterThan(4000)
                .allSatisfy(r -> assertThat(national(r.phoneNumber()))
                        .as(r.phoneNumber())
                        .hasValueSatisfying(n -> assertThat(isRwandanMobile(n)).isTrue()));
        assertThat(clean)
                .anyMatch(SampleRow::phoneNumeric)
                .anyMatch(r -> r.phoneNumber().startsWith("+250"))
                .anyMatch(r -> r.phoneNumber().startsWith("00250"))
                .anyMatch(r -> r.phoneNumber().contains(" "));
    }

    @Test
    void rows_invalidPhonesAreNotRwandanMobiles() {
        List<SampleRow> invalid = SampleWorkbooks.rows(SampleSpec.of(20_000, 32).withInvalidRatio(0.5))
                .filter(r -> r.expectedCodes().contains("phone.invalid"))
                .toList();

        assertThat(invalid)
                .hasSizeGreaterThan(100)
                .allSatisfy(r -> assertThat(national(r.phoneNumber()))
                        .as(r.phoneNumber())
                        .satisfiesAnyOf(
                                n -> assertThat(n).isEmpty(),
                                n -> assertThat(n)
                                        .hasValueSatisfying(v ->
                                                assertThat(isRwandanMobile(v)).isFalse())));
    }

    @Test
    void metadata_acceptsThePrefixesTheGeneratorUses() {
        for (String prefix : List.of("72", "73", "78", "79")) {
            assertThat(MOBILE.matcher(prefix + "1234567").matches()).as(prefix).isTrue();
        }
        for (String prefix : List.of("70", "71", "74", "75", "76")) {
            assertThat(MOBILE.matcher(prefix + "1234567").matches()).as(prefix).isFalse();
        }
    }

    /** By the metadata pattern and by the library's own typing. */
    private static boolean isRwandanMobile(String national) {
        try {
            PhoneNumberUtil util = PhoneNumberUtil.getInstance();
            PhoneNumber number = util.parse("0" + national, "RW");
            return MOBILE.matcher(national).matches()
                    && util.isValidNumberForRegion(number, "RW")
                    && util.getNumberType(number) == PhoneNumberType.MOBILE;
        } catch (NumberParseException e) {
            return false;
        }
    }

    /** The national number of an accepted written form, or empty. */
    private static Optional<String> national(String written) {
        Matcher m = ACCEPTED.matcher(written.replaceAll("[ .()\\-]", ""));
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
