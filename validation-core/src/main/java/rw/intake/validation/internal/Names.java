package rw.intake.validation.internal;

import java.text.Normalizer;
import java.util.Arrays;
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
                || type == Character.ENCLOSING_MARK
                || (type == Character.UNASSIGNED && laterLetterOrMark(cp));
    }

    /** Whether the code point is one of {@link #LATER_LETTERS_AND_MARKS}. */
    static boolean laterLetterOrMark(int cp) {
        int i = Arrays.binarySearch(LATER_LETTERS_AND_MARKS, cp);
        // found: a range's first or last; not found: inside a range when the insertion point is a range's end
        return i >= 0 || (-i - 1) % 2 == 1;
    }

    /**
     * The letters and marks that Unicode 14 to 16 added, which Java 17 (Unicode 13) takes for unassigned code points:
     * ranges of first and last code point, as Java 25 (Unicode 16) classifies them (the code points it takes for a
     * letter or a mark, less those Java 17 does). So names in a script encoded since (Vithkuqi, Toto, Garay, ...) are
     * read as letters, whatever the JVM.
     */
    private static final int[] LATER_LETTERS_AND_MARKS = {
        0x870, 0x887, 0x889, 0x88e, 0x897, 0x89f, 0x8b5, 0x8b5, 0x8c8, 0x8d2, 0xc3c, 0xc3c, 0xc5d, 0xc5d, 0xcdd, 0xcdd,
        0xcf3, 0xcf3, 0xece, 0xece, 0x170d, 0x170d, 0x1715, 0x1715, 0x171f, 0x171f, 0x180f, 0x180f, 0x1ac1, 0x1ace,
        0x1b4c, 0x1b4c, 0x1c89, 0x1c8a, 0x1dfa, 0x1dfa, 0x2c2f, 0x2c2f, 0x2c5f, 0x2c5f, 0x9ffd, 0x9fff, 0xa7c0, 0xa7c1,
        0xa7cb, 0xa7cd, 0xa7d0, 0xa7d1, 0xa7d3, 0xa7d3, 0xa7d5, 0xa7dc, 0xa7f2, 0xa7f4, 0x10570, 0x1057a, 0x1057c,
        0x1058a, 0x1058c, 0x10592, 0x10594, 0x10595, 0x10597, 0x105a1, 0x105a3, 0x105b1, 0x105b3, 0x105b9, 0x105bb,
        0x105bc, 0x105c0, 0x105f3, 0x10780, 0x10785, 0x10787, 0x107b0, 0x107b2, 0x107ba, 0x10d4a, 0x10d65, 0x10d69,
        0x10d6d, 0x10d6f, 0x10d85, 0x10ec2, 0x10ec4, 0x10efc, 0x10eff, 0x10f70, 0x10f85, 0x11070, 0x11075, 0x110c2,
        0x110c2, 0x1123f, 0x11241, 0x11380, 0x11389, 0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7,
        0x113c0, 0x113c2, 0x113c2, 0x113c5, 0x113c5, 0x113c7, 0x113ca, 0x113cc, 0x113d3, 0x113e1, 0x113e2, 0x11740,
        0x11746, 0x11ab0, 0x11abf, 0x11bc0, 0x11be0, 0x11f00, 0x11f10, 0x11f12, 0x11f3a, 0x11f3e, 0x11f42, 0x11f5a,
        0x11f5a, 0x12f90, 0x12ff0, 0x1342f, 0x1342f, 0x13440, 0x13455, 0x13460, 0x143fa, 0x16100, 0x1612f, 0x16a70,
        0x16abe, 0x16d40, 0x16d6c, 0x18cff, 0x18cff, 0x1aff0, 0x1aff3, 0x1aff5, 0x1affb, 0x1affd, 0x1affe, 0x1b11f,
        0x1b122, 0x1b132, 0x1b132, 0x1b155, 0x1b155, 0x1cf00, 0x1cf2d, 0x1cf30, 0x1cf46, 0x1df00, 0x1df1e, 0x1df25,
        0x1df2a, 0x1e030, 0x1e06d, 0x1e08f, 0x1e08f, 0x1e290, 0x1e2ae, 0x1e4d0, 0x1e4ef, 0x1e5d0, 0x1e5f0, 0x1e7e0,
        0x1e7e6, 0x1e7e8, 0x1e7eb, 0x1e7ed, 0x1e7ee, 0x1e7f0, 0x1e7fe, 0x2a6de, 0x2a6df, 0x2b735, 0x2b739, 0x2ebf0,
        0x2ee5d, 0x31350, 0x323af
    };
}
