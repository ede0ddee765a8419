package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import rw.intake.excel.IngestException;

/**
 * The bytes of one XML part of a workbook, read from a stream into a buffer that the part's reader scans in place, an
 * element at a time ({@link #elementEnd}): the reader of plain worksheets ({@link PlainSheetRows}) and of the shared
 * strings ({@link SharedStringTable}). It reads a plain subset of XML 1.0 in UTF-8: elements, attributes, the five
 * predefined entities and character references. Whatever else it meets (a comment, CDATA, a processing instruction
 * after the declaration, a DOCTYPE, another encoding, an unknown entity, a control character, an element it does not
 * expect) it does not judge: it throws {@link Unsupported}, and fastexcel-reader reads the workbook instead, so that
 * the answer for such a file, records or refusal, stays fastexcel-reader's. Bytes that are not UTF-8 are the exception:
 * they are refused ({@link #utf8}).
 */
final class XmlBytes {

    /** Something outside the plain subset: the caller reads the part with fastexcel-reader instead. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    private static final Pattern DECLARATION =
            Pattern.compile("[ \\t\\r\\n]+version[ \\t\\r\\n]*=[ \\t\\r\\n]*(\"1\\.0\"|'1\\.0')"
                    + "([ \\t\\r\\n]+encoding[ \\t\\r\\n]*=[ \\t\\r\\n]*(\"(?i:utf-8)\"|'(?i:utf-8)'))?"
                    + "([ \\t\\r\\n]+standalone[ \\t\\r\\n]*=[ \\t\\r\\n]*(\"(yes|no)\"|'(yes|no)'))?"
                    + "[ \\t\\r\\n]*");

    /**
     * The most bytes the reader may hold while it looks for the end of what it reads (a row, a shared string, a text,
     * a tag): twice the bound the zip pass puts on those ({@link PartScan#MAX_ELEMENT_BYTES}), with the end tag that
     * follows them, so that a part the pass scanned never reaches it. It bounds the buffer of a part the pass left
     * to be read once, which only the reader sees.
     */
    static final long MAX_HELD = 2 * PartScan.MAX_ELEMENT_BYTES;

    private final InputStream in;
    private final String part;
    byte[] buf;
    /** The next byte to read. */
    int pos;
    /** The end of the bytes read. */
    int lim;

    private boolean eof;

    XmlBytes(InputStream in, int size, String part) {
        this.in = in;
        this.part = part;
        this.buf = new byte[size];
    }

