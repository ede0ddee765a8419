package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The check for well-formed UTF-8 against the JDK's decoder, which finds the same first ill-formed byte. */
final class CsvTextTest {

    /** Where the JDK's UTF-8 decoder reports the first malformed input, or -1. */
    private static int decoderSays(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : -1;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "41",
                "c280",
                "dfbf",
                "c080",
                "c1bf",
                "e0a080",
                "e09f80",
                "ed9fbf",
                "eda080",
                "efbfbf",
                "f0908080",
                "f08fbfbf",
                "f48fbfbf",
                "f4908080",
                "f5808080",
                "ff",
                "80",
                "41e282",
                "e28241",
                "41424344454647c3a9",
                "4142434445464748e2",
                "f09f9880414243",
                "f09f98",
                "e282ac4142434445464748494aed"
            })
    void boundaries_asTheDecoderFindsThem(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);

        assertThat(CsvText.firstMalformed(bytes)).isEqualTo(decoderSays(bytes));
    }

    @Test
    void randomBytes_asTheDecoderFindsThem() {
        Random random = new Random(29);
        // ASCII runs, continuation bytes, and each kind of lead byte, so that most arrays hold some well-formed text
        int[] pool = {
            0x41, 0x20, 0x0a, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef,
            0xf0, 0xf1, 0xf4, 0xf5, 0xff
        };
        for (int n = 0; n < 50_000; n++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(3) == 0 ? 0x61 : pool[random.nextInt(pool.length)]);
            }
            assertThat(CsvText.firstMalformed(bytes))
                    .as(HexFormat.of().formatHex(bytes))
                    .isEqualTo(decoderSays(bytes));
        }
    }

    @Test
    void text_wellFormed() {
        byte[] text = "Espérance Uwase, Jeanne d’Arc, € 12, 😀 and plain ASCII words"
                .repeat(100)
                .getBytes(StandardCharsets.UTF_8);

        assertThat(CsvText.firstMalformed(text)).isEqualTo(-1);
    }
}
