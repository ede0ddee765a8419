package rw.intake.server.upload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import rw.intake.server.ApiException;
import rw.intake.server.upload.UploadSummary.Failure;
import rw.intake.server.upload.UploadSummary.Progress;
import rw.intake.server.upload.UploadSummary.Totals;
import rw.intake.storage.CommitResult;
import rw.intake.storage.Page;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * One staged upload: its identity, its status and counters (published through volatile fields), and its packed
 * records with their filter indexes. One validation thread writes the records; pages and the commit read them only
 * once the status says validation finished, so the volatile status write after the last append publishes them.
 */
final class Upload {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    final String id;
    final String owner;
    final String fileName;
    final Instant createdAt;
    final List<String> ignoredColumns;
    /** The header text of each field's column as the sheet had it, in {@code Field} order (the error report's). */
    final List<String> fieldHeaders;
    final long sequence = SEQUENCE.incrementAndGet();
    /** Records reserved in the staging budget for this upload. */
    final AtomicLong reserved = new AtomicLong();

    private final CompletableFuture<UploadStatus> settled = new CompletableFuture<>();
    private volatile UploadStatus status = UploadStatus.VALIDATING;
    private volatile long rowsRead;
    private volatile Totals totals = Totals.NONE;
    private volatile Map<String, Long> violationsByCode = Map.of();
    private volatile Failure failure;
    private volatile CommitResult commit;
    private volatile boolean released;
    /** The packed records and their filter indexes, swapped as one; null once failed. */
    private volatile Staged staged = new Staged(new StagedRecords(), new RecordIndex());

    // counters of the validation thread (and, once validated, of the one commit)
    private long valid;
    private long invalid;
    private long withWarnings;
    private final Map<String, long[]> codeCounts = new HashMap<>();

    Upload(String id, String owner, String fileName, Instant createdAt, List<String> ignoredColumns,
           List<String> fieldHeaders) {
        this.id = id;
        this.owner = owner;
        this.fileName = fileName;
        this.createdAt = createdAt;
        this.ignoredColumns = List.copyOf(ignoredColumns);
        this.fieldHeaders = List.copyOf(fieldHeaders);
    }

    UploadStatus status() {
        return status;
    }

    boolean released() {
        return released;
    }

    /** Appends validated records in row order (validation thread only) and publishes the counters. */
    void append(List<ValidatedRecord> chunk, long read, long blankRows) {
        Staged s = staged;
        for (ValidatedRecord v : chunk) {
            s.add(v);
            count(v);
        }
        publish(read, blankRows);
    }

    /**
     * After a commit that turned records into conflicts (a NID another commit registered since validation): stages
     * those records again as the commit saved them ({@link BatchValidator#alreadyRegistered}), rebuilds the filter
     * indexes and counters, and swaps them in at once, so that pages, filters and totals say what the database says.
     * Commit thread only, before {@link #endCommit}.
     *
     * @param rows the rows of the conflicted records (sorted here)
     */
    void applyConflicts(int[] rows) {
        if (rows.length == 0) {
            return;
        }
        Arrays.sort(rows);
        Staged old = staged;
        Staged fresh = new Staged(new StagedRecords(), new RecordIndex());
        valid = 0;
        invalid = 0;
        withWarnings = 0;
        codeCounts.clear();
        for (int i = 0; i < old.records().size(); i++) {
            ValidatedRecord v = old.records().get(i);
            if (Arrays.binarySearch(rows, v.row()) >= 0) {
                v = BatchValidator.alreadyRegistered(v);
            }
            fresh.add(v);
            count(v);
        }
        fresh.trim();
        staged = fresh;
        publish(rowsRead, totals.blankRows());
    }

    private void count(ValidatedRecord v) {
        if (v.valid()) {
            valid++;
        } else {
            invalid++;
        }
        if (v.hasWarnings()) {
            withWarnings++;
        }
        for (Violation violation : v.violations()) {
            long[] n = codeCounts.get(violation.code());
            if (n == null) {
                n = new long[1];
                codeCounts.put(violation.code(), n);
            }
            n[0]++;
        }
    }

    /** Validation is complete: trims the store and makes the records readable. */
    void finish(long read, long blankRows) {
        staged.trim();
        publish(read, blankRows);
        synchronized (this) {
            if (status == UploadStatus.VALIDATING) {
                status = UploadStatus.VALIDATED;
            }
        }
        settled.complete(status);
    }

