package rw.intake.excel.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * The inflated bytes of a zip entry's raw deflate data, through an input buffer of {@link PackageCheck#BUFFER} bytes:
 * the libraries' streams inflate through 512-byte input buffers, which costs a sixth more on a sheet of hundreds of
 * megabytes. Given the entry's CRC, it checks it at the end of the data ({@code ZipException} when it differs).
 * Closing it ends the inflater and closes the raw stream.
 */
final class InflatingStream extends InputStream {

    private final InputStream raw;
    private final Inflater inflater = new Inflater(true);
    private final byte[] input = new byte[PackageCheck.BUFFER];
    /** The CRC the inflated bytes must have, or -1. */
    private final long expectedCrc;

    private final CRC32 crc;
    private boolean padded;
    private boolean checked;

    InflatingStream(InputStream raw) {
        this(raw, -1);
    }

    /** The inflated bytes, checked against {@code expectedCrc} at their end (-1: not checked). */
    InflatingStream(InputStream raw, long expectedCrc) {
        this.raw = raw;
        this.expectedCrc = expectedCrc;
        this.crc = expectedCrc < 0 ? null : new CRC32();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        try {
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    int n = raw.read(input);
                    if (n > 0) {
                        inflater.setInput(input, 0, n);
                    } else if (!padded) {
                        // as java.util.zip and commons-compress do: a nowrap inflater may want one byte past the data
                        padded = true;
                        inflater.setInput(new byte[1]);
                    } else {
                        throw new EOFException("unexpected end of the deflate data");
                    }
                } else if (inflater.needsDictionary()) {
                    throw new ZipException("the deflate data asks for a preset dictionary");
                }
                int n = inflater.inflate(b, off, len);
                if (n > 0) {
                    if (crc != null) {
                        crc.update(b, off, n);
                    }
                    return n;
                }
            }
            if (crc != null && !checked) {
                checked = true;
                if (crc.getValue() != expectedCrc) {
                    throw new ZipException("the inflated data does not match its CRC");
                }
            }
            return -1;
        } catch (DataFormatException e) {
            throw new ZipException("broken deflate data: " + e.getMessage());
        }
    }

    /** The compressed bytes inflated so far. */
    long compressedRead() {
        return inflater.getBytesRead();
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        raw.close();
    }
}
