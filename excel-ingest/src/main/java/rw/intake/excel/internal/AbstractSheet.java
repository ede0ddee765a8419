package rw.intake.excel.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import rw.intake.excel.IngestException;
import rw.intake.excel.SheetHeader;
import rw.intake.excel.SheetRecords;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

/**
 * What every opened sheet shares: the records as a one-pass stream, and the counting of data rows. A data row is a
 * row below the header up to the last row with a mapped value: a record, or a blank row (its five mapped cells
 * blank, or a row the file does not write) between records. Blank rows after the last record are not counted;
 * {@code records + blankRows = rowsRead}.
 * Subclasses read their format's rows and call {@link #blank()} and
 * {@link #record(int, String, String, String, String, String)} for each data row.
 */
abstract class AbstractSheet implements SheetRecords {

    /**
     * Characters the five mapped cells of a record hold on average at most, beyond {@link #TEXT_SLACK}: a workbook
     * can repeat a long shared string in every cell, so that a file of a few hundred kilobytes, within every byte and
     * inflate limit, makes records of gigabytes. A list's records hold about 70 (a valid one at most about 400).
     */
    static final long MAX_AVERAGE_CHARS = 256;
    /** Characters any upload's records may hold beyond the average: 500 cells of the most a cell holds. */
    static final long TEXT_SLACK = 16L * 1024 * 1024;

    private final int maxRows;
    /** Characters of the mapped cells of the records so far. */
    private long textChars;

    private long maxDataRows = -1;
    private long expectedDataRows = -1;
    private SheetHeader header;
    private RawRecord peeked;
    private long records;
    private long blankRows;
    private long pendingBlankRows;
    private boolean streamed;
    private boolean closed;
    /** The columns found to hold a value under no header text (0-based). */
    private final BitSet unnamedWithValues = new BitSet();

    AbstractSheet(int maxRows) {
        this.maxRows = maxRows;
    }

    /**
     * Sets the header and reads the first record, so that a sheet with a header and no data is refused at open.
     *
     * @throws rw.intake.excel.IngestException {@code file.empty} when no record follows the header
     */
    final void start(SheetHeader found) {
        this.header = found;
        this.peeked = nextRecord();
        if (peeked == null) {
            throw Rejections.noData(found.sheetName(), found.row());
        }
    }

    /** The next record, or null after the last one. */
    abstract RawRecord nextRecord();

    /** Lets go of what the format reader holds; called once. */
    abstract void release();

    /** Whether the five mapped values are all blank. */
    static boolean blank(String names, String nid, String phone, String gender, String email) {
        return names.isEmpty() && nid.isEmpty() && phone.isEmpty() && gender.isEmpty() && email.isEmpty();
    }

    /** Counts a blank data row (counted only if a record follows it). */
    final void blank() {
        pendingBlankRows++;
    }

    /**
     * Counts {@code rows} blank data rows the file does not write (a sheet's rows absent from its XML, as spreadsheet
     * programs leave out empty rows), counted only if a record follows them.
     */
    final void blank(long rows) {
        pendingBlankRows += rows;
    }

    /** Sets what {@link #maxDataRows()} answers: at most this many data rows are in the sheet, as counted before. */
    final void maxDataRows(long rows) {
        this.maxDataRows = rows;
    }

    /** Sets what {@link #expectedDataRows()} answers. */
    final void expectedDataRows(long rows) {
        this.expectedDataRows = rows;
    }

    /**
     * Counts a record at row {@code rowNum} with its five mapped values, and the blank rows before it.
     *
     * @throws rw.intake.excel.IngestException {@code file.too_many_rows} past the row limit, {@code file.cell_too_long}
     *                                         for a value longer than a spreadsheet cell holds, {@code file.too_large}
     *                                         when the records hold far more text than lists do
     */
    final void record(int rowNum, String names, String nid, String phone, String gender, String email) {
        checkLength(rowNum, Field.NAMES, names);
        checkLength(rowNum, Field.NID, nid);
        checkLength(rowNum, Field.PHONE_NUMBER, phone);
        checkLength(rowNum, Field.GENDER, gender);
        checkLength(rowNum, Field.EMAIL, email);
        textChars += (long) names.length() + nid.length() + phone.length() + gender.length() + email.length();
        if (textChars > TEXT_SLACK + MAX_AVERAGE_CHARS * (records + 1)) {
            throw Rejections.textTooLarge(rowNum, textChars, MAX_AVERAGE_CHARS);
        }
        if (records + blankRows + pendingBlankRows + 1 > maxRows) {
            throw Rejections.tooManyRows(maxRows, rowNum, records);
        }
        blankRows += pendingBlankRows;
        pendingBlankRows = 0;
        records++;
    }

    /**
     * The columns with no header text among {@code headerTexts} (the header row's trimmed texts, by 0-based column):
     * a value found below one of them, or past the last, is noted with {@link #unnamedValue}.
     */
    static int[] unnamedColumns(List<String> headerTexts) {
        return IntStream.range(0, headerTexts.size())
                .filter(c -> headerTexts.get(c).isEmpty())
                .toArray();
    }

    /** A value was read in the 0-based column, which has no header text: it is listed in {@link #ignoredColumns}. */
    final void unnamedValue(int column) {
        unnamedWithValues.set(column);
    }

    /** Whether a value was read in that column under no header text. */
    final boolean unnamedNoted(int column) {
        return unnamedWithValues.get(column);
    }

    @Override
    public final List<String> ignoredColumns() {
        if (unnamedWithValues.isEmpty()) {
            return header.ignoredColumns();
        }
        List<String> all = new ArrayList<>(header.ignoredColumns());
        for (int c = unnamedWithValues.nextSetBit(0); c >= 0; c = unnamedWithValues.nextSetBit(c + 1)) {
            all.add("column " + HeaderMapper.columnName(c) + " (no header)");
        }
        return List.copyOf(all);
    }

    /** Whether a record was read. */
    final boolean anyRecord() {
        return records > 0;
    }

    /** A cell longer than any spreadsheet program writes could not be stored whole: the file is refused. */
    private static void checkLength(int row, Field field, String text) {
        if (text.length() > IngestException.MAX_CELL_CHARS) {
            throw Rejections.cellTooLong(row, field.key(), text.length());
        }
    }

    @Override
    public final long maxDataRows() {
        return maxDataRows;
    }

    @Override
    public final long expectedDataRows() {
        return expectedDataRows;
    }

    @Override
    public final SheetHeader header() {
        return header;
    }

    @Override
    public final Stream<RawRecord> records() {
        if (streamed) {
            throw new IllegalStateException("records() may be called once");
        }
        if (closed) {
            throw new IllegalStateException("the sheet is closed");
        }
        streamed = true;
        Spliterator<RawRecord> spliterator =
                new Spliterators.AbstractSpliterator<>(
                        Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE) {
                    @Override
                    public boolean tryAdvance(Consumer<? super RawRecord> action) {
                        RawRecord next = peeked != null ? peeked : nextRecord();
                        peeked = null;
                        if (next == null) {
                            return false;
                        }
                        action.accept(next);
                        return true;
                    }
                };
        return StreamSupport.stream(spliterator, false).onClose(this::close);
    }

    @Override
    public final long blankRows() {
        return blankRows;
    }

    @Override
    public final long rowsRead() {
        return blankRows + records;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
