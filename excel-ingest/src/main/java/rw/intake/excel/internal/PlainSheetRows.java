package rw.intake.excel.internal;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import rw.intake.excel.internal.XmlBytes.Attr;
import rw.intake.excel.internal.XmlBytes.Decoded;

/**
 * A worksheet's rows read straight from the bytes of its XML: a row at a time, its cells scanned in place, a
 * {@code String} made only for the cells asked for ({@link #wanted}). It gives the texts fastexcel-reader and
 * {@link CellValues} give for the same cells, for the plain worksheets that spreadsheet programs and libraries write:
 * rows and cells with their references, values in {@code <v>} or inline strings, shared strings, styles. Anything
 * else (a formula, a row or cell without its reference, a comment, another encoding, ...) is {@link
 * XmlBytes.Unsupported}, and the rows from there on are read by fastexcel-reader ({@link FastexcelSheet}).
 *
 * <p>fastexcel-reader reads what lies before {@code <sheetData>} too, but nothing after {@code </sheetData>}. This
 * reader reads what follows {@code </sheetData>} only to check that the part is whole: its elements nest and the root
 * ends it, else the sheet is {@code file.corrupt} (a truncated or damaged part whose zip entry is intact).
 */
final class PlainSheetRows implements SheetRowSource {

    private static final byte[] ROW_END = {'<', '/', 'r', 'o', 'w'};
    private static final byte[] ROW_END_TAG = {'<', '/', 'r', 'o', 'w', '>'};
    private static final byte[] C = {'<', 'c', ' '};
    private static final byte[] C_END = {'<', '/', 'c', '>'};
    private static final byte[] V = {'<', 'v', '>'};
    private static final byte[] V_END = {'<', '/', 'v', '>'};
    private static final byte[] IS_T = {'<', 'i', 's', '>', '<', 't', '>'};
    private static final byte[] T_IS_END = {'<', '/', 't', '>', '<', '/', 'i', 's', '>'};
    private static final int N = 0;
    private static final int S = 1;
    private static final int INLINE = 2;
    private static final int STR = 3;
    private static final int B = 4;
    private static final int E = 5;
    /** {@code t="d"}: a date or time written as ISO 8601 text (the Strict format's dates, some writers'). */
    private static final int D = 6;

    private static final int MAX_COLUMNS = 16_384;
    private static final int KNOWN_COLUMNS = 64;

    private final XmlBytes x;
    private final SharedStringTable strings;
    private final CellValues values;
    /** Per style index: 0 not a date, 1 a date format, 2 a format id that is not a number. */
    private final byte[] styleDates;

    private final Attr a = new Attr();
    private final Decoded scratch = new Decoded(4096);
    private final XmlBytes.Nesting nesting = new XmlBytes.Nesting();
    /** Text that is read to be checked, not kept (a formula's). */
    private final Decoded ignored = new Decoded(256);
    /** Shared formulas beyond this many (by {@code si}) are left to fastexcel-reader. */
    private static final int MAX_SHARED_FORMULAS = 1 << 20;
    /**
     * Characters the cells of a row whose every text is made (while the header is looked for) may hold in all: a
     * workbook can put one long shared string in each of a row's 16,384 cells, half a billion characters.
     */
    static final long MAX_ROW_CHARS = 16L * 1024 * 1024;
    /** The {@code si} of every shared formula whose first cell has been read. */
    private final BitSet sharedFormulas = new BitSet();

    private boolean done;
    /** The name of the worksheet's root element, as written. */
    private String root;

    private int dimensionLastRow = -1;

    private int rowNum;
    /**
     * The number of the last row given (a row cut by the buffer's end is parsed twice: its number, if it has none,
     * follows this one both times).
     */
    private int lastRowNum;
    /** The column of the row's last cell read, -1 before its first: a cell without its reference is the next. */
    private int lastColumn;

    private int cellCount;
    private int cells;
    private int[] column = new int[16];
    private int[] kind = new int[16];
    private int[] style = new int[16];
    private int[] valueFrom = new int[16];
    private int[] valueLength = new int[16];
    private boolean[] valueHigh = new boolean[16];
    /** The slot of a column's cell in this row, valid when its stamp is this row's. */
    private int[] slotOf = new int[64];

    private int[] stampOf = new int[64];
    private int stamp;

    /** The attributes that followed {@code r} in the last row. */
    private final TagTail rowTail = new TagTail();
    /** Per column (the first {@value #KNOWN_COLUMNS}): the attributes that followed {@code r} in its last cell. */
    private final TagTail[] cellTails = new TagTail[KNOWN_COLUMNS];

