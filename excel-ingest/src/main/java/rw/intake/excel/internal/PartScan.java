package rw.intake.excel.internal;

import rw.intake.excel.IngestException;

/**
 * One pass over the inflated XML of a workbook part, fed in pieces, for the byte-level checks of {@link PackageCheck}
 * (the zip pass, and the late pass over the parts left to be read once). Not thread-safe; one per part.
 *
 * <p>It tokenizes the markup as an XML parser does, without building anything: start and end tags (quotes
 * respected, a tag that closes itself known by its {@code />}), comments, CDATA sections, processing instructions
 * and a DOCTYPE, whose content is not markup. A part whose first character (after a byte order mark and white space)
 * is not {@code <} is not XML, and is not looked at further (an image, a printer's settings): no XML parser reads
 * it. UTF-16 and UTF-32 parts are read by their characters; a character above ASCII is never markup.
 *
 * <ul>
 *   <li>It counts the start tags named {@code row} (with or without a namespace prefix).
 *   <li>It refuses a cell reference ({@code r="AB12"}, an attribute of a tag) whose column has more than three
 *       letters (Excel's last column is XFD) or that is written with a character reference. fastexcel-reader sizes
 *       a row's cell list by its largest column, so a one-kilobyte sheet with {@code <c r="NAMESE1">} would have it
 *       allocate and fill a list of 150 million entries: such a workbook is refused before fastexcel reads it.
 *   <li>It bounds what a reader holds at once ({@link #MAX_ELEMENT_BYTES}): an element named {@code row} or
 *       {@code si} (the outermost one, from its start tag's {@code <} to its end tag's), and the bytes between two
 *       {@code <} of markup (a tag with its attributes, a text, a comment, a CDATA section). Both readers hold a
 *       row, a shared string or a text whole, and fastexcel-reader joins the texts of a cell or a shared string
 *       into one {@code String}: a file of a few hundred kilobytes can hold one cell of hundreds of megabytes, which
 *       no spreadsheet program writes (a cell holds at most 32,767 characters). Past the bound the part is refused
 *       as {@code file.too_large} ({@code limitName} {@code maxElementBytes}). A DOCTYPE is read up to the
 *       {@code >} outside quotes and its internal subset's brackets; should the scan misread one, what it takes for
 *       markup lies before the root element, where there is no row or shared string, and what it takes for the
 *       DOCTYPE's text counts as one run.
 * </ul>
 */
final class PartScan {

    /** The most bytes of a row or shared-string element, or between two markup {@code <} (characters in UTF-16). */
    static final long MAX_ELEMENT_BYTES = 16L * 1024 * 1024;

    private static final int MAX_LETTERS = 3;
    /**
     * The most attributes (namespace declarations included) one tag may have: a spreadsheet program writes about ten
     * on a worksheet's root, a few on a cell. The XML parser fastexcel-reader uses checks each namespace declaration
     * against every one before it, so a part of 500 KB declaring 100,000 of them took minutes of a core.
     */
    static final int MAX_ATTRIBUTES = 1_000;

    private static final byte[] CDATA_OPEN = {'[', 'C', 'D', 'A', 'T', 'A', '['};
    /** The local names {@code row} and {@code si}, packed as {@link #name} packs them. */
    private static final int ROW = ('r' << 16) | ('o' << 8) | 'w';

    private static final int SI = ('s' << 8) | 'i';

    /** Tokenizer states. */
    private static final int START = 0;

    private static final int NOT_XML = 1;
    private static final int CONTENT = 2;
    private static final int LT = 3;
    private static final int NAME = 4;
    private static final int TAG = 5;
    private static final int END_TAG = 6;
    private static final int BANG = 7;
    private static final int COMMENT = 8;
    private static final int CDATA = 9;
    private static final int PI = 10;
    private static final int DOCTYPE = 11;

    /** The watch for a cell reference inside a tag. */
    private static final int A_NONE = 0;