    /** Validation stopped on a fault of the file: no record is served, the arena is dropped. */
    void fail(String code, String detail, long read) {
        rowsRead = read;
        failure = new Failure(code, detail);
        staged = null;
        synchronized (this) {
            status = UploadStatus.FAILED;
        }
        settled.complete(status);
    }

    /** Dropped from staging (deleted, expired, evicted): the validation thread stops at its next chunk. */
    void release() {
        released = true;
        settled.complete(status);
    }

    /** Completes when validation has finished, failed, or the upload was released. */
    CompletableFuture<UploadStatus> settled() {
        return settled;
    }

    /** Records staged now (for the budget). */
    long recordCount() {
        Staged s = staged;
        return s == null ? 0 : s.records().size();
    }

    /** Heap held by the packed records and indexes, approximately. */
    long retainedBytes() {
        Staged s = staged;
        return s == null ? 0 : s.records().retainedBytes() + s.index().retainedBytes();
    }

    UploadSummary summary() {
        return new UploadSummary(id, fileName, status.key(), createdAt, owner, new Progress(rowsRead), totals,
                violationsByCode, ignoredColumns, commit, failure);
    }

    /** A page of records under a filter; {@code page} from 1. */
    Page<ValidatedRecord> page(RecordFilter filter, int page, int size) {
        requireReadable();
        Staged s = staged;
        StagedRecords r = s.records();
        RecordIndex ix = s.index();
        int total = ix.count(filter);
        long from = (long) (page - 1) * size;
        List<ValidatedRecord> items = new ArrayList<>(size);
        for (long i = from; i < Math.min(from + size, total); i++) {
            items.add(r.get(ix.recordAt(filter, (int) i)));
        }
        return new Page<>(items, page, size, total);
    }

    /** As {@link #page}, as the JSON of the records route, written from the packed records. */
    byte[] pageJson(RecordFilter filter, int page, int size) {
        requireReadable();
        Staged s = staged;
        StagedRecords r = s.records();
        RecordIndex ix = s.index();
        int total = ix.count(filter);
        long from = (long) (page - 1) * size;
        int[] indexes = new int[(int) Math.max(0, Math.min(from + size, total) - from)];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = ix.recordAt(filter, (int) (from + i));
        }
        return RecordPageJson.write(r, indexes, page, size, total);
    }

    /** Every record in row order, rebuilt lazily; iterable more than once. */
    Iterable<ValidatedRecord> records() {
        requireReadable();
        StagedRecords r = staged.records();
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < r.size();
            }

            @Override
            public ValidatedRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return r.get(next++);
            }
        };
    }

    /** Moves validated → committing, or says why it cannot. */
    synchronized void beginCommit() {
        switch (status) {
            case VALIDATED -> status = UploadStatus.COMMITTING;
            case COMMITTING, COMMITTED -> throw ApiException.conflict("upload.already_committed",
                    "upload " + id + " is already committed");
            default -> requireReadable();
        }
    }

    synchronized void endCommit(CommitResult result) {
        if (result == null) {
            status = UploadStatus.VALIDATED;
        } else {
            commit = result;
            status = UploadStatus.COMMITTED;
        }
    }

    private void requireReadable() {
        UploadStatus s = status;
        if (s == UploadStatus.VALIDATING) {
            throw new ApiException(409, "upload.not_ready", "Conflict",
                    "upload " + id + " is still being validated (" + rowsRead + " rows read)", Map.of(),
                    Map.of("Retry-After", "1"));
        }
        if (!s.readable()) {
            Failure f = failure;
            throw new ApiException(409, "upload.failed", "Conflict",
                    "upload " + id + " failed validation and has no records: " + (f == null ? "" : f.detail()),
                    f == null ? Map.of() : Map.of("failure", f), Map.of());
        }
    }

    private void publish(long read, long blankRows) {
        totals = new Totals(valid + invalid, valid, invalid, withWarnings, blankRows);
        Map<String, Long> byCode = new TreeMap<>();
        codeCounts.forEach((code, n) -> byCode.put(code, n[0]));
        violationsByCode = Collections.unmodifiableMap(byCode);
        rowsRead = read;
    }

    /** The records and their indexes, published together. */
    private record Staged(StagedRecords records, RecordIndex index) {
        void add(ValidatedRecord v) {
            index.add(records.append(v), v);
        }

        void trim() {
            records.trim();
            index.trim();
        }
    }
}