    /** The columns whose texts rows make; null for all. */
    private int[] wanted;

    private String[] texts = new String[16];
    private boolean[] numerics = new boolean[16];

    /**
     * Reads up to the first row.
     *
     * @param sheet      the worksheet part's bytes, inflated as read
     * @param part       its name in the zip (for a refusal)
     * @param strings    the shared strings, or null if the workbook has none
     * @param formats    fastexcel-reader's format id per style index (empty when cell formats are not read)
     * @param formatCode the format code per format id
     * @throws XmlBytes.Unsupported if the part is not plain
     */
    PlainSheetRows(
            InputStream sheet,
            String part,
            SharedStringTable strings,
            CellValues values,
            List<String> formats,
            Map<String, String> formatCode) {
        this.x = new XmlBytes(new UnprefixedStream(sheet), PackageCheck.BUFFER, part);
        boolean opened = false;
        this.strings = strings;
        this.values = values;
        this.styleDates = new byte[formats.size()];
        for (int i = 0; i < formats.size(); i++) {
            String id = formats.get(i);
            if (id == null) {
                continue;
            }
            try {
                styleDates[i] = (byte) (CellValues.isDateFormat(Integer.parseInt(id), formatCode.get(id)) ? 1 : 0);
            } catch (NumberFormatException e) {
                styleDates[i] = 2;
            }
        }
        try {
            toSheetData();
            opened = true;
        } finally {
            if (!opened) {
                x.close();
            }
        }
    }

    /** Reads past {@code <sheetData>}, checking that what comes before it is well formed. */
    private void toSheetData() {
        x.declaration();
        List<String> open = new ArrayList<>();
        boolean rootSeen = false;
        while (true) {
            int lt = x.find(0);
            if (lt < 0) {
                throw XmlBytes.unsupported("the worksheet has no sheetData");
            }
            ignored.reset();
            x.text(x.pos, lt + 1, ignored);
            if (open.isEmpty() && x.skipSpace(x.pos, lt) != lt) {
                throw XmlBytes.unsupported("text outside the worksheet's root");
            }
            x.pos = lt;
            int end = x.tagEnd();
            byte[] b = x.buf;
            int i = x.pos;
            if (b[i + 1] == '!' || b[i + 1] == '?') {
                throw XmlBytes.unsupported("a comment, DOCTYPE, CDATA or processing instruction");
            }
            if (b[i + 1] == '/') {
                int n = x.nameEnd(i + 2, end);
                String name = new String(b, i + 2, n - i - 2, StandardCharsets.US_ASCII);
                if (open.isEmpty() || !open.remove(open.size() - 1).equals(name) || open.isEmpty()) {
                    throw XmlBytes.unsupported("an end tag that does not match, or the root ends first");
                }
                x.endTag(i, end, name);
                x.pos = end;
                continue;
            }
            int n = x.nameEnd(i + 1, end);
            String name = new String(b, i + 1, n - i - 1, StandardCharsets.US_ASCII);
            a.reset();
            int j = n;
            boolean dimension = name.equals("dimension") || name.endsWith(":dimension");
            while (j >= 0) {
                j = x.attribute(j, end, a, open.isEmpty());
                if (j >= 0 && dimension && a.nameIs(b, "ref")) {
                    dimensionLastRow = lastRow(b, a.value, a.valueEnd);
                }
            }
            if (open.isEmpty()) {
                if (rootSeen) {
                    // the root closed itself (<worksheet/>): an element after it is a second root
                    throw XmlBytes.unsupported("an element after the root");
                }
                rootSeen = true;
                root = name;
                x.rootDone();
            }
            x.pos = end;
            if (name.equals("sheetData")) {
                if (open.size() != 1) {
                    throw XmlBytes.unsupported("sheetData not right below the root");
                }
                done = a.selfClosing;
                return;
            }
            if (!a.selfClosing) {
                open.add(name);
            }
        }
    }

    @Override
    public void wanted(int[] columns) {
        this.wanted = columns.clone();
    }

    @Override
    public int dimensionLastRow() {
        return dimensionLastRow;
    }

    /** The row number that ends a range ({@code A1:E20} or {@code E20}): the digits before its end, or -1. */
    private static int lastRow(byte[] b, int from, int to) {
        int k = to;
        while (k > from && b[k - 1] >= '0' && b[k - 1] <= '9') {
            k--;
        }
        if (k == to || to - k > 9) {
            return -1;
        }
        return Integer.parseInt(new String(b, k, to - k, StandardCharsets.US_ASCII));
    }

