package rw.intake.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.stream.Stream;
import rw.intake.sample.internal.RecordGenerator;
import rw.intake.sample.internal.WorkbookWriter;

/**
 * Deterministic generator of realistic registration workbooks with their ground truth. Same spec, same records,
 * same bytes. Stateless and thread-safe.
 */
public final class SampleWorkbooks {

    /** The name of the workbook's only worksheet. */
    public static final String SHEET_NAME = WorkbookWriter.SHEET_NAME;

    private SampleWorkbooks() {}

    /**
     * The records of the spec, lazily, in row order (blank rows are not in the stream).
     *
     * @throws IllegalArgumentException if the spec's header, records and blank rows do not fit in a sheet's 1,048,576
     *                                  rows, or its reference year is outside 1990..9000
     */
    public static Stream<SampleRow> rows(SampleSpec spec) {
        return RecordGenerator.of(spec).rows();
    }

    /**
     * How many blank data rows the workbook holds between its records: rows present in the sheet whose five mapped
     * cells are blank (white space, or only an extra column filled). Rows above the header are blank too but are not
     * data rows, so they are not counted. Never after the last record.
     */
    public static long blankRows(SampleSpec spec) {
        return RecordGenerator.of(spec).blankRows();
    }

    /**
     * Writes the workbook and its ground truth ({@code row,codes} CSV, codes joined by {@code |}), streaming: the
     * rows are never all in memory. Neither stream is closed.
     */
    public static void write(SampleSpec spec, OutputStream xlsx, Writer expectedCsv) throws IOException {
        WorkbookWriter.write(spec, xlsx, expectedCsv);
    }

    /** The workbook's bytes, in memory (for tests). */
    public static byte[] xlsxBytes(SampleSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(spec, out, Writer.nullWriter());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The ground-truth sidecar line of a record: {@code row,codes}, codes sorted and joined by {@code |}. */
    public static String expectedLine(SampleRow row) {
        return WorkbookWriter.csvLine(row);
    }
}
