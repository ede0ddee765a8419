package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class CellEscapesTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a_x005F_x0041_b|a_x0041_b",
                "_x0041__x0042_|AB",
                "_x00e9_t_x00C9_|étÉ",
                "_xD83D__xDE00_|\uD83D\uDE00",
                "_x004_|_x004_",
                "_x00G1_|_x00G1_",
                "_X0041_|_X0041_",
                "__x0041_|_A",
                "x0041_|x0041_",
            })
    void unescape(String written, String text) {
        assertThat(CellEscapes.unescape(written)).isEqualTo(text);
    }

    @Test
    void unescape_controlCharacters() {
        assertThat(CellEscapes.unescape("Jean_x000D_")).isEqualTo("Jean\r");
        assertThat(CellEscapes.unescape("l_x000b_@x.rw")).isEqualTo("l\u000b@x.rw");
    }

    @Test
    void unescape_nothingToDo_sameInstance() {
        String s = "plain_text x_y";
        assertThat(CellEscapes.unescape(s)).isSameAs(s);
        assertThat(CellEscapes.escape(s)).isSameAs(s);
    }

    @Test
    void escape_charactersXmlCannotHold() {
        assertThat(CellEscapes.escape("Ann\u0001Bee\r\n\tx\u000b\uFFFE"))
                .isEqualTo("Ann_x0001_Bee_x000D_\n\tx_x000B__xFFFE_");
        assertThat(CellEscapes.escape("a_x0041_b")).isEqualTo("a_x005F_x0041_b");
        assertThat(CellEscapes.escape("a_x0041\rb")).isEqualTo("a_x005F_x0041_x000D_b");
        assertThat(CellEscapes.escape("a_x0041\nb")).isEqualTo("a_x0041\nb");
        assertThat(CellEscapes.escape("lone \uD83D high, pair \uD83D\uDE00"))
                .isEqualTo("lone _xD83D_ high, pair \uD83D\uDE00");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Ann\u0001Bee",
                "a_x0041_b",
                "_x005F_",
                "x\r\ny",
                "\uDE00\uD83D",
                "_x00",
                "__x0041__",
                // an underscore that starts an escape once the character after it is written as one
                "_x0041\u0001",
                "Kagabo_xface\r\nBob",
                "_x0041\uDE00",
                "_x0041\uFFFF",
                "_x0041\r"
            })
    void escapeThenUnescape_theSameText(String text) {
        assertThat(CellEscapes.unescape(CellEscapes.escape(text))).isEqualTo(text);
    }
}
