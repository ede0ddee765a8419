package rw.intake.server.internal.upload;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A page of the records route as JSON, where it was written: the buffer its thread keeps for pages. It is valid until
 * the same thread writes its next page, so it is written out ({@link #writeTo}) or copied ({@link #toByteArray}) at
 * once. The route writes it to the response without another copy: a copy of every page was about half of what the
 * page path allocated, and so of its young collections (docs/performance.md, "Pages written from their buffer").
 */
public final class PageJson {
    private final byte[] buffer;
    private final int length;

    PageJson(byte[] buffer, int length) {
        this.buffer = buffer;
        this.length = length;
    }

    /** The page's length in bytes. */
    public int length() {
        return length;
    }

    /** Writes the page to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buffer, 0, length);
    }

    /** The page's bytes, as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, length);
    }
}
