package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The five rows of the first version's sample sheet (NID and phone were number cells), judged by our rules in 2026. */
final class SampleRowsTest {

    @ParameterizedTest(name = "[{index}] {0} -> {6}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Bob Kagabo      | 1199480035534601 | 785576983    | M | bob@gmail.com           | true  | nid.numeric_cell",
                "Abigale Mutoni  | 1199789036474601 | 785575383    | F | Abig@gmail.com          | false"
                        + " | nid.gender_mismatch nid.numeric_cell",
                "Chelsey Uwimana | 323032095901     | 733385576983 | F | bobby@yahoo             | false"
                        + " | nid.format nid.numeric_cell phone.invalid email.invalid",
                "Kelly Keza      | 8322832832       | 79769832     | F | @gamil.com              | false"
                        + " | nid.format nid.numeric_cell phone.invalid email.invalid",
                "David Rugwiza   | 1939449993838    | 784465785    | M | david.rugwiza@yahoo.com | false"
                        + " | nid.format nid.numeric_cell",
            })
    void validateAll_firstVersionSampleRows(
            String names, String nid, String phone, String gender, String email, boolean valid, String codes) {
        RawRecord raw = new RawRecord(2, names, nid, phone, gender, email, true, true);

        ValidatedRecord r = Records.VALIDATOR.validateAll(List.of(raw)).get(0);

        assertThat(Records.codes(r)).isEqualTo(codes);
        assertThat(r.valid()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "785576983 | +250785576983",
                "785575383 | +250785575383",
                "784465785 | +250784465785",
            })
    void validate_sampleNumberCellPhonesGetTheirLeadingZeroBack(String phone, String e164) {
        RawRecord raw = new RawRecord(2, "Bob Kagabo", "1199480035534601", phone, "M", "bob@gmail.com", true, true);

        assertThat(Records.VALIDATOR.validate(raw).normalized().phoneNumber()).isEqualTo(e164);
    }
}
