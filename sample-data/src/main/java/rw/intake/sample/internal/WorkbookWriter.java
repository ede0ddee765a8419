package rw.intake.sample.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.Deflater;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;

/** Streams a spec's records into an .xlsx with fastexcel's writer, and its ground truth into a CSV. */
public final class WorkbookWriter {

    /** The name of the only worksheet. */
    public static final String SHEET_NAME = "Registrations";
    /** The sidecar's header line. */
    public static final String CSV_HEADER = "row,codes";

    private static final String APPLICATION = "intake-sample-data";
    /** Rows kept in fastexcel's buffer before they are written out. */
    private static final int FLUSH_EVERY = 1024;

    private static final int FIELDS = 5;

    private WorkbookWriter() {}

    /** Writes the workbook and the sidecar; closes neither stream. */
    public static void write(SampleSpec spec, OutputStream xlsx, Writer expectedCsv) throws IOException {
        RecordGenerator generator = RecordGenerator.of(spec);
        List<Integer> columns = columns(spec);
        DeterministicZip zip = new DeterministicZip(
                xlsx,
                LocalDate.of(spec.referenceYear(), 1, 1).atStartOfDay(),
                Deflater.DEFAULT_COMPRESSION,
                dimension(spec, generator, columns.size()));
        Workbook wb = new Workbook(zip, APPLICATION, null);
        // DeterministicZip inflates and deflates again: fastexcel need not compress.
        wb.setCompressionLevel(Deflater.NO_COMPRESSION);
        Worksheet ws = wb.newWorksheet(SHEET_NAME);
        SplittableRandom headerRandom = generator.random(-2, 0);
        for (int blank = 1; blank < spec.headerRow(); blank++) {
            writeBlankRow(ws, generator, columns, blank, false);
            flushEvery(ws, blank);
        }
        for (int c = 0; c < columns.size(); c++) {
            ws.value(spec.headerRow() - 1, c, header(spec, columns.get(c), headerRandom));
        }
        expectedCsv.write(CSV_HEADER);
        expectedCsv.write('\n');
        Iterator<SampleRow> rows = generator.rows().iterator();
        int next = spec.headerRow() + 1;
        while (rows.hasNext()) {
            SampleRow row = rows.next();
            for (; next < row.row(); next++) {
                writeBlankRow(ws, generator, columns, next, true);
                flushEvery(ws, next);
            }
            writeRow(ws, generator, columns, row);
            flushEvery(ws, row.row());
            next = row.row() + 1;
            expectedCsv.write(csvLine(row));
            expectedCsv.write('\n');
        }
        wb.finish();
        zip.finish();
        expectedCsv.flush();
    }

    /**
     * Writes out the rows held so far every {@link #FLUSH_EVERY} rows of the sheet (blank ones too: a header far down
     * puts up to a million of them above it), so that fastexcel never holds more than that many.
     */
    private static void flushEvery(Worksheet ws, int row) throws IOException {
        if (row % FLUSH_EVERY == 0) {
            ws.flush();
        }
    }

    /**
     * The range the sheet spans, {@code A1:E50001}: the header and the records with the blank rows among them (the
     * generator knows how many before it writes them). fastexcel's streaming writer cannot know it when it writes the
     * sheet's start, so {@link DeterministicZip} puts it in.
     */
    static String dimension(SampleSpec spec, RecordGenerator generator, int columns) {
        long lastRow = spec.headerRow() + (spec.rows() == 0 ? 0 : spec.rows() + generator.blankRows());
        StringBuilder column = new StringBuilder();
        for (int c = columns; c > 0; c = (c - 1) / 26) {
            column.insert(0, (char) ('A' + (c - 1) % 26));
        }
        return "A1:" + column + lastRow;
    }

    /** {@code row,codes}: the codes sorted and joined by {@code |}. */
    public static String csvLine(SampleRow row) {
        return row.row() + "," + String.join("|", new TreeSet<>(row.expectedCodes()));
    }

    /**
     * The sheet's columns, left to right: 0..4 are the fields in {@code Field} order, 5 and up the extra columns.
     */
    private static List<Integer> columns(SampleSpec spec) {
        List<Integer> columns = new ArrayList<>();
        for (int c = 0; c < FIELDS + spec.extraColumns(); c++) {
            columns.add(c);
        }
        if (spec.shuffledColumns()) {
            SplittableRandom r = new SplittableRandom(RecordGenerator.mix(spec.seed(), -5, 0));
            for (int i = columns.size() - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                columns.set(i, columns.set(j, columns.get(i)));
            }
        }
        return columns;
    }

    private static String header(SampleSpec spec, int column, SplittableRandom r) {
        if (column >= FIELDS) {
            int extra = column - FIELDS;
            List<List<String>> all = Vocabulary.EXTRA_COLUMNS;
            String name = all.get(extra % all.size()).get(0);
            return extra < all.size() ? name : name + " " + (extra / all.size() + 1);
        }
        List<String> names = Vocabulary.HEADERS.get(column);
        return spec.synonyms() ? names.get(1 + r.nextInt(names.size() - 1)) : names.get(0);
    }

    private static void writeRow(Worksheet ws, RecordGenerator generator, List<Integer> columns, SampleRow row) {
        int r = row.row() - 1;
        SplittableRandom extras = generator.random(row.row(), 3);
        for (int c = 0; c < columns.size(); c++) {
            int column = columns.get(c);
            switch (column) {
                case 0 -> text(ws, r, c, row.names());
                case 1 -> cell(ws, r, c, row.nid(), row.nidNumeric());
                case 2 -> cell(ws, r, c, row.phoneNumber(), row.phoneNumeric());
                case 3 -> {
                    if (!row.gender().isEmpty()) {
                        ws.value(r, c, row.gender());
                    }
                }
                case 4 -> text(ws, r, c, row.email());
                default -> {
                    List<String> values =
                            Vocabulary.EXTRA_COLUMNS.get((column - FIELDS) % Vocabulary.EXTRA_COLUMNS.size());
                    text(ws, r, c, values.get(1 + extras.nextInt(values.size() - 1)));
                }
            }
        }
    }

    /**
     * A row that is in the sheet but whose five mapped cells are blank: white space in one of them, or (between
     * records, when there are extra columns) a value in an extra column only.
     */
    private static void writeBlankRow(
            Worksheet ws, RecordGenerator generator, List<Integer> columns, int row, boolean mayFillExtra) {
        SplittableRandom r = generator.random(row, 4);
        int c = r.nextInt(columns.size());
        int column = columns.get(c);
        if (column < FIELDS || !mayFillExtra) {
            ws.inlineString(row - 1, c, r.nextBoolean() ? " " : "   ");
        } else {
            List<String> values = Vocabulary.EXTRA_COLUMNS.get((column - FIELDS) % Vocabulary.EXTRA_COLUMNS.size());
            ws.inlineString(row - 1, c, values.get(values.size() - 1));
        }
    }

    private static void cell(Worksheet ws, int r, int c, String value, boolean numeric) {
        if (numeric) {
            ws.value(r, c, Long.parseLong(value));
        } else {
            text(ws, r, c, value);
        }
    }

    /** Inline strings: values unique per row would otherwise pile up in fastexcel's shared-string table. */
    private static void text(Worksheet ws, int r, int c, String value) {
        if (!value.isEmpty()) {
            ws.inlineString(r, c, value);
        }
    }
}
