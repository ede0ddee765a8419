package rw.intake.sample.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

/**
 * Re-zips, as it streams by, the zip that fastexcel's writer produces, so that the same content gives the same bytes:
 * every entry gets one fixed time, and {@code docProps/core.xml} gets a fixed {@code dcterms:created} (fastexcel
 * writes {@code Instant.now()} there and offers no setter). It also writes the worksheet's real {@code <dimension>}
 * when it is given (fastexcel's streaming writer always writes {@code <dimension ref="A1"/>}, which readers that trust
 * it, LibreOffice among them, take as the sheet's extent).
 *
 * <p>It parses the layout fastexcel 0.20's zip writer (opczip) emits: local header without extra field, raw
 * deflate data, a 24-byte zip64 data descriptor, then the central directory, which is dropped since the
 * {@link ZipOutputStream} writes its own. Anything else fails with a {@link ZipException} rather than a wrong file.
 * Memory is one inflate buffer; the underlying stream is never closed.
 */
final class DeterministicZip extends OutputStream {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int LOCAL_HEADER_SIZE = 30;
    private static final int DESCRIPTOR_SIZE = 24;
    private static final String CORE_PROPERTIES = "docProps/core.xml";
    private static final Pattern CREATED = Pattern.compile("(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)");
    /** The worksheet part whose dimension is patched. */
    static final String SHEET_PART = "xl/worksheets/sheet1.xml";

    private static final byte[] PLACEHOLDER_DIMENSION = "<dimension ref=\"A1\"/>".getBytes(StandardCharsets.US_ASCII);
    /** The dimension comes in the sheet's first bytes; past this many, the sheet is passed on unchanged. */
    private static final int HEAD_LIMIT = 64 * 1024;

    private enum State {
        HEADER,
        DATA,
        DESCRIPTOR,
        TRAILER
    }

    private final ZipOutputStream zip;
    private final LocalDateTime time;
    private final String created;
    private final Inflater inflater = new Inflater(true);
    private final byte[] inflated = new byte[1 << 16];
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private State state = State.HEADER;
    private ZipEntry entry;
    /** The content of core.xml, rewritten when it is complete; null for every other entry. */
    private ByteArrayOutputStream captured;
    /** The worksheet's real dimension ({@code A1:E50001}), or null to leave it as written. */
    private final byte[] dimension;
    /** The first bytes of the worksheet, held until its dimension is patched; null otherwise. */
    private ByteArrayOutputStream head;

    /**
     * @param out     where the deterministic zip goes
     * @param time    the time of every entry and the creation date in core.xml (UTC)
     * @param level   the deflate level of the output
     */
    DeterministicZip(OutputStream out, LocalDateTime time, int level) {
        this(out, time, level, null);
    }

    /**
     * @param dimension the range the worksheet {@value #SHEET_PART} spans ({@code A1:E50001}), written into its
     *                  {@code <dimension>} element; null to leave it as written
     */
    DeterministicZip(OutputStream out, LocalDateTime time, int level, String dimension) {
        this.dimension = dimension == null
                ? null
                : ("<dimension ref=\"" + dimension + "\"/>").getBytes(StandardCharsets.US_ASCII);
        this.zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        this.zip.setLevel(level);
        this.time = time;
        this.created = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(time) + "Z";
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int at = off;
        int left = len;
        while (left > 0) {
            int used = switch (state) {
                case HEADER -> header(b, at, left);
                case DATA -> data(b, at, left);
                case DESCRIPTOR -> descriptor(b, at, left);
                case TRAILER -> left;
                default -> throw new IllegalStateException(state.toString());
            };
            at += used;
            left -= used;
        }
    }

    /** Completes the zip (call after fastexcel's {@code finish()}); does not close the underlying stream. */
    void finish() throws IOException {
        if (state != State.TRAILER) {
            throw new ZipException("fastexcel's zip ended early, in state " + state);
        }
        inflater.end();
        zip.finish();
        zip.flush();
    }

