package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What counts as a sheet that declares its range of rows, from the first bytes of its part. */
final class DeclaredRowsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "<worksheet><dimension ref=\"A1:E50001\"/><sheetData>|true",
                "<x:worksheet><x:dimension ref='B3:F12'/>|true",
                "<worksheet><dimension  ref = \"A1:XFD1048576\"/>|true",
                "<worksheet><dimension ref=\"A1\"/><sheetData>|false",
                "<worksheet><dimension ref=\"A1:E1\"/>|false",
                "<worksheet><sheetData><row r=\"1\">|false",
                "<worksheet><dimension ref=\"a1:e9\"/>|false",
            })
    void declaresRows(String start, boolean declared) {
        byte[] bytes = start.getBytes(StandardCharsets.UTF_8);
        assertThat(PackageCheck.declaresRows(bytes, bytes.length)).isEqualTo(declared);
    }

    @ParameterizedTest
    @CsvSource({"5", "20"})
    void onlyTheFirstBytesAreSearched(int length) {
        byte[] bytes = "<worksheet><dimension ref=\"A1:E50001\"/>".getBytes(StandardCharsets.UTF_8);
        assertThat(PackageCheck.declaresRows(bytes, length)).isFalse();
    }
}
