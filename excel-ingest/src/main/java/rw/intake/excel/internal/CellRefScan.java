package rw.intake.excel.internal;

import rw.intake.excel.IngestException;

/**
 * Watches the inflated XML of a workbook for cell references ({@code r="AB12"}) whose column has more than three
 * letters (Excel's last column is XFD) or that are written with character references. fastexcel-reader sizes a row's
 * cell list by its largest column, so a one-kilobyte sheet with {@code <c r="NAMESE1">} would have it allocate and
 * fill a list of 150 million entries: such a workbook is refused before fastexcel reads it. Byte-level, with no
 * allocation: an attribute named {@code r}, after whitespace, {@code =} and a quote, whose value starts with four
 * letters or holds an {@code &}; zero bytes are skipped, so UTF-16 XML is read as its ASCII. Not thread-safe; one per
 * entry.
 */
final class CellRefScan {

    private static final int MAX_LETTERS = 3;

    private static final int TEXT = 0;
    private static final int SPACE = 1;
    private static final int NAME = 2;
    private static final int BEFORE_EQUALS = 3;
    private static final int BEFORE_QUOTE = 4;
    private static final int VALUE = 5;

    private final String entry;
    private int state = TEXT;
    private int letters;

    CellRefScan(String entry) {
        this.entry = entry;
    }

    /**
     * Scans the next bytes of the entry.
     *
     * @throws IngestException {@code file.corrupt} on a cell reference past column XFD or with a character reference
     */
    void scan(byte[] bytes, int offset, int length) {
        int s = state;
        for (int i = offset, end = offset + length; i < end; i++) {
            int c = bytes[i];
            if (c == 0) {
                continue; // the high bytes of UTF-16 (or UTF-32) text: what is left is its ASCII
            }
            boolean space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
            switch (s) {
                case TEXT -> s = space ? SPACE : TEXT;
                case SPACE -> s = c == 'r' ? NAME : space ? SPACE : TEXT;
                case NAME -> s = c == '=' ? BEFORE_QUOTE : space ? BEFORE_EQUALS : TEXT;
                case BEFORE_EQUALS -> s = c == '=' ? BEFORE_QUOTE : space ? BEFORE_EQUALS : TEXT;
                case BEFORE_QUOTE -> {
                    if (c == '"' || c == '\'') {
                        s = VALUE;
                        letters = 0;
                    } else {
                        s = space ? BEFORE_QUOTE : TEXT;
                    }
                }
                default -> {
                    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                        if (++letters > MAX_LETTERS) {
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
        state = s;
    }

    private IngestException refused() {
        return Rejections.corrupt("the part " + entry + " has a cell reference beyond the last column (XFD)", null);
    }
}
