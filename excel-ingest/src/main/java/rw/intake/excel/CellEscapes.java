package rw.intake.excel;

/**
 * The escapes of a workbook's texts ({@code ST_Xstring} in ECMA-376, Part 1, 22.9.2.19): {@code _xHHHH_} stands for
 * the UTF-16 code unit {@code HHHH} (four hexadecimal digits, either case). Excel, xlsxwriter and LibreOffice write
 * characters XML cannot hold, or that a parser would change (control characters, a carriage return), this way, and
 * {@code _x005F_} (an underscore) before text that would read as an escape: {@code _x005F_x0041_} is the text
 * {@code _x0041_}. A cell's text is read unescaped ({@link #unescape}); the error report writes its texts escaped
 * ({@link #escape}), so that it reads back as written.
 */
public final class CellEscapes {

    private static final int LENGTH = 7;

    private CellEscapes() {}

    /** The text with every escape replaced by the code unit it stands for; the same instance when it has none. */
    public static String unescape(String s) {
        int at = s.indexOf("_x");
        if (at < 0) {
            return s;
        }
        StringBuilder out = null;
        int copied = 0;
        for (; at >= 0; at = s.indexOf("_x", at + 1)) {
            int unit = escapeAt(s, at);
            if (unit < 0) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, at).append((char) unit);
            copied = at + LENGTH;
            at = copied - 1;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /**
     * The text as a cell holds it: a character XML 1.0 does not allow (a control character other than tab and line
     * feed, a lone surrogate, U+FFFE, U+FFFF), and a carriage return, which XML parsers turn into a line feed, as
     * its escape; an underscore that would start an escape once written as {@code _x005F_} (one before {@code xHHHH}
     * and an underscore, or before {@code xHHHH} and a character written as its escape). The same instance when none is
     * needed.
     */
    public static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean escaped = !allowed(s, i) || (c == '_' && startsEscapeWritten(s, i));
            if (escaped && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (escaped) {
                out.append("_x").append(String.format("%04X", (int) c)).append('_');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** Whether the character at {@code i} may stand in XML as it is (a surrogate only as half of a pair). */
    private static boolean allowed(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20) {
            return c == '\t' || c == '\n';
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return c != 0xFFFE && c != 0xFFFF;
    }

    /**
     * Whether the underscore at {@code at} starts an escape once the text is written: {@code _xHHHH} then an underscore,
     * or a character {@link #escape} writes as its escape, which starts with one.
     */
    private static boolean startsEscapeWritten(String s, int at) {
        int end = at + LENGTH - 1;
        return end < s.length() && (s.charAt(end) == '_' || !allowed(s, end)) && unitAt(s, at) >= 0;
    }

    /** The code unit of the escape at {@code at} ({@code _xHHHH_}), or -1 if none starts there. */
    private static int escapeAt(String s, int at) {
        return at + LENGTH <= s.length() && s.charAt(at + LENGTH - 1) == '_' ? unitAt(s, at) : -1;
    }

    /** The code unit {@code HHHH} of {@code _xHHHH} at {@code at} (what closes it not looked at), or -1. */
    private static int unitAt(String s, int at) {
        if (at + LENGTH > s.length() || s.charAt(at) != '_' || s.charAt(at + 1) != 'x') {
            return -1;
        }
        int unit = 0;
        for (int k = at + 2; k < at + 6; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0 || s.charAt(k) > 'f') {
                return -1;
            }
            unit = unit << 4 | d;
        }
        return unit;
    }
}
