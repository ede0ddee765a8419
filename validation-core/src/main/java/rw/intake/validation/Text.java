package rw.intake.validation;

/**
 * What the rules count as white space, for readers that must trim cells exactly as validation does: Java's white
 * space plus Unicode's (space separators, so the no-break space U+00A0 that pasted text carries counts, and the next
 * line character U+0085 of text from old mainframe systems). Thread-safe.
 */
public final class Text {

    private Text() {}

    /** Whether {@code c} is white space by Java or by Unicode. */
    public static boolean isSpace(char c) {
        if (c < 0x80) {
            return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
        }
        return c == '\u0085' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** The text without leading and trailing white space; the same instance when it has none. */
    public static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return from == 0 && to == s.length() ? s : s.substring(from, to);
    }
}
