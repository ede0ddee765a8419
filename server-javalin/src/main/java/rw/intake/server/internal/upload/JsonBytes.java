package rw.intake.server.internal.upload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of JSON as UTF-8 bytes, for documents written from pre-encoded pieces: constant names and
 * punctuation are copied as they are, strings are quoted and escaped exactly as Jackson's UTF-8 generator escapes them
 * ({@code \"}, {@code \\}, {@code \b \t \n \f \r}, other control characters as {@code \\u00XX}; nothing else, so
 * non-ASCII text is copied as its UTF-8 bytes). Not thread-safe.
 *
 * <p>Kept instead of Jackson's {@code JsonGenerator} because it measured faster: {@code RecordPageJsonBench} writes the
 * same page bytes both ways ({@link RecordPageJson#write} against {@link RecordPageJson#writeGenerated}, with
 * {@code SerializedString} names and raw UTF-8 strings), and the generator came out slower by more than the 10 % that
 * would justify a hand-written writer. Run the benchmark again (docs/performance.md, P) before changing either.
 */
final class JsonBytes {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** Per ASCII byte: 0 when written as is, the letter of a two-character escape, or 'u' for {@code \\u00XX}. */
    private static final byte[] ESCAPES = new byte[128];

    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    private byte[] bytes;
    private int size;

    JsonBytes(int capacity) {
        this.bytes = new byte[Math.max(16, capacity)];
    }

    /** Empties the buffer, keeping its capacity. */
    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }

    int capacity() {
        return bytes.length;
    }

    /** The bytes written so far, as a new array. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** The bytes written so far, in place: valid until this buffer is written again. */
    PageJson page() {
        return new PageJson(bytes, size);
    }

    /** Appends bytes that are already JSON. */
    void raw(byte[] b) {
        raw(b, 0, b.length);
    }

    /** Appends {@code length} bytes from {@code offset} that are already JSON. */
    void raw(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, bytes, size, length);
        size += length;
    }

    /** Appends one ASCII character of JSON syntax. */
    void raw(char c) {
        ensure(1);
        bytes[size++] = (byte) c;
    }

    /** Appends a number as JSON. */
    void number(long value) {
        if (value == Long.MIN_VALUE) {
            raw(MIN_LONG);
            return;
        }
        ensure(20);
        long v = value;
        if (v < 0) {
            bytes[size++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10) {
            digits++;
        }
        int end = size + digits;
        for (int i = end - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        size = end;
    }

    /** Appends UTF-8 text as a quoted JSON string, copied without a look when {@code plain} says it needs no escape. */
    void string(byte[] utf8, int offset, int length, boolean plain) {
        ensure(length + 2);
        bytes[size++] = '"';
        if (plain) {
            System.arraycopy(utf8, offset, bytes, size, length);
            size += length;
        } else {
            escaped(utf8, offset, length);
        }
        bytes[size++] = '"';
    }

    /** Whether {@code s} is written in JSON as it is, between quotes (no character needs an escape). */
    static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (needsEscape(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the character {@code c} is escaped in a JSON string. */
    static boolean needsEscape(char c) {
        return c < 128 && ESCAPES[c] != 0;
    }

    /** {@code s} as a quoted JSON string in UTF-8, for tables written many times. */
    static byte[] quoted(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        JsonBytes out = new JsonBytes(utf8.length + 8);
        out.string(utf8, 0, utf8.length, false);
        return out.toByteArray();
    }

    /** ASCII JSON syntax as bytes, for constant pieces. */
    static byte[] ascii(String json) {
        return json.getBytes(StandardCharsets.US_ASCII);
    }

    private void escaped(byte[] utf8, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = utf8[i];
            byte escape = b >= 0 ? ESCAPES[b] : 0;
            if (escape == 0) {
                ensure(2);
                bytes[size++] = b;
            } else if (escape == 'u') {
                ensure(7);
                bytes[size++] = '\\';
                bytes[size++] = 'u';
                bytes[size++] = '0';
                bytes[size++] = '0';
                bytes[size++] = HEX[b >> 4];
                bytes[size++] = HEX[b & 0xF];
            } else {
                ensure(3);
                bytes[size++] = '\\';
                bytes[size++] = escape;
            }
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
