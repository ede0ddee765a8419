package rw.intake.excel.internal;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import rw.intake.excel.IngestException;
import rw.intake.excel.internal.XmlBytes.Attr;
import rw.intake.excel.internal.XmlBytes.Decoded;

/**
 * A workbook's shared strings as one UTF-8 byte array and an offset per item: about 4 bytes of overhead an item,
 * where a {@code String} and its array take about 40 (a spreadsheet program's 1,000,000-row workbook holds about
 * 3,000,000 items). An item becomes a {@code String} only when a cell reads it. An item's text is that of its
 * {@code <t>} elements, phonetic runs ({@code <rPh>}) left out, as fastexcel-reader reads it.
 */
final class SharedStringTable {

    private static final byte[] SI_END = {'<', '/', 's', 'i'};
    private static final byte[] PLAIN_START = ascii("<si><t");
    private static final byte[] PRESERVE = ascii(" xml:space=\"preserve\">");
    private static final byte[] PLAIN_END = ascii("</t></si>");

    private final XmlBytes x;
    private final String part;
    /** The most bytes of text and offsets together ({@link rw.intake.excel.ReadLimits#maxSharedStringsBytes}). */
    private final long max;

    private final Attr a = new Attr();
    private final Decoded text;
    private final Decoded ignored = new Decoded(256);
    private int[] offsets = new int[1024];
    private final BitSet high = new BitSet();
    private int count;
    private boolean done;

    private SharedStringTable(XmlBytes x, String part, long max) {
        this.x = x;
        this.part = part;
        this.max = max;
        int most = (int) Math.min(Integer.MAX_VALUE - 8, max);
        this.text = new Decoded(Math.min(1 << 16, most)).bounded(most, this::tooLarge);
    }

    /**
     * Opens the part and reads its root. Items are read as cells ask for them ({@link #get}): a spreadsheet program
     * writes them in the order its cells first use them, so reading them keeps pace with reading the rows. The items'
     * text and offsets take at most {@code max} bytes: reading past that throws {@code file.too_large}.
     *
     * @throws XmlBytes.Unsupported if the part does not start as plain shared strings do
     */
    static SharedStringTable open(InputStream in, String part, long max) {
        XmlBytes x = new XmlBytes(new UnprefixedStream(in), PackageCheck.BUFFER, part);
        SharedStringTable table = new SharedStringTable(x, part, max);
        boolean opened = false;
        try {
            table.root();
            opened = true;
        } finally {
            if (!opened) {
                x.close();
            }
        }
        return table;
    }

    private void root() {
        x.declaration();
        int lt = x.find(0);
        if (lt < 0 || x.skipSpace(x.pos, lt) != lt) {
            throw XmlBytes.unsupported("the shared strings do not start with their root");
        }
        x.pos = lt;
        int rootEnd = x.tagEnd();
        int n = x.nameEnd(x.pos + 1, rootEnd);
        if (!x.is(x.pos + 1, n, "sst")) {
            throw XmlBytes.unsupported("the shared strings' root is not sst");
        }
        a.reset();
        int i = n;
        while (i >= 0) {
            i = x.attribute(i, rootEnd, a, true);
        }
        x.rootDone();
        x.pos = rootEnd;
        done = a.selfClosing;
        if (done) {
            x.close();
        }
    }

    /**
     * The item's length in UTF-8 bytes; read up to it first.
     *
     * @throws XmlBytes.Unsupported for an index past the items, or items that are not plain
     */
    int length(int index) {
        readTo(index);
        return offsets[index + 1] - offsets[index];
    }

    /**
     * The item's text, not trimmed; read up to it first.
     *
     * @throws XmlBytes.Unsupported for an index past the items, or items that are not plain
     */
    String get(int index) {
        readTo(index);
        return XmlBytes.string(text.bytes, offsets[index], offsets[index + 1] - offsets[index], high.get(index));
    }

    /**
     * Whether the table holds the item: read up to it first (to the table's end if it holds none such).
     *
     * @throws XmlBytes.Unsupported for items that are not plain
     */
    boolean has(int index) {
        while (index >= count && !done) {
            next();
        }
        return index >= 0 && index < count;
    }

    /** The items read so far: all of them once {@link #has} has answered false. */
    int count() {
        return count;
    }

    /** Reads the items up to {@code index}; throws {@link XmlBytes.Unsupported} if the table ends before it. */
    private void readTo(int index) {
        while (index >= count && !done) {
            next();
        }
        if (index < 0 || index >= count) {
            throw XmlBytes.unsupported("a shared string index past the table");
        }
    }

    /** Reads the next item, or the end of the part. */
    private void next() {
        int lt = x.find(0);
        if (lt < 0 || x.skipSpace(x.pos, lt) != lt) {
            throw XmlBytes.unsupported("text between shared strings, or no end");
        }
        x.pos = lt;
        if (!x.need(6)) {
            throw XmlBytes.unsupported("the shared strings end early");
        }
        if (x.startsWith(x.pos, "</sst")) {
            int end = x.tagEnd(); // before x.pos is read: reading the rest of the tag may move the buffer
            x.endTag(x.pos, end, "sst");
            drain();
            return;
        }
        if (plainItem()) {
            return;
        }
        if (!(x.startsWith(x.pos, "<si") && x.nameEnd(x.pos + 1, x.lim) == x.pos + 3)) {
            throw XmlBytes.unsupported("an element other than si in the shared strings");
        }
        int end = x.elementEnd(SI_END);
        x.checkElement(x.pos, end);
        roomForOne();
        offsets[count] = text.length;
        text.high = false;
        item(x, x.pos + 3, end, a, text, ignored);
        if (text.high) {
            high.set(count);
        }
        count++;
        offsets[count] = text.length;
        x.pos = end;
    }