    private int header(byte[] b, int off, int len) throws IOException {
        int need = pending.size() < LOCAL_HEADER_SIZE ? LOCAL_HEADER_SIZE : LOCAL_HEADER_SIZE + nameLength();
        int used = Math.min(need - pending.size(), len);
        pending.write(b, off, used);
        byte[] h = pending.toByteArray();
        if (h.length >= 4 && int32(h, 0) == CENTRAL_HEADER) {
            state = State.TRAILER;
            return used;
        }
        if (h.length >= 4 && int32(h, 0) != LOCAL_HEADER) {
            throw new ZipException("unexpected zip record " + Integer.toHexString(int32(h, 0)));
        }
        if (h.length == LOCAL_HEADER_SIZE && int16(h, 28) != 0) {
            throw new ZipException("unexpected extra field in a local header");
        }
        if (h.length > LOCAL_HEADER_SIZE && h.length == LOCAL_HEADER_SIZE + nameLength()) {
            String name = new String(h, LOCAL_HEADER_SIZE, nameLength(), StandardCharsets.UTF_8);
            entry = new ZipEntry(name);
            entry.setTimeLocal(time);
            if (CORE_PROPERTIES.equals(name)) {
                captured = new ByteArrayOutputStream();
            } else {
                zip.putNextEntry(entry);
                head = dimension != null && SHEET_PART.equals(name) ? new ByteArrayOutputStream() : null;
            }
            pending.reset();
            inflater.reset();
            state = State.DATA;
        }
        return used;
    }

    private int nameLength() {
        byte[] h = pending.toByteArray();
        return int16(h, 26);
    }

    private int data(byte[] b, int off, int len) throws IOException {
        inflater.setInput(b, off, len);
        try {
            while (true) {
                int n = inflater.inflate(inflated);
                if (n > 0) {
                    out(n);
                } else if (inflater.finished() || inflater.needsInput()) {
                    break;
                } else {
                    throw new ZipException("entry " + entry.getName() + " needs a preset dictionary");
                }
            }
        } catch (DataFormatException e) {
            throw new ZipException("entry " + entry.getName() + " is not deflate data: " + e.getMessage());
        }
        if (!inflater.finished()) {
            return len;
        }
        int used = len - inflater.getRemaining();
        if (captured != null) {
            zip.putNextEntry(entry);
            String xml = captured.toString(StandardCharsets.UTF_8);
            String fixed = CREATED.matcher(xml).replaceFirst("$1" + Matcher.quoteReplacement(created) + "$2");
            zip.write(fixed.getBytes(StandardCharsets.UTF_8));
            captured = null;
        }
        flushHead();
        zip.closeEntry();
        state = State.DESCRIPTOR;
        return used;
    }

    private void out(int n) throws IOException {
        if (captured != null) {
            captured.write(inflated, 0, n);
        } else if (head != null) {
            head.write(inflated, 0, n);
            if (head.size() >= HEAD_LIMIT || indexOf(head.toByteArray(), PLACEHOLDER_DIMENSION) >= 0) {
                flushHead();
            }
        } else {
            zip.write(inflated, 0, n);
        }
    }

    /** Writes the held head of the worksheet, its placeholder dimension replaced by the real one. */
    private void flushHead() throws IOException {
        if (head == null) {
            return;
        }
        byte[] bytes = head.toByteArray();
        head = null;
        int at = indexOf(bytes, PLACEHOLDER_DIMENSION);
        if (at < 0) {
            zip.write(bytes);
            return;
        }
        zip.write(bytes, 0, at);
        zip.write(dimension);
        zip.write(bytes, at + PLACEHOLDER_DIMENSION.length, bytes.length - at - PLACEHOLDER_DIMENSION.length);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private int descriptor(byte[] b, int off, int len) throws IOException {
        int used = Math.min(DESCRIPTOR_SIZE - pending.size(), len);
        pending.write(b, off, used);
        if (pending.size() == DESCRIPTOR_SIZE) {
            if (int32(pending.toByteArray(), 0) != DATA_DESCRIPTOR) {
                throw new ZipException("no data descriptor after entry " + entry.getName());
            }
            pending.reset();
            state = State.HEADER;
        }
        return used;
    }

    private static int int16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int int32(byte[] b, int at) {
        return int16(b, at) | int16(b, at + 2) << 16;
    }
}
