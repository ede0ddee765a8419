package rw.intake.excel.internal;

import rw.intake.excel.IngestException;

/**
 * One pass over the inflated XML of a workbook part, fed in pieces, for the two byte-level checks of
 * {@link PackageCheck}. Not thread-safe; one per part.
 *
 * <p>It counts the elements named {@code row} (with or without a namespace prefix): a {@code <}, an optional
 * {@code prefix:}, {@code row}, then white space, {@code >} or {@code /}. {@code <rowBreaks>} and the like do not count;
 * a {@code <row} inside a comment or CDATA would (an overcount only).
 *
 * <p>It watches for cell references ({@code r="AB12"}) whose column has more than three letters (Excel's last column is
 * XFD) or that are written with character references. fastexcel-reader sizes a row's cell list by its largest column,
 * so a one-kilobyte sheet with {@code <c r="NAMESE1">} would have it allocate and fill a list of 150 million entries:
 * such a workbook is refused before fastexcel reads it. That is an attribute named {@code r}, after whitespace,
 * {@code =} and a quote, whose value starts with four letters or holds an {@code &}; zero bytes are skipped, so UTF-16
 * XML is read as its ASCII.
 *
 * <p>Both are state machines over the same bytes, run in one loop that moves one of them at a time: in a tag's name
 * (after {@code <}) only the row one (the other is in TEXT, which it leaves only on white space, and white space ends
 * the name), after white space only the reference one (the row one waits for {@code <}), and while neither is inside
 * something (most bytes of a sheet: values, text, the rest of attributes) the loop only looks for the next {@code <}
 * or white space.
 */
final class PartScan {

    private static final int MAX_LETTERS = 3;

    /** Row states: characters of the local name seen since {@code <}, or OUTSIDE; 4 means "not row". */
    private static final int OUTSIDE = -1;

    private static final int NOT_ROW = 4;

    /** Cell reference states. */
    private static final int TEXT = 0;

    private static final int SPACE = 1;
    private static final int NAME = 2;
    private static final int BEFORE_EQUALS = 3;
    private static final int BEFORE_QUOTE = 4;
    private static final int VALUE = 5;

    private final String part;
    private long rows;
    private int matched = OUTSIDE;
    private int state = TEXT;
    private int letters;

    PartScan(String part) {
        this.part = part;
    }

    /**
     * Scans the next bytes of the part.
     *
     * @throws IngestException {@code file.corrupt} on a cell reference past column XFD or with a character reference
     */
    void scan(byte[] bytes, int offset, int length) {
        int m = matched;
        int s = state;
        int n = letters;
        long r = rows;
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int c = bytes[i++];
            if (m != OUTSIDE) {
                // in a tag's name: the reference watch is in TEXT (as '<' left it) until white space ends the name
                boolean space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
                if (space || c == '>' || c == '/') {
                    if (m == 3) {
                        r++;
                    }
                    m = OUTSIDE;
                    s = space ? SPACE : TEXT;
                } else if (c == '<' || c == ':') {
                    m = 0;
                } else if ((m == 0 && c == 'r') || (m == 1 && c == 'o') || (m == 2 && c == 'w')) {
                    m++;
                } else {
                    m = NOT_ROW;
                }
            } else if (s == TEXT) {
                // Neither machine moves but on '<' or white space: the next of those, fast (a zero byte or another
                // control character stops the skip and changes nothing).
                while ((c & 0xFF) > ' ' && c != '<') {
                    if (i == end) {
                        break;
                    }
                    c = bytes[i++];
                }
                if (c == '<') {
                    m = 0;
                } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    s = SPACE;
                }
            } else if (c == '<') {
                m = 0;
                s = TEXT;
            } else if (c != 0) { // a zero byte is the high byte of UTF-16 (or UTF-32) text: what is left is its ASCII
                boolean space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
                switch (s) {
                    case SPACE -> s = c == 'r' ? NAME : space ? SPACE : TEXT;
                    case NAME, BEFORE_EQUALS -> s = c == '=' ? BEFORE_QUOTE : space ? BEFORE_EQUALS : TEXT;
                    case BEFORE_QUOTE -> {
                        if (c == '"' || c == '\'') {
                            s = VALUE;
                            n = 0;
                        } else {
                            s = space ? BEFORE_QUOTE : TEXT;
                        }
                    }
                    default -> {
                        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                            if (++n > MAX_LETTERS) {
                                throw refused();
                            }
                        } else if (c == '&') {
                            throw refused();
                        } else {
                            s = space ? SPACE : TEXT;
                        }
                    }
                }
            }
        }
        matched = m;
        state = s;
        letters = n;
        rows = r;
    }

    /** The {@code row} elements seen so far. */
    long rows() {
        return rows;
    }

    private IngestException refused() {
        return Rejections.corrupt("the part " + part + " has a cell reference beyond the last column (XFD)", null);
    }
}