    private static final int A_SPACE = 1;
    private static final int A_NAME = 2;
    private static final int A_BEFORE_EQUALS = 3;
    private static final int A_BEFORE_QUOTE = 4;
    private static final int A_VALUE = 5;
    /** The watch for a cell's type ({@code t="n"}): as for its reference, above. */
    private static final int T_NAME = 6;

    private static final int T_BEFORE_EQUALS = 7;
    private static final int T_BEFORE_QUOTE = 8;
    private static final int T_VALUE = 9;
    /** The local names {@code c} and {@code v}. */
    private static final int C = 'c';

    private static final int V = 'v';

    private final String part;
    private final long max;
    private long rows;

    private int state = START;
    /** The position of the next byte (character, in UTF-16 and UTF-32) in the part. */
    private long at;
    /** The position of the last {@code <} of markup. */
    private long lastLt = -1;
    /** The position of the open row or shared-string element's {@code <}, or -1; and its depth. */
    private long unitStart = -1;

    private int unitDepth;
    private int depth;
    /** Whether an element has started (the root). */
    private boolean rooted;
    /** In a tag's name: whether it is an end tag; its local name (what follows a prefix): its last four bytes, packed. */
    private boolean endTag;

    private int name;
    private int nameLength;
    /** Whether the start tag being read opens a row or shared-string element. */
    private boolean opensUnit;
    /** In a tag or a DOCTYPE: the open quote, or 0; the last byte outside quotes that was not white space. */
    private int quote;

    private int last;
    private int attribute;
    /** The attribute values of the tag being read. */
    private int values;

    private int letters;
    /** The tag being read: whether it has a {@code t} attribute, its value's length and first character. */
    private boolean typed;

    private int typeLength;
    private int typeFirst;
    /** Whether the tag being read is a {@code c} or a {@code v} start tag. */
    private boolean cellTag;

    private boolean valueTag;
    /** Whether the open cell is a number cell (no {@code t}, or {@code t="n"}); where its value's text starts, or -1. */
    private boolean numberCell;

    private long valueStart = -1;
    /** Progress through what ends a comment, CDATA or processing instruction, or opens CDATA; a DOCTYPE's brackets. */
    private int marks;

    /** Bytes per character (1 for UTF-8 and ASCII-compatible encodings), and whether the big end comes first. */
    private int width;

    private boolean bigEndian;
    private final byte[] head = new byte[4];
    private int headLength;
    private byte[] narrow;
    private int pending;
    private int low;
    private boolean high;

    PartScan(String part) {
        this(part, MAX_ELEMENT_BYTES);
    }

    /** A scan with another bound on an element or a run of bytes without markup (tests). */
    PartScan(String part, long max) {
        this.part = part;
        this.max = max;
    }

    /**
     * Scans the next bytes of the part.
     *
     * @throws IngestException {@code file.corrupt} on a cell reference past column XFD or with a character reference;
     *                         {@code file.too_large} on an element or a run without markup past the bound
     */
    void scan(byte[] bytes, int offset, int length) {
        if (state == NOT_XML || length <= 0) {
            return;
        }
        if (width == 0) {
            int n = Math.min(length, head.length - headLength);
            System.arraycopy(bytes, offset, head, headLength, n);
            headLength += n;
            if (headLength < head.length) {
                return; // a part shorter than this is too short to matter
            }
            encoding();
            feed(head, 0, head.length);
            feed(bytes, offset + n, length - n);
        } else {
            feed(bytes, offset, length);
        }
    }

    /**
     * The end of the part. An XML part must end outside markup, with every element it opened closed: one that does not
     * was cut short or damaged inside an intact zip entry (a truncated file's entries fail their CRC). A part that is not
     * XML, or of fewer than four bytes, is not looked at.
     *
     * @throws IngestException {@code file.corrupt}
     */
    void end() {
        if (state == NOT_XML || state == START || width == 0) {
            return;
        }
        if (state != CONTENT || depth != 0 || !rooted) {
            throw Rejections.corrupt(
                    "its XML is broken or cut short: the part " + part + " does not close every element it opens",
                    null);
        }
    }

    /** The {@code row} elements seen so far. */
    long rows() {
        return rows;
    }