    @Override
    public boolean advance() {
        if (done) {
            return false;
        }
        int lt = x.find(0);
        if (lt < 0 || x.skipSpace(x.pos, lt) != lt) {
            throw XmlBytes.unsupported("text between rows, or the sheet ends inside sheetData");
        }
        x.pos = lt;
        x.need(12);
        if (x.startsWith(x.pos, "</sheetData")) {
            done = true;
            int end = x.tagEnd();
            x.pos = x.endTag(x.pos, end, "sheetData");
            toEnd();
            return false;
        }
        if (!x.startsWith(x.pos, "<row") || x.lim - x.pos < 5 || !after(x.buf[x.pos + 4])) {
            throw XmlBytes.unsupported("an element other than row in sheetData");
        }
        int next;
        try {
            // most rows lie whole in the buffer: parsed up to its end, they are scanned once
            next = row(x.pos + 4, x.lim);
        } catch (XmlBytes.Unsupported e) {
            // a row cut by the end of the buffer, or one that is not plain: parsed again in its own bounds
            int end = x.elementEnd(ROW_END);
            next = row(x.pos + 4, end);
            if (next != end) {
                throw XmlBytes.unsupported("a row's end");
            }
        }
        x.checkElement(x.pos, next);
        x.pos = next;
        lastRowNum = rowNum;
        materialize();
        return true;
    }

    /**
     * Reads the part from past {@code </sheetData>} to its end (so that its CRC is checked), keeping nothing: the
     * elements there (page margins, conditional formats, extensions) must nest, and the root must end the part, with
     * nothing but white space, comments and processing instructions after it. Their names and attributes are not
     * checked further.
     *
     * @throws rw.intake.excel.IngestException {@code file.corrupt} when the part is not whole
     */
    private void toEnd() {
        List<String> open = new ArrayList<>(List.of(root));
        try {
            while (true) {
                int lt = x.find(0);
                int text = lt < 0 ? x.lim : lt;
                if (open.isEmpty() && x.skipSpace(x.pos, text) != text) {
                    throw broken("text after the worksheet's root");
                }
                if (lt < 0) {
                    break;
                }
                x.pos = lt;
                x.need(9); // the buffer may move: from here the tag starts at x.pos
                lt = x.pos;
                if (x.lim - lt < 2) {
                    throw broken("the part ends inside a tag");
                }
                if (x.startsWith(lt, "<!--")) {
                    skipPast("-->");
                } else if (x.startsWith(lt, "<?")) {
                    skipPast("?>");
                } else if (x.startsWith(lt, "<![CDATA[") && !open.isEmpty()) {
                    skipPast("]]>");
                } else if (x.buf[lt + 1] == '!') {
                    throw broken("a declaration after the worksheet's rows");
                } else {
                    int end = x.tagEnd();
                    lt = x.pos; // the tag may run past the buffer's end: reading the rest of it moves the buffer
                    boolean closing = x.buf[lt + 1] == '/';
                    int from = lt + (closing ? 2 : 1);
                    int n = from;
                    while (n < end - 1 && !XmlBytes.isSpace(x.buf[n]) && x.buf[n] != '/' && x.buf[n] != '>') {
                        n++;
                    }
                    String name = new String(x.buf, from, n - from, StandardCharsets.UTF_8);
                    if (closing) {
                        if (open.isEmpty() || !open.remove(open.size() - 1).equals(name)) {
                            throw broken("an end tag that does not close the last element opened");
                        }
                    } else if (open.isEmpty() || name.isEmpty()) {
                        throw broken("an element after the worksheet's root");
                    } else if (x.buf[end - 2] != '/') {
                        open.add(name);
                    }
                    x.pos = end;
                }
            }
        } catch (XmlBytes.Unsupported e) {
            throw broken(e.getMessage());
        }
        if (!open.isEmpty()) {
            throw broken("the part ends before </" + open.get(0) + ">");
        }
    }

    /** Moves past the next {@code terminator} (of a comment, a processing instruction, a CDATA section). */
    private void skipPast(String terminator) {
        int from = x.pos + 2;
        while (true) {
            int i = from;
            for (; i + terminator.length() <= x.lim; i++) {
                if (x.startsWith(i, terminator)) {
                    x.pos = i + terminator.length();
                    return;
                }
            }
            int at = i - x.pos;
            if (!x.more()) {
                throw broken("the part ends inside a comment, CDATA or processing instruction");
            }
            from = x.pos + at;
        }
    }

    private static rw.intake.excel.IngestException broken(String why) {
        return Rejections.corrupt("the worksheet's XML after its rows is broken or truncated (" + why + ")", null);
    }