    /** Closes the stream (an inflater's native memory goes with it). */
    void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // an in-memory part: nothing to lose
        }
    }

    static Unsupported unsupported(String why) {
        return new Unsupported(why);
    }

    /**
     * Reads more of the stream: the bytes from {@link #pos} move to the start of the buffer, which doubles when they
     * fill it. Returns false at the end of the stream.
     *
     * @throws IngestException {@code file.too_large} when the bytes from {@link #pos} are more than
     *                         {@link #MAX_HELD}
     */
    boolean more() {
        if (eof) {
            return false;
        }
        if (lim - pos > MAX_HELD) {
            throw tooLarge();
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        try {
            int n;
            do {
                n = in.read(buf, lim, buf.length - lim);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                return false;
            }
            lim += n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refusal of a row, a shared string or a text past the bound. */
    IngestException tooLarge() {
        return Rejections.elementTooLarge(part, PartScan.MAX_ELEMENT_BYTES);
    }

    /**
     * Refuses an element (a row, a shared string) from {@code start} (its {@code <}) to {@code end} (past its end tag)
     * that is larger than the zip pass lets through, measured as the pass measures it: from its start tag's
     * {@code <} to its end tag's.
     */
    void checkElement(int start, int end) {
        if (end - start > PartScan.MAX_ELEMENT_BYTES) {
            int lt = end - 1;
            while (buf[lt] != '<') {
                lt--;
            }
            if (lt - start > PartScan.MAX_ELEMENT_BYTES) {
                throw tooLarge();
            }
        }
    }

    /** Reads the stream to its end, keeping nothing, so that it makes the checks it makes at its end (a CRC). */
    void drain() {
        do {
            pos = lim;
        } while (more());
    }

    /** Makes at least {@code n} bytes from {@link #pos} available; false if the stream ends first. */
    boolean need(int n) {
        while (lim - pos < n) {
            if (!more()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Skips the XML declaration (and a UTF-8 byte order mark) at the start of the part. Another encoding, or
     * something before the declaration, is unsupported.
     */
    void declaration() {
        need(4);
        if (lim - pos >= 3 && buf[pos] == (byte) 0xEF && buf[pos + 1] == (byte) 0xBB && buf[pos + 2] == (byte) 0xBF) {
            pos += 3;
        }
        need(6);
        if (!startsWith(pos, "<?xml")) {
            if (pos < lim && buf[pos] != '<') {
                throw unsupported("the part does not start with markup");
            }
            return;
        }
        int end = pos;
        while (true) {
            while (end + 1 < lim && !(buf[end] == '?' && buf[end + 1] == '>')) {
                end++;
            }
            if (end + 1 < lim) {
                break;
            }
            int from = end - pos;
            if (!more()) {
                throw unsupported("the XML declaration does not end");
            }
            end = pos + from;
        }
        // exactly: version 1.0, then optionally encoding UTF-8 and standalone yes or no, as XML's grammar orders them
        String decl = new String(buf, pos + 5, end - pos - 5, StandardCharsets.ISO_8859_1);
        if (!DECLARATION.matcher(decl).matches()) {
            throw unsupported("an XML declaration other than version 1.0 in UTF-8");
        }
        pos = end + 2;
    }

    boolean startsWith(int at, String ascii) {
        if (lim - at < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (buf[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isSpace(int c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** The first index from {@code i} (before {@code end}) that is not white space; {@code end} if none. */
    int skipSpace(int i, int end) {
        while (i < end && isSpace(buf[i])) {
            i++;
        }
        return i;
    }

    /**
     * The index just past the element that starts at {@link #pos} (its {@code <}): past {@code />} of a start tag that
     * closes itself, else past the first {@code endTag} (such as {@code "</row"}) and its {@code >}, reading more of
     * the stream as needed ({@link #pos} may move). In plain XML the first end tag of that name after the start tag
     * is the element's own, since its content cannot hold the same element; a comment or CDATA inside it is
     * unsupported when its content is read.
     */
    int elementEnd(byte[] endTag) {
        while (true) {
            int e = scanElementEnd(endTag);
            if (e >= 0) {
                return e;
            }
            if (!more()) {
                throw unsupported("an element does not end before the part does");
            }
        }
    }

    private int scanElementEnd(byte[] endTag) {
        int i = closeOfTag(pos + 1);
        if (i < 0) {
            return -1;
        }
        if (buf[i - 1] == '/') {
            return i + 1;
        }
        int last = lim - endTag.length;
        outer:
        for (int j = i + 1; j <= last; j++) {
            if (buf[j] != '<') {
                continue;
            }
            for (int k = 1; k < endTag.length; k++) {
                if (buf[j + k] != endTag[k]) {
                    continue outer;
                }
            }
            int k = skipSpace(j + endTag.length, lim);
            if (k >= lim) {
                return -1;
            }
            if (buf[k] != '>') {
                throw unsupported("an end tag that is not the element's");
            }
            return k + 1;
        }
        return -1;
    }

    /**
     * Character data from {@code i} up to the next {@code <} (before {@code end}), decoded into {@code out} from
     * {@code outLen}: entities and character references replaced, line ends normalized as XML parsers do (CR LF and
     * CR to LF). Returns the index of the {@code <}; {@code out} has the new length, and whether it holds bytes
     * above 0x7F.
     */
    int text(int i, int end, Decoded out) {
        byte[] b = buf;
        boolean high = false;
        while (true) {
            // a run of plain characters, copied at once
            int run = i;
            int c = 0;
            while (i < end && (c = b[i]) >= ' ' && c != '<' && c != '&' && c != ']') {
                i++;
            }
            if (i > run) {
                int n = out.length;
                byte[] o = n + (i - run) > out.bytes.length ? out.grow(n + (i - run)) : out.bytes;
                System.arraycopy(b, run, o, n, i - run);
                out.length = n + (i - run);
            }
            if (i >= end) {
                throw unsupported("character data runs to the end of its element");
            }
            if (c == '<') {
                break;
            }
            if (c < 0) {
                high = true;
                int next = utf8(b, i, end);
                append(out, b, i, next);
                i = next;
            } else if (c == '&') {
                i = entity(i, end, out);
            } else if (c == ']') {
                // "]]>" may not stand in character data
                if (i + 2 >= end || (b[i + 1] == ']' && b[i + 2] == '>')) {
                    throw unsupported("]]> in character data, or text cut short");
                }
                append(out, b, i, i + 1);
                i++;
            } else if (c == '\n' || c == '\t') {
                append(out, b, i, i + 1);
                i++;
            } else if (c == '\r') {
                append(out, NEW_LINE, 0, 1);
                i++;
                if (i < end && b[i] == '\n') {
                    i++;
                }
            } else {
                throw unsupported("a control character");
            }
        }
        if (high) {
            out.high = true;
        }
        return i;
    }

    private static final byte[] NEW_LINE = {'\n'};

    private static void append(Decoded out, byte[] from, int start, int stop) {
        int n = out.length;
        byte[] o = n + (stop - start) > out.bytes.length ? out.grow(n + (stop - start)) : out.bytes;
        System.arraycopy(from, start, o, n, stop - start);
        out.length = n + (stop - start);
    }

    /** Whether the ASCII token is at {@code i}, wholly before {@code end}. */
    boolean at(int i, int end, byte[] token) {
        if (i + token.length > end) {
            return false;
        }
        byte[] b = buf;
        for (int k = 0; k < token.length; k++) {
            if (b[i + k] != token[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the UTF-8 sequence of one character that starts at {@code i} with a byte above 0x7F and returns the index
     * past it. A sequence cut by {@code end}, and U+FFFE and U+FFFF, which XML does not allow, are unsupported. Bytes
     * that are not UTF-8 (a malformed sequence, an overlong form, a surrogate, a code point past U+10FFFF) are a fatal
     * error of the part, whose declaration said UTF-8 (or nothing, which means UTF-8): they are refused here, not left to
     * fastexcel-reader, whose XML parser reads an overlong form as the character it spells ({@code C0 B1} as
     * {@code 1}), so that a byte no encoder writes would hide in a valid national ID.
     *
     * @throws IngestException {@code file.corrupt}
     */
    private int utf8(byte[] b, int i, int end) {
        int lead = b[i] & 0xFF;
        int length;
        int min;
        int cp;
        if (lead >= 0xC0 && lead <= 0xDF) {
            length = 2;
            min = 0x80;
            cp = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            min = 0x800;
            cp = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF7) {
            length = 4;
            min = 0x10000;
            cp = lead & 0x07;
        } else {
            throw notUtf8("a byte that starts no UTF-8 character");
        }
        if (i + length > end) {
            throw unsupported("a UTF-8 sequence cut short");
        }
        for (int k = 1; k < length; k++) {
            int cont = b[i + k] & 0xFF;
            if ((cont & 0xC0) != 0x80) {
                throw notUtf8("a UTF-8 sequence broken off by a byte that does not continue it");
            }
            cp = (cp << 6) | (cont & 0x3F);
        }
        if (cp < min) {
            throw notUtf8("an overlong UTF-8 form");
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw notUtf8("the UTF-8 bytes of " + (cp > 0x10FFFF ? "no code point" : "a surrogate"));
        }
        if (cp == 0xFFFE || cp == 0xFFFF) {
            throw unsupported("a character XML does not allow"); // UTF-8, which fastexcel-reader's parser refuses
        }
        return i + length;
    }

    private IngestException notUtf8(String what) {
        return Rejections.corrupt("the part " + part + " is not UTF-8 text as it declares: it holds " + what, null);
    }

    /** Decodes the entity or character reference at {@code i} onto {@code out}; returns the index past it. */
    private int entity(int i, int end, Decoded out) {
        int semi = i + 1;
        while (semi < end && semi - i < 12 && buf[semi] != ';') {
            semi++;
        }
        if (semi >= end || buf[semi] != ';') {
            throw unsupported("an entity without its ';'");
        }
        int code;
        if (buf[i + 1] == '#') {
            code = 0;
            int j = i + 2;
            int radix = 10;
            if (j < semi && buf[j] == 'x') {
                radix = 16;
                j++;
            }
            if (j == semi) {
                throw unsupported("an empty character reference");
            }
            for (; j < semi; j++) {
                int d = Character.digit(buf[j], radix);
                if (d < 0) {
                    throw unsupported("a character reference that is not a number");
                }
                code = code * radix + d;
                if (code > Character.MAX_CODE_POINT) {
                    throw unsupported("a character reference beyond Unicode");
                }
            }
            if (!(code == 0x9
                    || code == 0xA
                    || code == 0xD
                    || (code >= 0x20 && code <= 0xD7FF)
                    || (code >= 0xE000 && code <= 0xFFFD)
                    || code >= 0x10000)) {
                throw unsupported("a character reference to a character XML does not allow");
            }
        } else if (named(i, semi, "amp")) {
            code = '&';
        } else if (named(i, semi, "lt")) {
            code = '<';
        } else if (named(i, semi, "gt")) {
            code = '>';
        } else if (named(i, semi, "quot")) {
            code = '"';
        } else if (named(i, semi, "apos")) {
            code = '\'';
        } else {
            throw unsupported("an entity other than the five of XML");
        }
        byte[] utf8 = new String(Character.toChars(code)).getBytes(StandardCharsets.UTF_8);
        append(out, utf8, 0, utf8.length);
        if (code > 0x7F) {
            out.high = true;
        }
        return semi + 1;
    }

    private boolean named(int amp, int semi, String name) {
        if (semi - amp - 1 != name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (buf[amp + 1 + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Where the last attribute read by {@link #attribute} is: its name and its value (without quotes, not decoded). */
    static final class Attr {
        int name;
        int nameEnd;
        int value;
        int valueEnd;
        /** Set at the end of the tag: whether it closed itself. */
        boolean selfClosing;
        /** Whether the attribute declares a namespace prefix ({@code xmlns:p}). */
        boolean declaresPrefix;
        /** The names read so far in this tag (starts and ends), to refuse one given twice. */
        private final int[] seen = new int[32];

        private int seenCount;
        /** A bit per hash of the names seen: the names are compared only when one's bit is set already. */
        private int seenBits;

        /** Starts a new tag. */
        void reset() {
            seenCount = 0;
            seenBits = 0;
        }

        boolean nameIs(byte[] b, String ascii) {
            if (nameEnd - name != ascii.length()) {
                return false;
            }
            for (int k = 0; k < ascii.length(); k++) {
                if (b[name + k] != ascii.charAt(k)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Reads the next attribute of a start tag from {@code i} (just past the element's name or the previous
     * attribute's value) into {@code a}, and returns the index past its value; at the end of the tag returns
     * {@code -1 - (the index past its '>')}, with {@link Attr#selfClosing} set. An attribute given twice, a
     * namespace declaration (but on the part's root, {@code root}), a prefix the root did not declare, or a value
     * holding a reference is unsupported.
     */
    int attribute(int i, int end, Attr a, boolean root) {
        byte[] b = buf;
        int j = i;
        while (j < end && b[j] == ' ') {
            j++;
        }
        if (j < end && b[j] < ' ') {
            j = skipSpace(j, end);
        }
        if (j >= end) {
            throw unsupported("a start tag does not end");
        }
        int c = b[j];
        if (c == '>') {
            a.selfClosing = false;
            return -1 - (j + 1);
        }
        if (c == '/') {
            if (j + 1 < end && b[j + 1] == '>') {
                a.selfClosing = true;
                return -1 - (j + 2);
            }
            throw unsupported("a '/' in a start tag");
        }
        if (j == i || !nameStart(c)) {
            throw unsupported("an attribute without white space before it, or a bad name");
        }
        int n = j + 1;
        int colon = -1;
        while (n < end && (c = b[n]) >= 0 && NAME_CHAR[c]) {
            if (c == ':') {
                if (colon >= 0) {
                    throw unsupported("a name with two colons");
                }
                colon = n;
            }
            n++;
        }
        if (colon == n - 1) {
            throw unsupported("a name ending in a colon");
        }
        a.name = j;
        a.nameEnd = n;
        a.declaresPrefix = false;
        if (colon >= 0 || (n - j == 5 && startsWith(j, "xmlns"))) {
            prefixed(a, colon, root);
        }
        int bit = 1 << ((5 * b[j] + 3 * b[n - 1] + n - j) & 31);
        if ((a.seenBits & bit) != 0) {
            for (int k = 0; k < a.seenCount; k += 2) {
                if (a.seen[k + 1] - a.seen[k] == n - j && Arrays.equals(b, a.seen[k], a.seen[k + 1], b, j, n)) {
                    throw unsupported("an attribute given twice");
                }
            }
        }
        a.seenBits |= bit;
        if (a.seenCount + 2 > a.seen.length) {
            throw unsupported("too many attributes");
        }
        a.seen[a.seenCount++] = j;
        a.seen[a.seenCount++] = n;
        if (n < end && b[n] != '=') {
            n = skipSpace(n, end);
        }
        if (n >= end || b[n] != '=') {
            throw unsupported("an attribute without '='");
        }
        n++;
        if (n < end && b[n] != '"' && b[n] != '\'') {
            n = skipSpace(n, end);
        }
        if (n >= end || (b[n] != '"' && b[n] != '\'')) {
            throw unsupported("an attribute value without quotes");
        }
        int quote = b[n];
        int v = n + 1;
        int q = v;
        while (q < end && b[q] != quote) {
            int ch = b[q];
            if (ch == '<' || ch == '&' || (ch >= 0 && ch < ' ' && ch != '\t' && ch != '\n' && ch != '\r')) {
                throw unsupported("a reference, a '<' or a control character in an attribute value");
            }
            q = ch < 0 ? utf8(b, q, end) : q + 1;
        }
        if (q >= end) {
            throw unsupported("an attribute value does not end");
        }
        if (a.declaresPrefix && q == v) {
            throw unsupported("a namespace prefix bound to no name");
        }
        a.value = v;
        a.valueEnd = q;
        return q + 1;
    }

    /**
     * Reads the attributes of a start tag from {@code i} (just past the element's name) as {@link #attribute} does,
     * keeping none, and returns the index past its {@code >}; {@link Attr#selfClosing} tells how it ended.
     */
    int skipAttributes(int i, int end, Attr a) {
        a.reset();
        while (i >= 0) {
            i = attribute(i, end, a, false);
        }
        return -1 - i;
    }

    /** The namespace prefixes the part's root declared ({@code xmlns:p}), each as bytes. */
    private final List<byte[]> prefixes = new ArrayList<>();

    private void prefixed(Attr a, int colon, boolean root) {
        byte[] b = buf;
        boolean declaration = startsWith(a.name, "xmlns") && (colon < 0 || colon == a.name + 5);
        if (declaration) {
            if (!root) {
                throw unsupported("a namespace declared below the part's root");
            }
            if (colon >= 0) {
                byte[] prefix = Arrays.copyOfRange(b, colon + 1, a.nameEnd);
                if (prefix.length == 0 || startsWith(colon + 1, "xml")) {
                    throw unsupported("a namespace prefix XML reserves, or none");
                }
                prefixes.add(prefix);
                a.declaresPrefix = true;
            }
            return;
        }
        if (colon == a.name + 3 && startsWith(a.name, "xml")) {
            return;
        }
        for (byte[] p : prefixes) {
            if (p.length == colon - a.name && Arrays.equals(b, a.name, colon, p, 0, p.length)) {
                return;
            }
        }
        if (!root) {
            throw unsupported("an attribute with a prefix the root did not declare");
        }
        // on the root its declaration may come after it: checked when the root's attributes are all read
        pendingRootPrefixes.add(Arrays.copyOfRange(b, a.name, colon));
    }

    private final List<byte[]> pendingRootPrefixes = new ArrayList<>();

    /** After the root's attributes: every prefix its attributes used was declared. */
    void rootDone() {
        for (byte[] used : pendingRootPrefixes) {
            boolean declared = false;
            for (byte[] p : prefixes) {
                declared |= Arrays.equals(p, used);
            }
            if (!declared) {
                throw unsupported("an attribute with an undeclared prefix");
            }
        }
        pendingRootPrefixes.clear();
    }

    private static boolean nameStart(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean nameChar(int c) {
        return c >= 0 && NAME_CHAR[c];
    }

    /** ASCII letters, digits, {@code _ : - .}, by byte value (bytes above 0x7F are negative and never name bytes). */
    private static final boolean[] NAME_CHAR = nameChars();

    private static boolean[] nameChars() {
        boolean[] t = new boolean[128];
        for (int c = 0; c < 128; c++) {
            t[c] = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == ':'
                    || c == '-'
                    || c == '.';
        }
        return t;
    }

    /** The end of the element name that starts at {@code i} (ASCII letters, digits, {@code _ - .}; no prefix). */
    int nameEnd(int i, int end) {
        int n = i;
        if (n < end && nameStart(buf[n])) {
            n++;
            while (n < end && nameChar(buf[n]) && buf[n] != ':') {
                n++;
            }
        }
        if (n == i || (n < end && buf[n] == ':')) {
            throw unsupported("an element name with a prefix or not plain");
        }
        if (n < end && !(isSpace(buf[n]) || buf[n] == '>' || buf[n] == '/')) {
            throw unsupported("an element name that is not plain");
        }
        return n;
    }

    /**
     * The open elements inside an element whose content is read whole (a shared string, an inline string): each end tag
     * must close the last one opened, as in well-formed XML.
     */
    static final class Nesting {
        private int[] names = new int[16];
        private int depth;

        void reset() {
            depth = 0;
        }

        int depth() {
            return depth;
        }

        void open(int name, int nameEnd) {
            if (2 * depth + 2 > names.length) {
                names = Arrays.copyOf(names, names.length * 2);
            }
            names[2 * depth] = name;
            names[2 * depth + 1] = nameEnd;
            depth++;
        }

        /** Closes the last element opened, which must be the one named from {@code name} to {@code nameEnd}. */
        void close(byte[] b, int name, int nameEnd) {
            if (depth == 0) {
                throw unsupported("an end tag with no element to close");
            }
            depth--;
            int from = names[2 * depth];
            int to = names[2 * depth + 1];
            if (!Arrays.equals(b, from, to, b, name, nameEnd)) {
                throw unsupported("an end tag that does not close the last element opened");
            }
        }
    }

    /** Whether the bytes from {@code i} up to {@code end} are the ASCII text. */
    boolean is(int i, int end, String ascii) {
        return end - i == ascii.length() && startsWith(i, ascii);
    }

    /**
     * The index past the end tag at {@code i} ({@code </name}, white space, {@code >}), which must be that of
     * {@code name}.
     */
    int endTag(int i, int end, String name) {
        if (!(i + 2 + name.length() <= end && buf[i] == '<' && buf[i + 1] == '/' && startsWith(i + 2, name))) {
            throw unsupported("an end tag other than </" + name + ">");
        }
        int k = skipSpace(i + 2 + name.length(), end);
        if (k >= end || buf[k] != '>') {
            throw unsupported("an end tag other than </" + name + ">");
        }
        return k + 1;
    }

    /** The index of the next {@code <} at or after {@code pos + offset}, reading more as needed; -1 if none. */
    int find(int offset) {
        int i = pos + offset;
        while (true) {
            while (i < lim && buf[i] != '<') {
                i++;
            }
            if (i < lim) {
                return i;
            }
            int at = i - pos;
            if (!more()) {
                return -1;
            }
            i = pos + at;
        }
    }

    /**
     * The index past the {@code >} of the tag at {@link #pos}, reading more as needed (quotes respected). Reading more
     * moves the bytes to the start of the buffer: the tag then starts at the new {@link #pos}, and an index taken
     * before the call no longer points where it did.
     */
    int tagEnd() {
        while (true) {
            int close = closeOfTag(pos + 1);
            if (close >= 0) {
                return close + 1;
            }
            if (!more()) {
                throw unsupported("a tag does not end");
            }
        }
    }

    /** The index of the {@code >} that ends the tag going on at {@code i} (quotes respected), or -1 before lim. */
    private int closeOfTag(int i) {
        int quote = 0;
        for (; i < lim; i++) {
            int c = buf[i];
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                throw unsupported("a '<' inside a tag");
            }
        }
        return -1;
    }

    /** A growable byte array that decoded text goes into. */
    static final class Decoded {
        byte[] bytes;
        int length;
        /** Whether bytes above 0x7F were written since the last {@link #reset()}. */
        boolean high;
        /** The most bytes it may hold, and what it throws when asked for more (none: as many as an array holds). */
        private int max = Integer.MAX_VALUE - 8;

        private Supplier<RuntimeException> overMax;

        Decoded(int size) {
            bytes = new byte[size];
        }

        /** Holds at most {@code max} bytes: asked for more, {@link #grow} throws what {@code overMax} gives. */
        Decoded bounded(int max, Supplier<RuntimeException> overMax) {
            this.max = max;
            this.overMax = overMax;
            return this;
        }

        byte[] grow(int min) {
            if ((min > max || min < 0) && overMax != null) {
                throw overMax.get();
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max(min, bytes.length * 2L)));
            return bytes;
        }

        void reset() {
            length = 0;
            high = false;
        }
    }

    /** The text of UTF-8 bytes that {@link #text} checked: ASCII straight into a string (no decoding needed). */
    static String string(byte[] b, int from, int length, boolean high) {
        return new String(b, from, length, high ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }
}
