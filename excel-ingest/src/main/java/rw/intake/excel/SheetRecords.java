package rw.intake.excel;

import java.util.List;
import java.util.stream.Stream;
import rw.intake.validation.RawRecord;

/**
 * An opened sheet whose format and header were checked: the records still to be read, lazily, in row order.
 * Close it (or the stream) when done. Not thread-safe; read it from one thread.
 */
public interface SheetRecords extends AutoCloseable {

    SheetHeader header();

    /**
     * The data rows as records, in one pass. Faults found while reading on ({@code file.too_many_rows}, XML broken
     * half way) are thrown from the stream as {@link IngestException}. May be called once.
     */
    Stream<RawRecord> records();

    /**
     * At most this many records are in the sheet, as counted before reading (the rows its XML holds below the header,
     * a CSV file's lines below it); -1 if not known. It bounds the records and the blank rows the sheet writes, not the
     * data rows read: a row a workbook leaves out between two it writes is read as a blank row too. The row limit is
     * checked apart from this.
     */
    default long maxDataRows() {
        return -1;
    }

    /**
     * About how many records the sheet holds, to size what will hold them: {@link #maxDataRows()} when the rows were
     * counted, else what the sheet says of itself (a workbook's dimension), which nothing checks; -1 if not known.
     */
    default long expectedDataRows() {
        return maxDataRows();
    }

    /**
     * The columns the records were not read from, for the clerk to see: {@link SheetHeader#ignoredColumns()}, then,
     * in column order, each column found so far to hold a value below the header with no header text of its own (a
     * blank header cell, or past the header's last cell), as {@code column F (no header)}. Complete once the records
     * have been read.
     */
    default List<String> ignoredColumns() {
        return header().ignoredColumns();
    }

    /**
     * The other worksheets of the workbook that hold a list too (a header that maps all five fields, a record below
     * it), by name, in the workbook's order: they were not read, and the clerk is to be told so. Without a sheet named
     * by the client only the worksheets after the one read are looked at (those before it hold no list); with one,
     * every other worksheet. Empty for a CSV file.
     */
    default List<String> otherLists() {
        return List.of();
    }

    /** Blank data rows skipped so far. */
    long blankRows();

    /** Data rows read so far (records plus blank rows). */
    long rowsRead();

    @Override
    void close();
}