    private static boolean after(int c) {
        return XmlBytes.isSpace(c) || c == '>' || c == '/';
    }

    /**
     * Parses the row from {@code i} (past {@code <row}), within {@code end}, and returns the index past it. Reaching
     * {@code end} first is {@link XmlBytes.Unsupported}, like anything that is not plain.
     */
    private int row(int i, int end) {
        byte[] b = x.buf;
        stamp++;
        cells = 0;
        cellCount = 0;
        lastColumn = -1;
        scratch.reset();
        int previous = lastRowNum;
        rowNum = -1;
        a.reset();
        int tail = -1;
        i = x.attribute(i, end, a, false);
        if (i >= 0 && a.nameIs(b, "r")) {
            rowNum = digits(b, a.value, a.valueEnd);
            i = rowTail.skip(b, i, end, a);
            tail = i;
        }
        while (i >= 0) {
            i = x.attribute(i, end, a, false);
            if (i >= 0 && a.nameIs(b, "r")) {
                rowNum = digits(b, a.value, a.valueEnd);
            }
        }
        i = -1 - i;
        if (tail >= 0) {
            rowTail.keep(b, tail, i, a.selfClosing, 0, 0);
        }
        if (rowNum == -1) {
            // r is optional: a row without it is the one after the last row (the first row when it is the first)
            rowNum = previous + 1;
        }
        if (rowNum <= 0) {
            throw XmlBytes.unsupported("a row numbered 0");
        }
        if (a.selfClosing) {
            return i;
        }
        while (true) {
            if (x.at(i, end, C)) {
                i = cell(i + 2, end);
                continue;
            }
            if (x.at(i, end, ROW_END_TAG)) {
                return i + ROW_END_TAG.length;
            }
            i = x.skipSpace(i, end);
            if (i + 2 >= end || b[i] != '<') {
                throw XmlBytes.unsupported("text in a row");
            }
            if (b[i + 1] == 'c' && after(b[i + 2])) {
                i = cell(i + 2, end);
            } else if (b[i + 1] == '/') {
                return x.endTag(i, end, "row");
            } else {
                throw XmlBytes.unsupported("an element in a row other than c");
            }
        }
    }

