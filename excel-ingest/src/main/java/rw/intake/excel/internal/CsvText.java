package rw.intake.excel.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text of a CSV file as UTF-8, in whichever encoding a spreadsheet program saved it: UTF-8, with or without a byte
 * order mark, as it is; UTF-16 with its byte order mark (Excel's "Unicode Text") and Windows-1252 (Excel's "CSV (Comma
 * delimited)" on Windows set to English or French) transcoded, every line where it was; and Mac Roman (Excel's "CSV
 * (Macintosh)" and the "Comma Separated Values" of Excel for Mac) when the lines end with CR alone, as those write them.
 *
 * <p>Bytes that are not UTF-8 are taken as Windows-1252 only if they hold no UTF-8 sequence that Windows-1252 text
 * would not (a file that mixes the two would come out garbled) and none of the five bytes Windows-1252 leaves
 * undefined; otherwise they are refused as {@code file.corrupt} at the line of the first byte that is not UTF-8. Such a
 * sequence is any well-formed one but two bytes that Windows-1252 reads as a capital letter followed by a mark
 * ({@code É–}, {@code Ô’}: {@link #capitalBeforeAMark}), which names and notes hold; UTF-8 text in any script holds
 * other sequences too ({@code é} reads {@code Ã©}, {@code ł} {@code Å‚}, {@code И} {@code Ð˜}).
 * Mac Roman text is refused the same way if it holds a well-formed UTF-8 sequence that Mac Roman reads as a sign
 * before a letter, which no name or note holds: {@code √©} ({@code é} in UTF-8), {@code ≈Ç} ({@code ł}), {@code ‚Äô}
 * ({@code ’}) ({@link #utf8InMacRoman}).
 * UTF-32 (a byte order mark of four bytes) is no spreadsheet's CSV: {@code file.unsupported_format}.
 */
final class CsvText {

    /** Eight bytes of an array read as one long, for the ASCII check. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The high bit of each of eight bytes: none is set in eight ASCII bytes. */
    private static final long ASCII_MASK = 0x8080808080808080L;

    private static final String NOT_UTF8 = "the bytes are not UTF-8 text (save the file as \"CSV UTF-8\")";
    /** Per byte value, the UTF-8 bytes of its Windows-1252 character; null for the bytes it leaves undefined. */
    private static final byte[][] WINDOWS_1252 = singleByte("windows-1252");
    /** Per byte value, the UTF-8 bytes of its Mac Roman character (every byte has one). */
    private static final byte[][] MAC_ROMAN = singleByte("x-MacRoman");

    private CsvText() {}

    /**
     * The text as UTF-8: these bytes if they are UTF-8, else a transcoded copy.
     *
     * @throws rw.intake.excel.IngestException {@code file.corrupt} if the bytes are in none of those encodings
     */
    static byte[] utf8(byte[] bytes) {
        if (utf16(bytes)) {
            return fromUtf16(bytes, (bytes[0] & 0xFF) == 0xFF ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        }
        int bad = firstMalformed(bytes);
        if (bad < 0) {
            return bytes;
        }
        byte[] text = crAlone(bytes)
                ? fromSingleByte(bytes, MAC_ROMAN, CsvText::utf8InMacRoman)
                : fromSingleByte(bytes, WINDOWS_1252, (b, i) -> utf8Sequence(b, i) && !capitalBeforeAMark(b, i));
        if (text == null) {
            // the line as Excel shows the file: a separator line (ASCII in those encodings) is not shown
            long line = lineOf(bytes, bad) - (SeparatorLine.of(bytes) == null ? 0 : 1);
            throw Rejections.csvCorrupt(NOT_UTF8, line, null);
        }
        return text;
    }

    /**
     * Excel's line naming a file's separator, first in the file after a UTF-8 byte order mark: {@code sep=;} and its
     * line end. Excel takes the separator from it and shows the file from the line after it, so its rows are the
     * file's lines less one.
     *
     * @param end the offset after the line (and its line end)
     * @param separator the separator it names
     */
    record SeparatorLine(int end, char separator) {

        private static final String PREFIX = "sep=";

        /**
         * The text's separator line, or null: {@code sep=} (in any case), one character that is neither a letter, a
         * digit, a space nor a quote, then a line end or the end of the text.
         */
        static SeparatorLine of(byte[] text) {
            int from = utf8Bom(text) ? 3 : 0;
            int at = from + PREFIX.length();
            if (at >= text.length || !startsWithIgnoringCase(text, from, PREFIX) || !separator(text[at])) {
                return null;
            }
            int end = at + 1;
            if (end < text.length && text[end] == '\r') {
                end++;
            }
            if (end < text.length && text[end] == '\n') {
                end++;
            }
            return end == at + 1 && end < text.length ? null : new SeparatorLine(end, (char) text[at]);
        }

        private static boolean separator(byte b) {
            return b == '\t' || (b > ' ' && b < 0x7F && b != '"' && !Character.isLetterOrDigit(b));
        }
    }

    /** Whether the bytes start with a UTF-8 byte order mark. */
    static boolean utf8Bom(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
    }

    /** Whether the bytes start with a UTF-16 byte order mark (either order), not UTF-32's. */
    static boolean utf16(byte[] bytes) {
        return bytes.length >= 2
                && (((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE)
                        || ((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF))
                && !utf32(bytes);
    }

    /** Whether the bytes start with a UTF-32 byte order mark (either order), an encoding no spreadsheet saves. */
    static boolean utf32(byte[] bytes) {
        return bytes.length >= 4
                && ((bytes[0] == 0 && bytes[1] == 0 && (bytes[2] & 0xFF) == 0xFE && (bytes[3] & 0xFF) == 0xFF)
                        || ((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE && bytes[2] == 0 && bytes[3] == 0));
    }

    /**
     * The text without an end-of-file mark (Ctrl-Z, 0x1A) at its very end, which programs of the DOS era still write
     * after the last line; the same array when it has none.
     */
    static byte[] withoutEofMark(byte[] text) {
        return text.length > 0 && text[text.length - 1] == 0x1A ? Arrays.copyOf(text, text.length - 1) : text;
    }

    /**
     * What the text is if it is markup rather than CSV: a web page (a table a web system saved as ".xls") or XML (such
     * as Excel's "XML Spreadsheet 2003"), by its first characters after a byte order mark and white space; else null.
     */
    static String markup(byte[] text) {
        int i = utf8Bom(text) ? 3 : 0;
        while (i < text.length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
            i++;
        }
        if (startsWithIgnoringCase(text, i, "<?xml")) {
            return "an XML file (such as Excel's \"XML Spreadsheet 2003\")";
        }
        for (String tag : new String[] {"<!doctype html", "<html", "<table", "<head", "<meta", "<body"}) {
            if (startsWithIgnoringCase(text, i, tag)) {
                return "a web page (HTML), such as a table saved as .xls by a web application";
            }
        }
        return null;
    }

    private static boolean startsWithIgnoringCase(byte[] text, int from, String ascii) {
        if (text.length - from < ascii.length()) {
            return false;
        }
        for (int j = 0; j < ascii.length(); j++) {
            if (Character.toLowerCase(text[from + j]) != ascii.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The offset of the first byte that is not well-formed UTF-8 (the first byte of the ill-formed sequence), or -1:
     * eight ASCII bytes at a time, the rest by the table of well-formed byte sequences of the Unicode standard (no
     * overlong forms, no surrogates, nothing past U+10FFFF), as the JDK's decoder checks them, without decoding.
     */
    static int firstMalformed(byte[] bytes) {
        int n = bytes.length;
        int i = 0;
        while (i < n) {
            if (i + Long.BYTES <= n && ((long) LONGS.get(bytes, i) & ASCII_MASK) == 0) {
                i += Long.BYTES;
                continue;
            }
            int c = bytes[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int low = 0x80;
            int high = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                low = c == 0xE0 ? 0xA0 : 0x80;
                high = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                low = c == 0xF0 ? 0x90 : 0x80;
                high = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                return i;
            }
            if (i + more >= n) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }

    /**
     * The 1-based line of a byte offset, lines ended as the CSV parser ends them: LF, CR LF, or CR alone (as Excel's
     * "CSV (Macintosh)" writes).
     */
    static long lineOf(byte[] bytes, int offset) {
        long line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n'))) {
                line++;
            }
        }
        return line;
    }

    /** The text after the byte order mark, decoded from UTF-16 and written as UTF-8. */
    private static byte[] fromUtf16(byte[] bytes, Charset charset) {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.length / 2);
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes, 2, bytes.length - 2), chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            long line = 1;
            for (int i = 0; i < chars.position(); i++) {
                if (chars.get(i) == '\n') {
                    line++;
                }
            }
            throw Rejections.csvCorrupt("the bytes are not UTF-16 text (save the file as \"CSV UTF-8\")", line, null);
        }
        chars.flip();
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(chars);
        byte[] text = new byte[utf8.remaining()];
        utf8.get(text);
        return text;
    }

    /** Whether the first line of the bytes ends with a CR alone, as Excel for Mac ends the lines of its CSV files. */
    static boolean crAlone(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return false;
            }
            if (bytes[i] == '\r') {
                return i + 1 == bytes.length || bytes[i + 1] != '\n';
            }
        }
        return false;
    }

    /** Whether the bytes at an offset are a sign of a mixed file (see the class). */
    @FunctionalInterface
    private interface Mixed {
        boolean at(byte[] bytes, int i);
    }

    /**
     * The bytes in a single-byte encoding ({@code table}: the UTF-8 bytes of each byte value's character, null where it
     * has none) written as UTF-8, or null if they cannot be that: a byte without a character, or a sign of a mixed file.
     */
    private static byte[] fromSingleByte(byte[] bytes, byte[][] table, Mixed mixed) {
        long length = 0;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                length++;
                continue;
            }
            if (table[b] == null || mixed.at(bytes, i)) {
                return null;
            }
            length += table[b].length;
        }
        if (length > Integer.MAX_VALUE - 8) {
            return null;
        }
        byte[] text = new byte[(int) length];
        int at = 0;
        for (byte value : bytes) {
            int b = value & 0xFF;
            if (b < 0x80) {
                text[at++] = value;
            } else {
                byte[] utf8 = table[b];
                System.arraycopy(utf8, 0, text, at, utf8.length);
                at += utf8.length;
            }
        }
        return text;
    }

    /**
     * Whether the two bytes at {@code i} (a well-formed UTF-8 sequence) read in Windows-1252 as a capital letter from
     * {@code Ä} to {@code ß} followed by a mark that follows such a letter in names and notes: an ellipsis, a curly
     * quote, a bullet, a dash, a no-break space or a guillemet ({@code É–}, {@code JOSÉ’S}, {@code «RENÉ»}).
     */
    private static boolean capitalBeforeAMark(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        int next = bytes[i + 1] & 0xFF;
        return b >= 0xC4
                && b <= 0xDF
                && (next == 0x85 || (next >= 0x91 && next <= 0x97) || next == 0xA0 || next == 0xAB || next == 0xBB);
    }

    /**
     * Whether a well-formed UTF-8 sequence starts at {@code i} that Mac Roman reads as a sign before a letter: a
     * character from U+0080 to U+017F (Latin-1 and Latin Extended-A: {@code ¬}, {@code √}, {@code ƒ} or {@code ≈}
     * before a letter or sign) or general punctuation from U+2000 to U+203F ({@code ‚Ä} before one).
     */
    private static boolean utf8InMacRoman(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        return ((b >= 0xC2 && b <= 0xC5) || (b == 0xE2 && i + 1 < bytes.length && (bytes[i + 1] & 0xFF) == 0x80))
                && utf8Sequence(bytes, i);
    }

    /** Whether a well-formed UTF-8 sequence of two to four bytes starts at {@code i}. */
    private static boolean utf8Sequence(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        int more = b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xF0 && b <= 0xF4 ? 3 : 0;
        if (more == 0 || i + more >= bytes.length) {
            return false;
        }
        for (int k = 1; k <= more; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    private static byte[][] singleByte(String charset) {
        CharsetDecoder decoder = Charset.forName(charset)
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[][] table = new byte[256][];
        for (int b = 0x80; b < 256; b++) {
            CharBuffer c = CharBuffer.allocate(2);
            decoder.reset();
            if (!decoder.decode(ByteBuffer.wrap(new byte[] {(byte) b}), c, true).isError()) {
                c.flip();
                if (c.remaining() == 1 && c.get(0) != '\uFFFD') {
                    table[b] = String.valueOf(c.get(0)).getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        return table;
    }
}
