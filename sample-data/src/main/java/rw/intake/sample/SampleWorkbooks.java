package rw.intake.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.util.stream.Stream;

/** Deterministic generator of realistic registration workbooks with their ground truth. */
public final class SampleWorkbooks {

    private SampleWorkbooks() {
    }

    /** The records of the spec, lazily, in row order (blank rows are not in the stream). */
    public static Stream<SampleRow> rows(SampleSpec spec) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Writes the workbook and its ground truth ({@code row,codes} CSV, codes joined by {@code |}), streaming: the
     * rows are never all in memory. Neither stream is closed.
     */
    public static void write(SampleSpec spec, OutputStream xlsx, Writer expectedCsv) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The workbook's bytes, in memory (for tests). */
    public static byte[] xlsxBytes(SampleSpec spec) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
