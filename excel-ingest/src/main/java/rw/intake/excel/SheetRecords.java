package rw.intake.excel;

import java.util.concurrent.Executor;
import java.util.stream.Stream;
import rw.intake.excel.internal.ReadAhead;
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
     * As {@link #records()}, but the sheet is read ahead on a thread of {@code executor} and handed over in batches
     * of {@value #READ_AHEAD_BATCH} records through a queue of {@value #READ_AHEAD_DEPTH} batches, so that what the
     * caller does with each record (validation) runs on another core while the XML is parsed. Faults are thrown
     * from the returned stream as with {@link #records()}. Close the returned stream: that stops the reader, waits
     * for it and closes this sheet. Call {@link #blankRows()} and {@link #rowsRead()} only after the stream ended.
     * May be called once, instead of {@link #records()}.
     *
     * @param executor runs one task, the reader, for as long as the stream is read; e.g. a single-thread executor
     */
    default Stream<RawRecord> records(Executor executor) {
        return ReadAhead.start(records(), executor, READ_AHEAD_BATCH, READ_AHEAD_DEPTH);
    }

    /** Records per batch handed over by {@link #records(Executor)}. */
    int READ_AHEAD_BATCH = 1024;

    /** Batches queued at most by {@link #records(Executor)}. */
    int READ_AHEAD_DEPTH = 8;

    /**
     * At most this many data rows (records plus blank rows) are in the sheet, as counted before reading (the rows its
     * XML holds below the header); -1 if not known. The row limit is checked apart from this.
     */
    default long maxDataRows() {
        return -1;
    }

    /** Blank data rows skipped so far. */
    long blankRows();

    /** Data rows read so far (records plus blank rows). */
    long rowsRead();

    @Override
    void close();
}
