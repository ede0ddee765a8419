package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rw.intake.excel.IngestException;

/**
 * {@link PartScan}'s one loop against the two byte-at-a-time state machines it replaces (a row counter and a cell
 * reference watch, kept here as they were): the same row count and the same refusals, on random XML-like bytes fed in
 * random pieces.
 */
final class PartScanTest {

    /** The bytes either machine acts on, with filler, a zero byte and a UTF-8 lead byte. */
    private static final byte[] ALPHABET = {
        '<',
        '>',
        '/',
        ':',
        ' ',
        '\n',
        '\r',
        '\t',
        'r',
        'o',
        'w',
        'r',
        'o',
        'w',
        'R',
        'x',
        'B',
        '=',
        '"',
        '\'',
        '&',
        '1',
        'c',
        0,
        1,
        (byte) 0xC3
    };

    @Test
    void scan_randomBytesInRandomPieces_sameAsTheFormerMachines() {
        Random random = new Random(7);
        for (int run = 0; run < 200_000; run++) {
            byte[] xml = new byte[1 + random.nextInt(64)];
            for (int i = 0; i < xml.length; i++) {
                xml[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            String expected = former(xml);
            PartScan scan = new PartScan("p");
            String actual;
            try {
                for (int from = 0; from < xml.length; ) {
                    int length = Math.min(xml.length - from, random.nextInt(8));
                    scan.scan(xml, from, length);
                    from += length;
                }
                actual = "rows " + scan.rows();
            } catch (IngestException e) {
                actual = "refused";
            }

            assertThat(actual)
                    .as("%s", new String(xml, StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected);
        }
    }

    /** The former row counter and cell reference watch, byte at a time, over the whole input. */
    private static String former(byte[] b) {
        long rows = 0;
        int m = -1;
        int s = 0;
        int letters = 0;
        for (byte c : b) {
            if (c == '<') {
                m = 0;
            } else if (m != -1) {
                if (c == ' ' || c == '>' || c == '/' || c == '\n' || c == '\r' || c == '\t') {
                    if (m == 3) {
                        rows++;
                    }
                    m = -1;
                } else if (c == ':') {
                    m = 0;
                } else if (m < 3 && c == "row".charAt(m)) {
                    m++;
                } else {
                    m = 4;
                }
            }
            if (c == 0) {
                continue;
            }
            boolean space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
            switch (s) {
                case 0 -> s = space ? 1 : 0;
                case 1 -> s = c == 'r' ? 2 : space ? 1 : 0;
                case 2, 3 -> s = c == '=' ? 4 : space ? 3 : 0;
                case 4 -> {
                    if (c == '"' || c == '\'') {
                        s = 5;
                        letters = 0;
                    } else {
                        s = space ? 4 : 0;
                    }
                }
                default -> {
                    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                        if (++letters > 3) {
                            return "refused";
                        }
                    } else if (c == '&') {
                        return "refused";
                    } else {
                        s = space ? 1 : 0;
                    }
                }
            }
        }
        return "rows " + rows;
    }
}