    /** A positive int of ASCII digits; anything else is unsupported. */
    private static boolean allDigits(byte[] b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] < '0' || b[k] > '9') {
                return false;
            }
        }
        return true;
    }

    private static int digits(byte[] b, int from, int to) {
        if (from == to || to - from > 9) {
            throw XmlBytes.unsupported("not a number of up to 9 digits");
        }
        int v = 0;
        for (int k = from; k < to; k++) {
            int d = b[k] - '0';
            if (d < 0 || d > 9) {
                throw XmlBytes.unsupported("not a number");
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Parses a cell from {@code i} (past {@code <c}); returns the index past it. */
    private int cell(int i, int end) {
        byte[] b = x.buf;
        int col = -1;
        int k = N;
        int s = -1;
        a.reset();
        TagTail known = null;
        int tail = -1;
        i = x.attribute(i, end, a, false);
        if (i >= 0 && a.nameIs(b, "r")) {
            col = column(b, a.value, a.valueEnd);
            known = col < cellTails.length ? cellTails[col] : null;
            if (known != null) {
                i = known.skip(b, i, end, a);
                if (i < 0) {
                    k = known.kind;
                    s = known.style;
                }
            }
            if (i >= 0) {
                // read in full: the reference is read, the loop goes on from the next attribute
                tail = col < cellTails.length ? i : -1;
                i = x.attribute(i, end, a, false);
            }
        }
        while (i >= 0) {
            int v = a.value;
            int ve = a.valueEnd;
            if (a.nameIs(b, "r")) {
                col = column(b, v, ve);
            } else if (a.nameIs(b, "t")) {
                k = type(b, v, ve);
            } else if (a.nameIs(b, "s")) {
                s = digits(b, v, ve);
            }
            i = x.attribute(i, end, a, false);
        }
        i = -1 - i;
        if (col < 0) {
            // r is optional: a cell without it is the one after the last cell of the row (A when it is the first)
            col = lastColumn + 1;
            if (col >= MAX_COLUMNS) {
                throw XmlBytes.unsupported("a cell without its reference past the last column");
            }
        }
        lastColumn = col;
        if (tail >= 0) {
            if (known == null) {
                known = cellTails[col] = new TagTail();
            }
            known.keep(b, tail, i, a.selfClosing, k, s);
        }
        int slot = slot(col);
        kind[slot] = k;
        style[slot] = s;
        valueFrom[slot] = -1;
        if (a.selfClosing) {
            return i;
        }
        while (true) {
            // the usual shapes first: <v>...</v>, <is><t>...</t></is>, </c>
            if (x.at(i, end, V)) {
                if (valueFrom[slot] >= 0 || k == INLINE) {
                    throw XmlBytes.unsupported("a second value, or a value in an inline string cell");
                }
                int from = scratch.length;
                scratch.high = false;
                i = x.text(i + V.length, end, scratch);
                if (!x.at(i, end, V_END)) {
                    throw XmlBytes.unsupported("not </v> after a value");
                }
                i += V_END.length;
                valued(slot, from);
                continue;
            }
            if (x.at(i, end, C_END)) {
                return i + C_END.length;
            }
            if (k == INLINE && valueFrom[slot] < 0 && x.at(i, end, IS_T)) {
                int from = scratch.length;
                scratch.high = false;
                int j = x.text(i + IS_T.length, end, scratch);
                if (x.at(j, end, T_IS_END)) {
                    valued(slot, from);
                    i = j + T_IS_END.length;
                    continue;
                }
                scratch.length = from; // another shape: read again below
            }
            i = x.skipSpace(i, end);
            if (i + 2 >= end || b[i] != '<') {
                throw XmlBytes.unsupported("text in a cell");
            }
            int c1 = b[i + 1];
            if (c1 == '/') {
                return x.endTag(i, end, "c");
            }
            if (c1 == 'v' && after(b[i + 2])) {
                if (valueFrom[slot] >= 0 || k == INLINE) {
                    throw XmlBytes.unsupported("a second value, or a value in an inline string cell");
                }
                i = value(slot, i + 2, end);
            } else if (c1 == 'i' && b[i + 2] == 's' && i + 3 < end && after(b[i + 3])) {
                if (valueFrom[slot] >= 0 || k != INLINE) {
                    throw XmlBytes.unsupported("a second inline string, or one in another type of cell");
                }
                i = inline(slot, i + 3, end);
            } else if (c1 == 'f' && after(b[i + 2])) {
                i = formula(i + 2, end);
            } else {
                throw XmlBytes.unsupported("an element in a cell other than v, is and f");
            }
        }
    }

    /**
     * {@code <f>}, from {@code i} past its name: skipped, since a cell's text is its cached value whether or not it
     * has a formula. A shared formula (Excel writes one for a column filled down: {@code t="shared"} with its
     * {@code ref} and {@code si} in the first cell, {@code si} alone in the others) is read so too, once the cell that
     * holds its text has been read; so is an array formula ({@code t="array"}, Excel 365's spilled results among
     * them: the cells of its {@code ref} hold their cached values, and fastexcel-reader only notes the range).
     * Unsupported, and so left to fastexcel-reader, which resolves each formula's text and refuses the workbook when
     * it cannot: a data table ({@code t} of another value), a shared formula whose first cell has not been read, and
     * an {@code si} or {@code ref} that is not plain.
     */
    private int formula(int i, int end) {
        byte[] b = x.buf;
        a.reset();
        boolean shared = false;
        boolean array = false;
        boolean ref = false;
        int si = -1;
        while (i >= 0) {
            i = x.attribute(i, end, a, false);
            if (i < 0) {
                break;
            }
            if (a.nameIs(b, "t")) {
                shared = x.is(a.value, a.valueEnd, "shared");
                array = x.is(a.value, a.valueEnd, "array");
                if (!shared && !array) {
                    throw XmlBytes.unsupported("a data table, or a formula of another type");
                }
            } else if (a.nameIs(b, "si")) {
                si = digits(b, a.value, a.valueEnd);
                if (si >= MAX_SHARED_FORMULAS) {
                    throw XmlBytes.unsupported("a shared formula's si of a million or more");
                }
            } else if (a.nameIs(b, "ref")) {
                range(b, a.value, a.valueEnd);
                ref = true;
            }
        }
        if (!array && (shared || si >= 0 || ref)) {
            if (!shared || si < 0) {
                throw XmlBytes.unsupported("a formula's si or ref without t=\"shared\", or the other way round");
            }
            if (ref) {
                sharedFormulas.set(si);
            } else if (!sharedFormulas.get(si)) {
                throw XmlBytes.unsupported("a shared formula before its first cell");
            }
        }
        i = -1 - i;
        if (a.selfClosing) {
            return i;
        }
        ignored.reset();
        i = x.text(i, end, ignored);
        return x.endTag(i, end, "f");
    }

    /** A range such as {@code C2:C1000}, or one cell: anything else is unsupported. */
    private static void range(byte[] b, int from, int to) {
        int colon = from;
        while (colon < to && b[colon] != ':') {
            colon++;
        }
        column(b, from, colon);
        if (colon < to) {
            column(b, colon + 1, to);
        }
    }

    /** The 0-based column of a reference such as {@code AB12}. */
    private static int column(byte[] b, int from, int to) {
        int col = 0;
        int k = from;
        while (k < to && b[k] >= 'A' && b[k] <= 'Z') {
            col = col * 26 + (b[k] - 'A' + 1);
            k++;
        }
        if (k == from || k - from > 3 || col > MAX_COLUMNS) {
            throw XmlBytes.unsupported("a cell reference that is not plain");
        }
        digits(b, k, to);
        return col - 1;
    }

    private static int type(byte[] b, int from, int to) {
        int len = to - from;
        if (len == 1) {
            int t = switch (b[from]) {
                case 'n' -> N;
                case 's' -> S;
                case 'b' -> B;
                case 'e' -> E;
                case 'd' -> D;
                default -> -1;
            };
            if (t >= 0) {
                return t;
            }
        } else if (len == 3 && b[from] == 's' && b[from + 1] == 't' && b[from + 2] == 'r') {
            return STR;
        } else if (len == 9 && inlineStr(b, from)) {
            return INLINE;
        }
        throw XmlBytes.unsupported("an unknown cell type");
    }

    private static final byte[] INLINE_STR = {'i', 'n', 'l', 'i', 'n', 'e', 'S', 't', 'r'};

    private static boolean inlineStr(byte[] b, int from) {
        for (int k = 0; k < INLINE_STR.length; k++) {
            if (b[from + k] != INLINE_STR[k]) {
                return false;
            }
        }
        return true;
    }

    /** The slot of a new cell at {@code col} (a later cell of the same column replaces an earlier one). */
    private int slot(int col) {
        if (col >= slotOf.length) {
            int size = Math.max(col + 1, slotOf.length * 2);
            slotOf = Arrays.copyOf(slotOf, size);
            stampOf = Arrays.copyOf(stampOf, size);
        }
        int slot = cells++;
        if (slot == column.length) {
            int size = column.length * 2;
            column = Arrays.copyOf(column, size);
            kind = Arrays.copyOf(kind, size);
            style = Arrays.copyOf(style, size);
            valueFrom = Arrays.copyOf(valueFrom, size);
            valueLength = Arrays.copyOf(valueLength, size);
            valueHigh = Arrays.copyOf(valueHigh, size);
        }
        column[slot] = col;
        slotOf[col] = slot;
        stampOf[col] = stamp;
        cellCount = Math.max(cellCount, col + 1);
        return slot;
    }

    /** The cell in {@code slot} has the value decoded into the scratch array from {@code from} on. */
    private void valued(int slot, int from) {
        valueFrom[slot] = from;
        valueLength[slot] = scratch.length - from;
        valueHigh[slot] = scratch.high;
    }

    /** {@code <v>}: from {@code i} past its name. */
    private int value(int slot, int i, int end) {
        i = x.skipAttributes(i, end, a);
        int from = scratch.length;
        scratch.high = false;
        if (!a.selfClosing) {
            i = x.text(i, end, scratch);
            i = x.endTag(i, end, "v");
        }
        valued(slot, from);
        return i;
    }

    /** {@code <is>}: all its character data, as fastexcel-reader reads it; from {@code i} past its name. */
    private int inline(int slot, int i, int end) {
        byte[] b = x.buf;
        i = x.skipAttributes(i, end, a);
        int from = scratch.length;
        scratch.high = false;
        if (!a.selfClosing) {
            nesting.reset();
            while (true) {
                i = x.text(i, end, scratch);
                if (i + 1 >= end) {
                    throw XmlBytes.unsupported("an inline string does not end");
                }
                if (b[i + 1] == '/') {
                    int n = x.nameEnd(i + 2, end);
                    if (nesting.depth() == 0) {
                        if (!x.is(i + 2, n, "is")) {
                            throw XmlBytes.unsupported("an inline string's end tag");
                        }
                        i = x.endTag(i, end, "is");
                        break;
                    }
                    nesting.close(b, i + 2, n);
                    i = x.skipSpace(n, end);
                    if (i >= end || b[i] != '>') {
                        throw XmlBytes.unsupported("an end tag");
                    }
                    i++;
                    continue;
                }
                if (b[i + 1] == '!' || b[i + 1] == '?') {
                    throw XmlBytes.unsupported("a comment, CDATA or processing instruction in an inline string");
                }
                int n = x.nameEnd(i + 1, end);
                int j = x.skipAttributes(n, end, a);
                if (a.selfClosing) {
                    i = j;
                } else if (x.is(i + 1, n, "rPh")) {
                    i = phonetic(j, end);
                } else {
                    nesting.open(i + 1, n);
                    i = j;
                }
            }
        }
        valued(slot, from);
        return i;
    }

    /**
     * A phonetic run ({@code <rPh>}, Excel's furigana) in an inline string, from {@code i} past its start tag: skipped,
     * its text not the cell's, as in a shared string. Only {@code <t>} elements in it are plain.
     */
    private int phonetic(int i, int end) {
        byte[] b = x.buf;
        while (true) {
            ignored.reset();
            i = x.text(i, end, ignored);
            if (i + 2 >= end) {
                throw XmlBytes.unsupported("a phonetic run does not end");
            }
            if (b[i + 1] == '/') {
                return x.endTag(i, end, "rPh");
            }
            int n = x.nameEnd(i + 1, end);
            if (!x.is(i + 1, n, "t")) {
                throw XmlBytes.unsupported("an element in a phonetic run other than t");
            }
            int j = x.skipAttributes(n, end, a);
            if (a.selfClosing) {
                i = j;
            } else {
                ignored.reset();
                i = x.endTag(x.text(j, end, ignored), end, "t");
            }
        }
    }

    /**
     * Makes the texts of the wanted cells (all of them while none are named), by column. Every shared-string cell's
     * index, in the order of the cells, must be plain digits (fastexcel-reader reads every cell, and refuses the
     * workbook at an index that is not a number) and name an item of the shared strings, also in the cells that make
     * no text (of another column, or an earlier cell of the same column), as fastexcel-reader looks up every one.
     *
     * @throws rw.intake.excel.IngestException {@code file.corrupt} for an index the shared strings do not hold
     */
    private void materialize() {
        for (int slot = 0; slot < cells; slot++) {
            if (kind[slot] == S && valueFrom[slot] >= 0 && valueLength[slot] > 0) {
                int from = valueFrom[slot];
                int to = from + valueLength[slot];
                if (to - from >= Rejections.IMPOSSIBLE_INDEX_DIGITS && allDigits(scratch.bytes, from, to)) {
                    throw Rejections.impossibleSharedString(
                            rowNum, new String(scratch.bytes, from, to - from, StandardCharsets.US_ASCII));
                }
                int index = digits(scratch.bytes, from, to);
                if (strings == null || !strings.has(index)) {
                    throw Rejections.missingSharedString(rowNum, index, strings == null ? 0 : strings.count());
                }
            }
        }
        if (wanted == null) {
            checkRowText();
            ensureTexts(cellCount);
            for (int c = 0; c < cellCount; c++) {
                convert(c, c);
            }
        } else {
            for (int col : wanted) {
                ensureTexts(col + 1);
                convert(col, col);
            }
        }
    }

    /**
     * Refuses, before any text is made, a row whose cells' texts hold surely more than {@link #MAX_ROW_CHARS}
     * characters: more than three times as many UTF-8 bytes (a character takes at most three bytes, or four for two
     * of a surrogate pair). A row under that bound is made, and then counted in characters by the header search, as
     * fastexcel-reader's rows are: both refuse the same rows (but for a row of tens of megabytes of white space,
     * which the texts the header search counts are trimmed of).
     *
     * @throws rw.intake.excel.IngestException {@code file.too_large}
     */
    private void checkRowText() {
        long bytes = 0;
        for (int slot = 0; slot < cells; slot++) {
            int length = valueLength[slot];
            if (kind[slot] == S && valueFrom[slot] >= 0 && length > 0 && strings != null) {
                length = strings.length(digits(scratch.bytes, valueFrom[slot], valueFrom[slot] + length));
            }
            bytes += Math.max(length, 0);
            if (bytes > 3 * MAX_ROW_CHARS) {
                throw Rejections.rowTextTooLarge(rowNum, MAX_ROW_CHARS);
            }
        }
    }

    private void ensureTexts(int size) {
        if (texts.length < size) {
            texts = Arrays.copyOf(texts, Math.max(size, texts.length * 2));
            numerics = Arrays.copyOf(numerics, texts.length);
        }
    }

    private void convert(int col, int into) {
        numerics[into] = false;
        if (col >= slotOf.length || stampOf[col] != stamp || valueFrom[slotOf[col]] < 0) {
            texts[into] = "";
            return;
        }
        int slot = slotOf[col];
        byte[] v = scratch.bytes;
        int from = valueFrom[slot];
        int len = valueLength[slot];
        switch (kind[slot]) {
            case N -> {
                if (len == 0) {
                    texts[into] = "";
                } else {
                    number(slot, v, from, len, into);
                }
            }
            case S -> texts[into] = len == 0 ? "" : CellValues.text(strings(v, from, from + len));
            case B ->
                texts[into] =
                        len == 0 ? "" : len != 1 ? null : v[from] == '1' ? "TRUE" : v[from] == '0' ? "FALSE" : null;
            case D -> texts[into] = CellValues.isoDate(XmlBytes.string(v, from, len, valueHigh[slot]));
            default -> texts[into] = CellValues.text(XmlBytes.string(v, from, len, valueHigh[slot]));
        }
    }

    private String strings(byte[] v, int from, int to) {
        if (strings == null) {
            throw XmlBytes.unsupported("a shared string in a workbook without them");
        }
        return strings.get(digits(v, from, to));
    }

    private void number(int slot, byte[] v, int from, int len, int into) {
        int s = style[slot];
        byte date = s >= 0 && s < styleDates.length ? styleDates[s] : 0;
        if (date == 2) {
            throw XmlBytes.unsupported("a number format id that is not a number");
        }
        boolean plainDigits = len <= 18 && (len == 1 || v[from] != '0');
        for (int k = from; k < from + len && plainDigits; k++) {
            plainDigits = v[k] >= '0' && v[k] <= '9';
        }
        if (plainDigits && date == 0) {
            texts[into] = new String(v, from, len, StandardCharsets.ISO_8859_1);
            numerics[into] = true;
            return;
        }
        if (len > CellValues.MAX_NUMBER_CHARS) {
            throw Rejections.numberTooLong("row " + rowNum, len);
        }
        BigDecimal number;
        try {
            number = new BigDecimal(XmlBytes.string(v, from, len, valueHigh[slot]));
        } catch (NumberFormatException e) {
            texts[into] = null; // not a number: refused when its text is asked for, as fastexcel's cell is
            return;
        }
        if (date == 1 && values.isDateSerial(number)) {
            texts[into] = values.date(number);
        } else {
            texts[into] = CellValues.plain(number);
            numerics[into] = true;
        }
    }

    @Override
    public int rowNum() {
        return rowNum;
    }

    @Override
    public int cellCount() {
        return cellCount;
    }

    /**
     * @throws rw.intake.excel.IngestException {@code file.corrupt} for a number or boolean cell whose value is not one
     */
    @Override
    public String text(int column) {
        String text = texts[column];
        if (text == null) {
            throw Rejections.valueNotOfItsType(rowNum, column);
        }
        return text;
    }

    @Override
    public boolean numeric(int column) {
        return numerics[column];
    }

    /** Made on demand for a column not wanted (a cell with no value is none, without making its text). */
    @Override
    public boolean hasValue(int column) {
        if (column >= slotOf.length || stampOf[column] != stamp || valueFrom[slotOf[column]] < 0) {
            return false;
        }
        ensureTexts(column + 1);
        convert(column, column);
        String text = texts[column];
        return text == null || !text.isEmpty();
    }

    @Override
    public void close() {
        x.close();
    }

    /**
     * The attributes of a start tag after its first one, {@code r}, as the last tag of its kind had them, byte for
     * byte up to its {@code >}, and what they said. Spreadsheet programs write the same attributes on every row
     * ({@code spans="1:5"}, {@code ht="15" customHeight="false" ...}) and on every cell of a column ({@code s="0"
     * t="s"}): bytes equal to those already read, after the same first attribute, read the same, so they are
     * compared, not read again.
     */
    private static final class TagTail {
        private static final int MAX = 256;
        private final byte[] bytes = new byte[MAX];
        private int length = -1;
        boolean selfClosing;
        int kind;
        int style;

        /**
         * Past the tag ({@code -1 - (the index past its '>')}, as {@link XmlBytes#attribute} answers) if the bytes at
         * {@code i} are the kept ones, with {@link Attr#selfClosing} set; else {@code i}, nothing read.
         */
        int skip(byte[] b, int i, int end, Attr a) {
            int n = length;
            if (n <= 0 || end - i < n || !Arrays.equals(bytes, 0, n, b, i, i + n)) {
                return i;
            }
            a.selfClosing = selfClosing;
            return -1 - (i + n);
        }

        void keep(byte[] b, int tail, int tagEnd, boolean selfClosing, int kind, int style) {
            int n = tagEnd - tail;
            if (n > MAX) {
                length = -1;
                return;
            }
            System.arraycopy(b, tail, bytes, 0, n);
            length = n;
            this.selfClosing = selfClosing;
            this.kind = kind;
            this.style = style;
        }
    }
}