    /** Tells the encoding by the first four bytes, as XML's appendix F does. */
    private void encoding() {
        int b0 = head[0] & 0xFF;
        int b1 = head[1] & 0xFF;
        int b2 = head[2] & 0xFF;
        int b3 = head[3] & 0xFF;
        if ((b0 == 0 && b1 == 0 && b2 == 0xFE && b3 == 0xFF) || (b0 == 0 && b1 == 0 && b2 == 0 && b3 == '<')) {
            width = 4;
            bigEndian = true;
        } else if ((b0 == 0xFF && b1 == 0xFE && b2 == 0 && b3 == 0) || (b0 == '<' && b1 == 0 && b2 == 0 && b3 == 0)) {
            width = 4;
        } else if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0 && b1 == '<')) {
            width = 2;
            bigEndian = true;
        } else if ((b0 == 0xFF && b1 == 0xFE) || (b0 == '<' && b1 == 0)) {
            width = 2;
        } else {
            width = 1;
        }
    }

    /** Feeds bytes to the tokenizer, as characters of one byte: above ASCII as 0x80, which is never markup. */
    private void feed(byte[] bytes, int offset, int length) {
        if (width == 1) {
            run(bytes, offset, length);
            return;
        }
        if (narrow == null || narrow.length < length / width + 2) {
            narrow = new byte[length / width + 2];
        }
        int n = 0;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int b = bytes[i] & 0xFF;
            // the bytes of a character so far: its low byte is the first (little end first) or the last
            if (pending == 0) {
                high = false;
            }
            if (bigEndian ? pending == width - 1 : pending == 0) {
                low = b;
            } else if (b != 0) {
                high = true;
            }
            if (++pending == width) {
                pending = 0;
                narrow[n++] = (byte) (high || low >= 0x80 ? 0x80 : low);
            }
        }
        run(narrow, 0, n);
    }

    /**
     * The tokenizer over characters of one byte. Its state lives in locals while it runs (fields between pieces). The
     * states a tag goes through follow each other in the loop (text, {@code <}, name, attributes or end tag), so that a
     * tag is read in one pass down the loop's body, and each has a loop of its own, so that the bytes of a tag's
     * attributes, of a quoted value and of text are passed over a few comparisons each.
     */
    private void run(byte[] b, int offset, int length) {
        if (state == NOT_XML) {
            return;
        }
        int end = offset + length;
        long base = at - offset;
        int s = state;
        int q = quote;
        int attr = attribute;
        int lastByte = last;
        int n = letters;
        int mk = marks;
        int len = nameLength;
        int packed = name;
        int i = offset;
        scan:
        while (i < end) {
            if (s == CONTENT) {
                while (b[i] != '<') {
                    if (++i == end) {
                        break scan;
                    }
                }
                lt(base + i);
                if (++i == end) {
                    s = LT;
                    break;
                }
                s = LT;
            }
            if (s == LT) {
                int c = b[i];
                len = 0;
                packed = 0;
                mk = 0;
                if (c == '!' || c == '?') {
                    i++;
                    s = c == '!' ? BANG : PI;
                    continue;
                }
                endTag = c == '/';
                if (endTag) {
                    i++;
                }
                values = 0;
                typed = false;
                s = NAME;
            }
            if (s == NAME) {
                while (true) {
                    if (i == end) {
                        break scan;
                    }
                    int c = b[i];
                    if (c == ' ' || c == '>' || c == '/' || c == '\n' || c == '\r' || c == '\t') {
                        break;
                    }
                    i++;
                    if (c == ':') {
                        len = 0;
                        packed = 0;
                    } else {
                        packed = (packed << 8) | (c & 0xFF);
                        len++;
                    }
                }
                nameEnd(len, packed);
                q = 0;
                lastByte = 0;
                attr = A_NONE;
                s = endTag ? END_TAG : TAG;
            }
            if (s == TAG) {
                while (true) {
                    if (i == end) {
                        break scan;
                    }
                    int c = b[i++];
                    if (q != 0) {
                        if (attr == T_VALUE) {
                            if (c == q) {
                                q = 0;
                                attr = A_NONE;
                                typed = true;
                            } else if (typeLength++ == 0) {
                                typeFirst = c;
                            }
                        } else if (attr != A_VALUE) {
                            // a value no reference is read from: to its closing quote
                            while (c != q && i < end) {
                                c = b[i++];
                            }
                            if (c == q) {
                                q = 0;
                                attr = A_NONE;
                            }
                        } else if (c == q) {
                            q = 0;
                            attr = A_NONE;
                        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                            if (++n > MAX_LETTERS) {
                                throw pastXfd();
                            }
                        } else if (c == '&') {
                            throw pastXfd();
                        } else {
                            attr = A_NONE;
                        }
                    } else if (c == '>') {
                        startTagEnd(lastByte == '/', base + i);
                        s = CONTENT;
                        continue scan;
                    } else if (c == '"' || c == '\'') {
                        q = c;
                        lastByte = c;
                        if (++values > MAX_ATTRIBUTES) {
                            throw Rejections.corrupt(
                                    "the part " + part + " has a tag with more than " + MAX_ATTRIBUTES + " attributes",
                                    null);
                        }
                        if (attr == A_BEFORE_QUOTE) {
                            attr = A_VALUE;
                            n = 0;
                        } else if (attr == T_BEFORE_QUOTE) {
                            attr = T_VALUE;
                            typeLength = 0;
                        } else {
                            attr = A_NONE;
                        }
                    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        if (attr == A_NAME) {
                            attr = A_BEFORE_EQUALS;
                        } else if (attr == T_NAME) {
                            attr = T_BEFORE_EQUALS;
                        } else if (attr != A_BEFORE_EQUALS
                                && attr != A_BEFORE_QUOTE
                                && attr != T_BEFORE_EQUALS
                                && attr != T_BEFORE_QUOTE) {
                            attr = A_SPACE;
                        }
                    } else {
                        lastByte = c;
                        if (attr == A_SPACE && c == 'r') {
                            attr = A_NAME;
                        } else if (attr == A_SPACE && c == 't') {
                            attr = T_NAME;
                        } else if ((attr == A_NAME || attr == A_BEFORE_EQUALS) && c == '=') {
                            attr = A_BEFORE_QUOTE;
                        } else if ((attr == T_NAME || attr == T_BEFORE_EQUALS) && c == '=') {
                            attr = T_BEFORE_QUOTE;
                        } else {
                            attr = A_NONE;
                        }
                    }
                }
            }
            if (s == END_TAG) {
                while (b[i] != '>') {
                    if (++i == end) {
                        break scan;
                    }
                }
                i++;
                s = CONTENT;
                continue;
            }
            switch (s) {
                case START -> {
                    int c = b[i] & 0xFF;
                    if (c == '<') {
                        s = CONTENT;
                    } else if (isSpace(c) || c == 0xEF || c == 0xBB || c == 0xBF || c == 0x80) {
                        i++; // white space, a UTF-8 byte order mark (a UTF-16 one reads as 0x80)
                    } else {
                        state = NOT_XML;
                        return;
                    }
                }
                case BANG -> {
                    int c = b[i];
                    if (mk == 0 && c == '-') {
                        mk = 1;
                        i++;
                    } else if (mk == 1 && c == '-') {
                        mk = 0;
                        s = COMMENT;
                        i++;
                    } else if (mk >= 10 && c == CDATA_OPEN[mk - 10]) {
                        i++;
                        if (++mk - 10 == CDATA_OPEN.length) {
                            mk = 0;
                            s = CDATA;
                        }
                    } else if (mk == 0 && c == '[') {
                        mk = 11;
                        i++;
                    } else {
                        // a DOCTYPE or another declaration (or something malformed): up to its '>'
                        mk = 0;
                        q = 0;
                        s = DOCTYPE;
                    }
                }
                case COMMENT, CDATA -> {
                    // ends at "-->" or "]]>"
                    int dash = s == COMMENT ? '-' : ']';
                    while (true) {
                        if (i == end) {
                            break scan;
                        }
                        int c = b[i++];
                        if (c == dash) {
                            mk++;
                        } else if (c == '>' && mk >= 2) {
                            mk = 0;
                            s = CONTENT;
                            break;
                        } else {
                            mk = 0;
                        }
                    }
                }
                case PI -> {
                    while (true) {
                        if (i == end) {
                            break scan;
                        }
                        int c = b[i++];
                        if (c == '>' && mk == 1) {
                            mk = 0;
                            s = CONTENT;
                            break;
                        }
                        mk = c == '?' ? 1 : 0;
                    }
                }
                case DOCTYPE -> { // quotes respected, up to the '>' outside its internal subset's brackets
                    while (true) {
                        if (i == end) {
                            break scan;
                        }
                        int c = b[i++];
                        if (q != 0) {
                            if (c == q) {
                                q = 0;
                            }
                        } else if (c == '"' || c == '\'') {
                            q = c;
                        } else if (c == '[') {
                            mk++;
                        } else if (c == ']') {
                            mk--;
                        } else if (c == '>' && mk <= 0) {
                            mk = 0;
                            s = CONTENT;
                            break;
                        }
                    }
                }
                default -> {
                    // CONTENT, LT, NAME, TAG, END_TAG: handled above
                }
            }
        }
        state = s;
        quote = q;
        attribute = attr;
        last = lastByte;
        letters = n;
        marks = mk;
        nameLength = len;
        name = packed;
        at = base + end;
        // The next markup '<' is at 'at' or later. The open element's end tag starts there too, unless the last '<'
        // seen begins it: its extent is then known, and lt() checked it.
        boolean closing = s == LT || (s == NAME && endTag);
        if (at - lastLt - 1 > max || (unitStart >= 0 && !closing && at - unitStart > max)) {
            throw tooLarge();
        }
    }

    /** A {@code <} of markup at {@code position}: the run before it, and the open element, are within the bound. */
    private void lt(long position) {
        if (position - lastLt - 1 > max || (unitStart >= 0 && position - unitStart > max)) {
            throw tooLarge();
        }
        lastLt = position;
    }

    /**
     * The end of a tag's name ({@code length} bytes of its local name, the last four packed in an int): a row counted,
     * an element closed, or one that may open noted.
     */
    private void nameEnd(int length, int packed) {
        if (endTag) {
            if (length == 1 && packed == V) {
                valueEnds();
            } else if (length == 1 && packed == C) {
                numberCell = false;
            }
            depth--;
            if (unitStart >= 0 && depth == unitDepth) {
                unitStart = -1;
            }
            return;
        }
        cellTag = length == 1 && packed == C;
        valueTag = length == 1 && packed == V;
        boolean row = length == 3 && packed == ROW;
        if (row) {
            rows++;
        }
        opensUnit = unitStart < 0 && (row || (length == 2 && packed == SI));
    }

    /**
     * The end tag of a {@code v} element, its {@code <} the last seen: a number cell's value is at most {@link
     * CellValues#MAX_NUMBER_CHARS} characters (its comments, CDATA sections and references counted as written).
     */
    private void valueEnds() {
        if (numberCell && valueStart >= 0 && lastLt - valueStart > CellValues.MAX_NUMBER_CHARS) {
            throw Rejections.numberTooLong("the part " + part, lastLt - valueStart);
        }
        valueStart = -1;
    }

    /** The {@code >} (at {@code position}) of a start tag: an element opened, unless the tag closed itself. */
    private void startTagEnd(boolean closes, long position) {
        rooted = true;
        if (cellTag) {
            numberCell = !typed || (typeLength == 1 && typeFirst == 'n');
        }
        if (closes) {
            return;
        }
        if (valueTag) {
            valueStart = position;
        }
        if (opensUnit) {
            unitStart = lastLt;
            unitDepth = depth;
        }
        depth++;
    }

    private IngestException pastXfd() {
        return Rejections.corrupt("the part " + part + " has a cell reference beyond the last column (XFD)", null);
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private IngestException tooLarge() {
        return Rejections.elementTooLarge(part, max);
    }
}