    /**
     * Reads the item at {@link XmlBytes#pos} in one pass if it is written as spreadsheet programs write nearly all of
     * them, {@code <si><t>text</t></si>} or {@code <si><t xml:space="preserve">text</t></si>}, its text printable
     * ASCII with no reference, all of it in the buffer. Anything else (and an item cut by the buffer's end) is left to
     * the full reading, which gives the same text: false, and nothing read.
     */
    private boolean plainItem() {
        byte[] b = x.buf;
        int lim = x.lim;
        int i = x.pos + PLAIN_START.length;
        if (!x.at(x.pos, lim, PLAIN_START) || i >= lim) {
            return false;
        }
        if (b[i] == '>') {
            i++;
        } else if (x.at(i, lim, PRESERVE)) {
            i += PRESERVE.length;
        } else {
            return false;
        }
        int from = i;
        int c = 0;
        while (i < lim && (c = b[i]) >= ' ' && c != '<' && c != '&' && c != ']') {
            i++;
        }
        if (c != '<' || !x.at(i, lim, PLAIN_END)) {
            return false;
        }
        x.checkElement(x.pos, i + PLAIN_END.length);
        roomForOne();
        int n = text.length;
        if (n + (long) (i - from) > Integer.MAX_VALUE - 8) {
            throw tooLarge();
        }
        byte[] o = n + (i - from) > text.bytes.length ? text.grow(n + (i - from)) : text.bytes;
        System.arraycopy(b, from, o, n, i - from);
        offsets[count] = n;
        text.length = n + (i - from);
        count++;
        offsets[count] = text.length;
        x.pos = i + PLAIN_END.length;
        return true;
    }

    /** Makes room for one more item's offsets, within the bound on text and offsets together. */
    private void roomForOne() {
        long room = (max - text.length) / Integer.BYTES;
        if (count + 2 > room) {
            throw tooLarge();
        }
        if (count + 2 > offsets.length) {
            offsets = Arrays.copyOf(offsets, (int) Math.min(room, offsets.length * 2L));
        }
    }

    /** The refusal of a table of more than {@link #max} bytes. */
    private IngestException tooLarge() {
        return Rejections.sharedStringsTooLarge(part, max);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads the rest of the part without keeping it, so that its stream makes the checks it makes at its end (a CRC),
     * and lets go of it: no item is read after.
     */
    void drain() {
        if (!done) {
            done = true;
            try {
                x.drain();
            } finally {
                x.close();
            }
        }
    }

    /** Lets go of the part's stream. */
    void close() {
        x.close();
    }

    /** The text of one {@code <si>} from {@code i} (past its name) up to {@code end} (past its end), into text. */
    private static void item(XmlBytes x, int i, int end, Attr a, Decoded text, Decoded ignored) {
        byte[] b = x.buf;
        XmlBytes.Nesting open = new XmlBytes.Nesting();
        i = x.skipAttributes(i, end, a);
        if (a.selfClosing) {
            return;
        }
        while (true) {
            ignored.reset();
            i = x.text(i, end, ignored); // at '<'; text outside <t> is not the item's
            if (i + 1 >= end) {
                throw XmlBytes.unsupported("a shared string does not end");
            }
            if (b[i + 1] == '/') {
                int tagEnd = tagEnd(b, i, end);
                int n = x.nameEnd(i + 2, tagEnd);
                if (x.is(i + 2, n, "si") && open.depth() == 0) {
                    if (tagEnd != end) {
                        throw XmlBytes.unsupported("content after a shared string's end");
                    }
                    return;
                }
                open.close(b, i + 2, n);
                i = tagEnd;
                continue;
            }
            if (b[i + 1] == '!' || b[i + 1] == '?') {
                throw XmlBytes.unsupported("a comment, CDATA or processing instruction in a shared string");
            }
            int n = x.nameEnd(i + 1, end);
            boolean t = x.is(i + 1, n, "t");
            boolean phonetic = x.is(i + 1, n, "rPh");
            int j = x.skipAttributes(n, end, a);
            if (a.selfClosing) {
                i = j;
            } else if (t) {
                j = x.text(j, end, text);
                i = x.endTag(j, end, "t");
            } else if (phonetic) {
                i = skipTo(x, j, end, "rPh");
            } else {
                open.open(i + 1, n);
                i = j;
            }
        }
    }

    /** The index past the end tag {@code </name>} after {@code i}, whatever lies between (a phonetic run's text). */
    private static int skipTo(XmlBytes x, int i, int end, String name) {
        byte[] b = x.buf;
        for (int k = i; k + 2 < end; k++) {
            if (b[k] == '<') {
                if (b[k + 1] == '!' || b[k + 1] == '?') {
                    throw XmlBytes.unsupported("a comment, CDATA or processing instruction in a shared string");
                }
                if (b[k + 1] == '/' && x.startsWith(k + 2, name)) {
                    return x.endTag(k, end, name);
                }
            }
        }
        throw XmlBytes.unsupported("a phonetic run does not end");
    }

    private static int tagEnd(byte[] b, int i, int end) {
        for (int k = i; k < end; k++) {
            if (b[k] == '>') {
                return k + 1;
            }
        }
        throw XmlBytes.unsupported("a tag does not end");
    }
}
