package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A part's bytes, with the namespace prefix of its elements taken out when its root element carries one bound to
 * SpreadsheetML, as the .NET Open XML SDK writes parts ({@code <x:worksheet xmlns:x="…/spreadsheetml/2006/main">},
 * {@code <x:row>}, {@code </x:c>}): the plain reader then reads them as it reads parts written without a prefix. Any
 * other part passes unchanged (its first bytes are read ahead to look at its root). Only that prefix, and only right
 * after {@code <} or {@code </}, is taken out: in well-formed XML a {@code <} opens markup, and markup the plain
 * reader does not read (comments, CDATA) makes it stop whatever its bytes.
 */
final class UnprefixedStream extends InputStream {

    /** How far the root's start tag is looked for. */
    private static final int LOOK_AHEAD = 8192;

    private static final int BUFFER = 64 * 1024;

    /** A root element with a prefix, and its attributes: after an optional BOM, declaration and white space. */
    private static final Pattern ROOT = Pattern.compile(
            "\\A(?:\\xEF\\xBB\\xBF)?(?:<\\?xml[^>]*\\?>)?\\s*<([A-Za-z_][\\w.-]*):[A-Za-z_][\\w.-]*(\\s[^>]*)?>");

    private static final Pattern DECLARATION =
            Pattern.compile("\\sxmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*([\"'])([^\"']*)\\2");

    /** The two namespaces of SpreadsheetML's main part (transitional and Strict). */
    private static final String MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static final String STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    private final InputStream in;
    /** The prefix and its colon ({@code x:}); null while the root has not been looked at, empty for none. */
    private byte[] prefix;
    /** Bytes given next in {@code [pos, lim)}; then, with a prefix, bytes read and not yet looked at up to {@code raw}. */
    private final byte[] buf = new byte[BUFFER];

    private int pos;
    private int lim;
    private int raw;
    private boolean eof;

    UnprefixedStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (prefix == null) {
            lookAtRoot();
        }
        while (pos == lim) {
            if (prefix.length == 0) {
                return eof ? -1 : in.read(b, off, len);
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return lim - pos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Reads more and takes the prefix out of what was read; false once the stream has ended and everything was given.
     * The bytes at the end that may begin a prefixed name ({@code <}, {@code </x}) are kept back until the next read
     * tells.
     */
    private boolean fill() throws IOException {
        int rest = raw - lim;
        System.arraycopy(buf, lim, buf, 0, rest);
        pos = 0;
        lim = 0;
        raw = rest;
        if (!eof) {
            int r = in.read(buf, raw, buf.length - raw);
            if (r < 0) {
                eof = true;
            } else {
                raw += r;
            }
        }
        if (raw == 0 && eof) {
            return false;
        }
        unprefix();
        return true;
    }

    /** Takes the prefix out of the element names in {@code buf[0, raw)}, in place, into {@code [0, lim)}. */
    private void unprefix() {
        byte[] b = buf;
        int w = 0;
        int r = 0;
        while (r < raw) {
            byte c = b[r];
            b[w++] = c;
            r++;
            if (c != '<') {
                continue;
            }
            int q = r < raw && b[r] == '/' ? r + 1 : r;
            int k = 0;
            while (k < prefix.length && q + k < raw && b[q + k] == prefix[k]) {
                k++;
            }
            if (k == prefix.length) {
                if (q > r) {
                    b[w++] = '/';
                }
                r = q + k;
            } else if (q + k == raw && !eof) {
                // the read ended inside what may be a prefix: kept back from its '<', and looked at again
                w--;
                lim = w;
                int kept = raw - (r - 1);
                System.arraycopy(b, r - 1, b, w, kept);
                raw = w + kept;
                return;
            }
        }
        lim = w;
        raw = w;
    }

    /** Reads the first bytes, up to the end of the root's start tag, and learns its prefix if it is SpreadsheetML's. */
    private void lookAtRoot() throws IOException {
        int gt = -1;
        while (raw < LOOK_AHEAD) {
            int r = in.read(buf, raw, LOOK_AHEAD - raw);
            if (r < 0) {
                eof = true;
                break;
            }
            raw += r;
            gt = rootEnd(buf, raw);
            if (gt >= 0) {
                break;
            }
        }
        prefix = new byte[0];
        if (gt >= 0) {
            prefix = prefixOf(new String(buf, 0, gt + 1, StandardCharsets.ISO_8859_1));
        }
        if (prefix.length == 0) {
            lim = raw;
        } else {
            unprefix();
        }
    }

    /**
     * The root's prefix and its colon if the root declares it bound to SpreadsheetML's main namespace, else empty.
     * {@code start} is read one char per byte, so that the pattern's BOM matches its bytes.
     */
    private static byte[] prefixOf(String start) {
        Matcher root = ROOT.matcher(start);
        if (!root.find() || root.group(2) == null) {
            return new byte[0];
        }
        Matcher declared = DECLARATION.matcher(root.group(2));
        while (declared.find()) {
            String uri = declared.group(3);
            if (declared.group(1).equals(root.group(1)) && (uri.equals(MAIN) || uri.equals(STRICT_MAIN))) {
                return (root.group(1) + ":").getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        return new byte[0];
    }

    /** The index of the '>' that ends the first start tag other than the declaration, or -1 if not read yet. */
    private static int rootEnd(byte[] b, int n) {
        int i = 0;
        while (i < n) {
            if (b[i] == '<' && i + 1 < n && b[i + 1] != '?') {
                for (int k = i + 1; k < n; k++) {
                    if (b[k] == '>') {
                        return k;
                    }
                }
                return -1;
            }
            i++;
        }
        return -1;
    }
}
