package rw.intake.excel;

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

    /** Blank data rows skipped so far. */
    long blankRows();

    /** Data rows read so far (records plus blank rows). */
    long rowsRead();

    @Override
    void close();
}
