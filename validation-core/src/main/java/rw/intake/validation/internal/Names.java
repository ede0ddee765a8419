package rw.intake.validation.internal;

import java.text.Normalizer;
import rw.intake.validation.Codes;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/**
 * The names rule: trim, fold runs of white space into one space, compose to Unicode NFC, then 2 to 100 characters
 * (code points) of letters (any script), combining marks, space, apostrophe ({@code '} or {@code ’}), hyphen, period.
 */
public final class Names {

    public static final int MIN_LENGTH = 2;
    public static final int MAX_LENGTH = 100;

    private Names() {}

    /** Checks the names cell; returns its normalized value, or {@code null} if it has an error. */
    public static String check(String raw, Findings findings) {
        if (plainAscii(raw)) {
            return raw;
        }
        String s = normalize(raw);
        if (s.isEmpty()) {
            findings.error(Field.NAMES, Codes.NAMES_REQUIRED, "Names are required");
            return null;
        }
        boolean ok = true;
        int length = s.codePointCount(0, s.length());
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            findings.error(
                    Field.NAMES,
                    Codes.NAMES_LENGTH,
                    "Names must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters long; found " + length);
            ok = false;
        }
        int bad = firstDisallowed(s);
        if (bad >= 0) {
            findings.error(
                    Field.NAMES,
                    Codes.NAMES_CHARACTERS,
                    "Names may contain only letters, spaces, apostrophes, hyphens and periods; found "
                            + Findings.quoteCodePoint(bad));
            ok = false;
        }
        return ok ? s : null;
    }

    /**
     * The common case in one pass: {@code MIN_LENGTH} to {@code MAX_LENGTH} ASCII letters, apostrophes, hyphens,
     * periods and single inner spaces; such a cell is valid and already normalized.
     */
    static boolean plainAscii(String s) {
        int n = s.length();
        if (n < MIN_LENGTH || n > MAX_LENGTH) {
            return false;
        }
        char prev = ' '; // so a leading space fails
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(Chars.isAsciiLetter(c) || c == '\'' || c == '-' || c == '.' || (c == ' ' && prev != ' '))) {
                return false;
            }
            prev = c;
        }
        return prev != ' ';
    }

    /** Trimmed, white space folded, NFC; the same instance when already so. */
    static String normalize(String raw) {
        int n = raw.length();
        boolean clean = true;
        boolean ascii = true;
        boolean prevSpace = true; // a leading space is not clean
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                ascii = false;
            }
            boolean space = Text.isSpace(c);
            if (space && (c != ' ' || prevSpace)) {
                clean = false;
            }
            prevSpace = space;
        }
        String s = raw;
        if (!clean || prevSpace) {
            s = fold(raw);
        }
        if (!ascii && !Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
            s = Normalizer.normalize(s, Normalizer.Form.NFC);
        }
        return s;
    }

    private static String fold(String raw) {
        StringBuilder b = new StringBuilder(raw.length());
        boolean pending = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Text.isSpace(c)) {
                pending = b.length() > 0;
            } else {
                if (pending) {
                    b.append(' ');
                    pending = false;
                }
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The first code point that is not allowed in names, or -1. */
    static int firstDisallowed(String s) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (!(Chars.isAsciiLetter(c) || c == ' ' || c == '\'' || c == '-' || c == '.')) {
                    return c;
                }
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            if (!allowedNonAscii(cp)) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    private static boolean allowedNonAscii(int cp) {
        if (cp == '\u2019' || Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
