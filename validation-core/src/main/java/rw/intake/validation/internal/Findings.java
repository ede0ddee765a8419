package rw.intake.validation.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;
import rw.intake.validation.Violation;

/** The violations of one record as the field rules find them; allocates nothing while the record is clean. */
public final class Findings {

    private ArrayList<Violation> list;

    public void error(Field field, String code, String message) {
        add(Violation.of(field, code, Severity.ERROR, message));
    }

    public void warning(Field field, String code, String message) {
        add(Violation.of(field, code, Severity.WARNING, message));
    }

    private void add(Violation v) {
        if (list == null) {
            list = new ArrayList<>(4);
        }
        list.add(v);
    }

    /** The violations found, in the order they were added. */
    public List<Violation> toList() {
        return list == null ? List.of() : list;
    }

    /** The most characters (code points) a quoted text keeps whole; a longer one keeps its first 37 and "...". */
    private static final int QUOTE_MAX = 40;

    /**
     * Quotes a cell text for a message: a character that shows nothing where it stands (a control, white space other
     * than the space, a format character such as the zero-width space U+200B, a filler) as its code,
     * {@code <U+200B>}, so that the clerk sees it; a text of more than {@link #QUOTE_MAX} characters cut after its
     * 37th (never inside an emoji's surrogate pair) and ended with "...".
     */
    public static String quote(String text) {
        boolean cut = text.codePointCount(0, text.length()) > QUOTE_MAX;
        int keep = cut ? QUOTE_MAX - 3 : QUOTE_MAX;
        StringBuilder b = new StringBuilder(Math.min(text.length(), QUOTE_MAX) + 8).append('\'');
        for (int i = 0, n = 0; i < text.length() && n < keep; n++) {
            int cp = text.codePointAt(i);
            if (cp != ' ' && blank(cp)) {
                b.append('<').append(code(cp)).append('>');
            } else {
                b.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return b.append(cut ? "...'" : "'").toString();
    }

    /**
     * Quotes one code point for a message, naming by its code one that shows nothing alone: those {@link #quote} names,
     * and a combining mark with no letter to sit on.
     */
    public static String quoteCodePoint(int cp) {
        int type = Character.getType(cp);
        if (blank(cp)
                || type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK) {
            return code(cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    /**
     * Whether {@code cp} shows nothing where it stands: a control, white space, a format character (Cf: zero-width
     * space and joiners, direction marks, the byte order mark, the soft hyphen), a lone surrogate, a private-use or
     * unassigned code point, or a filler that is a letter to Unicode but draws nothing (the Hangul fillers, the braille
     * blank).
     */
    private static boolean blank(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp)
                || Character.isWhitespace(cp)
                || Character.isSpaceChar(cp)
                || type == Character.FORMAT
                || type == Character.SURROGATE
                || type == Character.PRIVATE_USE
                || type == Character.UNASSIGNED
                || cp == 0x115F
                || cp == 0x1160
                || cp == 0x3164
                || cp == 0xFFA0
                || cp == 0x2800;
    }

    private static String code(int cp) {
        return String.format(Locale.ROOT, "U+%04X", cp);
    }
}
