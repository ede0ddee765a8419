package rw.intake.server.internal.upload;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

/**
 * The zip that fastexcel's writer streams, passed on as it comes, each part inflated and deflated again, with the
 * worksheets' {@code <dimension ref="A1"/>} left out. fastexcel's streaming writer always writes that element, since it
 * cannot know the sheet's extent when it writes the sheet's start; readers that trust it read the header row alone
 * (openpyxl's read-only mode, the usual way to read a large workbook in Python). Without it, every reader reads the
 * rows the sheet holds; the element is optional (ISO/IEC 29500-1, 18.3.1.35).
 *
 * <p>It reads the layout of fastexcel 0.20's zip writer: a local header, deflated data, a 24-byte zip64 data
 * descriptor, for each part, then the central directory, which is left out since the {@link ZipOutputStream} writes
 * its own. Anything else is a {@link ZipException}, never a wrong file. It holds one inflate buffer and, of a
 * worksheet, its first bytes until the element has passed. The underlying stream is not closed.
 */
final class SheetExtentZip extends OutputStream {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;
    private static final int HEADER_BYTES = 30;
    private static final int DESCRIPTOR_BYTES = 24;
    private static final byte[] PLACEHOLDER = "<dimension ref=\"A1\"/>".getBytes(StandardCharsets.US_ASCII);
    /** The element is among a worksheet's first bytes; past this many, the rest passes unchanged. */
    private static final int SHEET_HEAD = 8192;

    private final ZipOutputStream zip;
    private final Inflater inflater = new Inflater(true);
    private final byte[] inflated = new byte[1 << 16];
    /** A record being read: a local header with its name, or a data descriptor. */
    private byte[] record = new byte[HEADER_BYTES];

    private int recordLength;
    private boolean inData;
    private boolean ended;
    private String part;
    /** A worksheet's first bytes, until the element has passed; null once they have, and for other parts. */
    private byte[] sheetHead;

    private int sheetHeadLength;

    /** @param level the deflate level of the parts passed on */
    SheetExtentZip(OutputStream out, int level) {
        zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        zip.setLevel(level);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int at = off;
        while (at < end && !ended) {
            at = inData ? inflate(b, at, end) : readRecord(b, at, end);
        }
    }

    /** Completes the zip, after fastexcel's {@code finish()}; the underlying stream is flushed, not closed. */
    void finish() throws IOException {
        if (!ended) {
            throw new ZipException("fastexcel's zip ended early, in " + (part == null ? "a header" : part));
        }
        inflater.end();
        zip.finish();
        zip.flush();
    }

    /** Takes bytes of a local header or a data descriptor; returns where it stopped. */
    private int readRecord(byte[] b, int at, int end) throws IOException {
        boolean descriptor = part != null;
        int wanted = descriptor ? DESCRIPTOR_BYTES : HEADER_BYTES;
        if (!descriptor && recordLength >= HEADER_BYTES) {
            wanted += uint16(record, 26) + uint16(record, 28);
        }
        int take = Math.min(wanted - recordLength, end - at);
        if (recordLength + take > record.length) {
            record = Arrays.copyOf(record, wanted);
        }
        System.arraycopy(b, at, record, recordLength, take);
        recordLength += take;
        int complete = descriptor
                ? DESCRIPTOR_BYTES
                : recordLength < HEADER_BYTES ? -1 : HEADER_BYTES + uint16(record, 26) + uint16(record, 28);
        if (recordLength >= 4 && !descriptor && int32(record, 0) == CENTRAL_HEADER) {
            ended = true;
        } else if (recordLength >= 4 && int32(record, 0) != (descriptor ? DATA_DESCRIPTOR : LOCAL_HEADER)) {
            throw new ZipException("unexpected zip record " + Integer.toHexString(int32(record, 0)));
        } else if (recordLength == complete && descriptor) {
            part = null;
            recordLength = 0;
        } else if (recordLength == complete) {
            beginPart(new String(record, HEADER_BYTES, uint16(record, 26), StandardCharsets.UTF_8));
        }
        return at + take;
    }

    private void beginPart(String name) throws IOException {
        part = name;
        zip.putNextEntry(new ZipEntry(name));
        sheetHead = name.startsWith("xl/worksheets/sheet") ? new byte[SHEET_HEAD] : null;
        sheetHeadLength = 0;
        recordLength = 0;
        inflater.reset();
        inData = true;
    }

    /** Takes deflated bytes of the current part; returns where it stopped (past the part's end, its descriptor). */
    private int inflate(byte[] b, int at, int end) throws IOException {
        inflater.setInput(b, at, end - at);
        try {
            for (int n = inflater.inflate(inflated);
                    n > 0 || (!inflater.needsInput() && !inflater.finished());
                    n = inflater.inflate(inflated)) {
                if (n == 0 && inflater.needsDictionary()) {
                    throw new ZipException(part + " needs a preset dictionary");
                }
                content(inflated, n);
            }
        } catch (DataFormatException e) {
            throw new ZipException(part + " is not deflated data: " + e.getMessage());
        }
        if (!inflater.finished()) {
            return end;
        }
        passSheetHead();
        zip.closeEntry();
        inData = false;
        return end - inflater.getRemaining();
    }

    private void content(byte[] b, int n) throws IOException {
        if (sheetHead == null) {
            zip.write(b, 0, n);
            return;
        }
        int take = Math.min(n, sheetHead.length - sheetHeadLength);
        System.arraycopy(b, 0, sheetHead, sheetHeadLength, take);
        sheetHeadLength += take;
        if (sheetHeadLength == sheetHead.length) {
            passSheetHead();
            zip.write(b, take, n - take);
        }
    }

    /** Writes a worksheet's held first bytes, without the placeholder dimension. */
    private void passSheetHead() throws IOException {
        if (sheetHead == null) {
            return;
        }
        int at = find(sheetHead, sheetHeadLength);
        if (at < 0) {
            zip.write(sheetHead, 0, sheetHeadLength);
        } else {
            zip.write(sheetHead, 0, at);
            zip.write(sheetHead, at + PLACEHOLDER.length, sheetHeadLength - at - PLACEHOLDER.length);
        }
        sheetHead = null;
    }

    /** Where the placeholder starts in the first {@code length} bytes, or -1. */
    private static int find(byte[] bytes, int length) {
        for (int i = 0; i + PLACEHOLDER.length <= length; i++) {
            if (Arrays.equals(bytes, i, i + PLACEHOLDER.length, PLACEHOLDER, 0, PLACEHOLDER.length)) {
                return i;
            }
        }
        return -1;
    }

    private static int uint16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int int32(byte[] b, int at) {
        return uint16(b, at) | uint16(b, at + 2) << 16;
    }
}
