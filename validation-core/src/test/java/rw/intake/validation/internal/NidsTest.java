package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class NidsTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1199480035534601         | 1199480035534601",
                "9999999999999999         | 9999999999999999",
                "0000000000000000         | 0",
                "'1 1994 8 0035534 6 01'  | 1199480035534601",
                "' 1199480035534601 '     | 1199480035534601",
                "'1199480035534601\u00A0' | 1199480035534601",
                "119948003553460          | -1",
                "11994800355346011        | -1",
                "119948003553460x         | -1",
                "x199480035534601         | -1",
                "'1199480 35534601'       | -1",
                "11994800355346\uFF101    | -1",
            })
    void key_isTheNumberOfSixteenDigitsElseMinusOne(String cell, long expected) {
        assertThat(Nids.key(cell)).isEqualTo(expected);
    }
}
