package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import rw.intake.server.ServerApp;

final class JsonBytesTest {

    private static final ObjectMapper MAPPER = ServerApp.objectMapper();

    @Test
    void string_escapesEveryAsciiCharacterAsJacksonDoes() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 128; c++) {
            all.append(c);
        }
        String text = all + " Ñame «12» \u00a0 \ud83d\ude00 /";

        assertThat(json(text, false)).isEqualTo(MAPPER.writeValueAsString(text));
        assertThat(new String(JsonBytes.quoted(text), StandardCharsets.UTF_8))
                .isEqualTo(MAPPER.writeValueAsString(text));
        assertThat(JsonBytes.plain(text)).isFalse();
    }

    @Test
    void string_plainTextIsCopiedAsItIs() throws Exception {
        String text = "Uwase Aline Ñame «12» \ud83d\ude00 /'<>&";

        assertThat(JsonBytes.plain(text)).isTrue();
        assertThat(json(text, true)).isEqualTo(json(text, false)).isEqualTo(MAPPER.writeValueAsString(text));
        assertThat(JsonBytes.plain("a\"b")).isFalse();
        assertThat(JsonBytes.plain("a\\b")).isFalse();
        assertThat(JsonBytes.plain("a\u001fb")).isFalse();
        assertThat(JsonBytes.plain("a\u007fb")).isTrue();
    }

    @Test
    void number_asJacksonWritesIt() throws Exception {
        JsonBytes out = new JsonBytes(1);
        long[] values = {
            0,
            1,
            9,
            10,
            99,
            100,
            -1,
            -10,
            123_456_789,
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            999_999_999_999_999_999L,
            1_000_000_000_000_000_000L,
            Long.MAX_VALUE,
            Long.MIN_VALUE
        };
        StringBuilder expected = new StringBuilder();
        for (long v : values) {
            out.number(v);
            out.raw(',');
            expected.append(MAPPER.writeValueAsString(v)).append(',');
        }

        assertThat(new String(out.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    @Test
    void clear_keepsTheBufferAndStartsOver() {
        JsonBytes out = new JsonBytes(4);
        out.raw(JsonBytes.ascii("{\"a\":[1,2,3]}"));
        int capacity = out.capacity();
        out.clear();
        out.raw('1');

        assertThat(out.size()).isEqualTo(1);
        assertThat(out.capacity()).isEqualTo(capacity);
        assertThat(out.toByteArray()).containsExactly('1');
    }

    private static String json(String text, boolean plain) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        JsonBytes out = new JsonBytes(1);
        out.raw(JsonBytes.ascii("x"));
        out.string(utf8, 0, utf8.length, plain);
        byte[] json = out.toByteArray();
        return new String(json, 1, json.length - 1, StandardCharsets.UTF_8);
    }
}
