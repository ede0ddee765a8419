package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class CellValuesTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0    | General               | false",
                "14   |                       | true",
                "22   |                       | true",
                "2    |                       | false",
                "164  | yyyy-mm-dd            | true",
                "164  | dd/mm/yyyy;@          | true",
                "164  | [$-409]mmmm d, yyyy   | true",
                "164  | [h]:mm                | true",
                "164  | 0.00                  | false",
                "164  | #,##0                 | false",
                "164  | [Red]#,##0.00         | false",
                "164  | 0.00E+00              | false",
                "164  | \"day\" 0             | false",
                "164  | \\d0                  | false",
                "164  | General;[Red]-General | false",
                "164  | @                     | false",
            })
    void isDateFormat_formats(int id, String format, boolean date) {
        assertThat(CellValues.isDateFormat(id, format)).isEqualTo(date);
    }

    @ParameterizedTest
    @CsvSource({
        "1.199480035534601E15, 1199480035534601",
        "785576983, 785576983",
        "785576983.000, 785576983",
        "1E+3, 1000",
        "12.50, 12.5",
        "0.000, 0",
        "-0.25, -0.25",
        "1.5E-7, 0.00000015",
    })
    void plain_numbers(String number, String text) {
        assertThat(CellValues.plain(new BigDecimal(number))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'  Alice  Uwase '|Alice  Uwase",
                "'\u00a0\t0788 123 456\u00a0\u2007'|0788 123 456",
                "'\u3000x\n'|x",
                "'   '|''",
                "abc|abc",
            })
    void trim_whiteSpaceAndSpaceSeparators(String raw, String trimmed) {
        assertThat(CellValues.trim(raw)).isEqualTo(trimmed);
    }

    @ParameterizedTest
    @CsvSource({
        "Full Name, fullname",
        "E-mail Address, emailaddress",
        "PHONE_NO., phoneno",
        "' National   ID ', nationalid",
        "'E-mail:', email",
        "'Email : ', email",
        // invisible format characters, as copying from a web page or joining files leaves them: a zero-width space,
        // a byte order mark, a soft hyphen, a left-to-right mark, a word joiner; a no-break space
        "'Phone\u200bNumber', phonenumber",
        "'\ufeffEmail', email",
        "'Gen\u00adder\u200e', gender",
        "'Email\u2060:', email",
        "'National\u00a0ID', nationalid",
        // hyphens other than '-', as word processors and web pages write them: U+2010, a no-break hyphen, an en dash
        "'E\u2010mail', email",
        "'Phone\u2011Number', phonenumber",
        "'E\u2013Mail', email",
    })
    void key_ignoresCaseSpacesUnderscoresHyphensDotsAndInvisibleCharacters(String header, String key) {
        assertThat(HeaderMapper.key(header)).isEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource({"0, A", "25, Z", "26, AA", "701, ZZ", "702, AAA"})
    void columnName_letters(int column, String name) {
        assertThat(HeaderMapper.columnName(column)).isEqualTo(name);
    }
}
