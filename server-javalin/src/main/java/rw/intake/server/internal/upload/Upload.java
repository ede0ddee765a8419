package rw.intake.server.internal.upload;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.UploadSummary.Failure;
import rw.intake.server.internal.upload.UploadSummary.Progress;
import rw.intake.server.internal.upload.UploadSummary.Totals;
import rw.intake.storage.CommitResult;
import rw.intake.storage.Page;
import rw.intake.storage.RecordEdit;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * One staged upload: its identity, its status and counters (published through volatile fields), and its packed
 * records with their filter indexes. One validation thread writes the records; pages and the commit read them only
 * once the status says validation finished, so the volatile status write after the last append publishes them.
 * Once validated, edits change records in place under a write lock that pages and single records read under, so a
 * reader never sees half an edit; the commit's start takes the same lock, and edits are refused once it has begun.
 */
final class Upload implements ReadableUpload {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Field[] FIELDS = Field.values();

    final String id;
    final String owner;
    final String fileName;
    final Instant createdAt;
    /** The header's ignored columns; once validated, with the columns found to hold values under no header too. */
    volatile List<String> ignoredColumns;
    /** The header text of each field's column as the sheet had it, in {@code Field} order (the error report's). */
    final List<String> fieldHeaders;
    /** The worksheet read ({@code CSV} for a CSV file), and the row of its header (1-based). */
    final String sheet;

    final int headerRow;
    /** The other worksheets that hold a list too, not read ({@link rw.intake.excel.SheetRecords#otherLists}). */
    final List<String> otherLists;
    /** The order of admission (newest last); a shared store sets one that holds across instances. */
    volatile long sequence = SEQUENCE.incrementAndGet();
    /** Records reserved in the staging budget for this upload. */
    final AtomicLong reserved = new AtomicLong();
    /** At most this many data rows are in the sheet (counted before reading, bounded by the row limit). */
    final long maxDataRows;
    /** When it was accepted ({@link System#nanoTime()}), for the validation's duration. */
    final long startedNanos = System.nanoTime();

    private final CompletableFuture<UploadStatus> settled = new CompletableFuture<>();
    /** {@link #settled()}, or what follows it where a shared store writes the end before readers may see it. */
    private volatile CompletableFuture<UploadStatus> visible = settled;

    private volatile UploadStatus status = UploadStatus.VALIDATING;
    private volatile long rowsRead;
    private volatile Totals totals = Totals.NONE;
    private volatile Map<String, Long> violationsByCode = Map.of();
    private volatile Failure failure;
    private volatile CommitResult commit;
    private volatile boolean released;
    /** Why its validation was stopped before its end (the server shutting down), or null; then it fails with it. */
    private volatile Failure stopped;
    /** Stops the validation's stages (set when they start). */
    private volatile Runnable stopStages = () -> {};
    /** Rebuilt from a shared store: validating elsewhere, its end is not seen by {@link #settled()} here. */
    private volatile boolean restored;
    /** The packed records and their filter indexes, swapped as one; null once failed. */
    private volatile Staged staged = new Staged(new StagedRecords(), new RecordIndex(), new DuplicateKeys());

    /** Pages and records read under the read lock; edits and the start of the commit hold the write lock. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Made at the first edit, before it takes the write lock (under {@link #editorBuild}); dropped once committed. */
    private volatile RecordEditor editor;

    private final Object editorBuild = new Object();
    /** Every change of a record, in the order made (write lock). */
    private final List<RecordEdit> history = new ArrayList<>();

    private final Map<Integer, List<RecordEdit>> historyByRow = new HashMap<>();
    private long excluded;
    /** Of the records left out, the valid ones (a record left out takes no part in the duplicate rules: only its own
     * edits change its verdict). */
    private long excludedValid;

    // counters of the validation thread (and, once validated, of the edits under the write lock and of the one commit)
    private long valid;
    private long invalid;
    private long withWarnings;
    private final Map<String, long[]> codeCounts = new HashMap<>();

    Upload(
            String id,
            String owner,
            String fileName,
            Instant createdAt,
            List<String> ignoredColumns,
            List<String> fieldHeaders,
            String sheet,
            int headerRow,
            List<String> otherLists,
            long maxDataRows) {
        this.maxDataRows = maxDataRows;
        this.sheet = sheet;
        this.headerRow = headerRow;
        this.otherLists = List.copyOf(otherLists);
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

    @Override
    public String owner() {
        return owner;
    }

    boolean released() {
        return released;
    }

    /** The validation's stages, stopped by {@link #stopValidation}. */
    void onStopValidation(Runnable stages) {
        stopStages = stages;
    }

    /**
     * Stops a validation still running; it then fails with {@code code} and {@code detail} rather than ending
     * validated. An upload no longer validating is left as it is.
     */
    void stopValidation(String code, String detail) {
        if (status == UploadStatus.VALIDATING) {
            stopped = new Failure(code, detail);
            stopStages.run();
        }
    }

    /** Why {@link #stopValidation} stopped the validation, or null. */
    Failure stopped() {
        return stopped;
    }

    /** Appends validated records in row order (validation thread only) and publishes the counters. */
    void append(List<ValidatedRecord> chunk, long read, long blankRows) {
        append(chunk, null, read, blankRows);
    }

    /**
     * {@link #append(List, long, long)}, with the records' duplicate keys as the validation computed them
     * ({@link BatchValidator#crossCheckAll(List, long[])}: three a record), or null to compute them here.
     */
    void append(List<ValidatedRecord> chunk, long[] keys, long read, long blankRows) {
        Staged s = staged;
        for (int i = 0; i < chunk.size(); i++) {
            ValidatedRecord v = chunk.get(i);
            s.add(v, keys, i);
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
        // the conflicts change no value: the keys stay (no edit can follow a commit)
        Staged fresh = new Staged(new StagedRecords(), new RecordIndex(), old.keys());
        valid = 0;
        invalid = 0;
        withWarnings = 0;
        codeCounts.clear();
        for (int i = 0; i < old.records().size(); i++) {
            ValidatedRecord v = old.records().get(i);
            if (Arrays.binarySearch(rows, v.row()) >= 0) {
                v = BatchValidator.alreadyRegistered(v);
            }
            fresh.restage(v);
            count(v);
        }
        fresh.records().copyMarks(old.records());
        StagedRecords marked = fresh.records();
        for (int i = marked.nextExcluded(0); i >= 0; i = marked.nextExcluded(i + 1)) {
            fresh.index().exclude(i, marked.get(i), true);
        }
        fresh.trim();
        staged = fresh;
        publish(rowsRead, totals.blankRows());
    }

    private void count(ValidatedRecord v) {
        count(v, 1);
    }

    /** Counts the record in ({@code sign} 1) or out (-1); a code whose count falls to 0 leaves the counts. */
    private void count(ValidatedRecord v, int sign) {
        if (v.valid()) {
            valid += sign;
        } else {
            invalid += sign;
        }
        if (v.hasWarnings()) {
            withWarnings += sign;
        }
        for (Violation violation : v.violations()) {
            long[] n = codeCounts.get(violation.code());
            if (n == null) {
                n = new long[1];
                codeCounts.put(violation.code(), n);
            }
            n[0] += sign;
            if (n[0] == 0) {
                codeCounts.remove(violation.code());
            }
        }
    }

    /**
     * Validation is complete: trims the store and makes the records readable. {@code ignored}: the columns not read,
     * as the sheet knows them once read ({@link rw.intake.excel.SheetRecords#ignoredColumns}).
     */
    void finish(long read, long blankRows, List<String> ignored) {
        ignoredColumns = List.copyOf(ignored);
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
        // no records are served: none are counted either (the chunks validated before the fault are dropped)
        totals = Totals.NONE;
        violationsByCode = Map.of();
        synchronized (this) {
            status = UploadStatus.FAILED;
        }
        settled.complete(status);
    }

    /** Data rows read (records plus blank rows). */
    long rowsRead() {
        return rowsRead;
    }

    /** Dropped from staging (deleted, expired, evicted): the validation thread stops at its next chunk. */
    void release() {
        released = true;
        settled.complete(status);
    }

    /**
     * An upload as a shared store keeps it, rebuilt on this instance: {@code entries} are its records in row order
     * with their marks, or null for an upload known by its summary only (validating elsewhere, failed, or listed).
     */
    static Upload restore(Stored s, List<RecordChunks.Entry> entries) {
        if (entries == null) {
            Upload u = restore(s, List.of());
            u.totals = s.totals();
            u.violationsByCode = s.violationsByCode();
            return u;
        }
        Upload u = new Upload(
                s.id(),
                s.owner(),
                s.fileName(),
                s.createdAt(),
                s.ignoredColumns(),
                s.fieldHeaders(),
                s.sheet(),
                s.headerRow(),
                s.otherLists(),
                s.maxDataRows());
        u.restored = true;
        u.sequence = s.sequence();
        u.reserved.set(s.reserved());
        Staged st = u.staged;
        List<ValidatedRecord> records = new ArrayList<>(entries.size());
        for (RecordChunks.Entry e : entries) {
            records.add(e.record());
        }
        u.append(records, s.rowsRead(), s.blankRows());
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).excluded()) {
                st.records().excluded(i, true);
                st.index().exclude(i, records.get(i), true);
                u.excluded++;
                u.excludedValid += records.get(i).valid() ? 1 : 0;
            }
            if (entries.get(i).edited()) {
                st.records().markEdited(i);
            }
        }
        st.records().takeChanged();
        st.index().takeChanged();
        st.trim();
        u.history.addAll(s.history());
        for (RecordEdit e : s.history()) {
            u.historyByRow.computeIfAbsent(e.row(), r -> new ArrayList<>(2)).add(e);
        }
        u.commit = s.commit();
        u.failure = s.failure();
        if (s.status() == UploadStatus.FAILED) {
            u.staged = null;
        }
        u.publish(s.rowsRead(), s.blankRows());
        u.status = s.status() == UploadStatus.COMMITTING ? UploadStatus.VALIDATED : s.status();
        if (u.status != UploadStatus.VALIDATING) {
            u.settled.complete(u.status);
        }
        return u;
    }

    /** What a shared store keeps of an upload besides its records. */
    record Stored(
            String id,
            String owner,
            String fileName,
            Instant createdAt,
            List<String> ignoredColumns,
            List<String> fieldHeaders,
            String sheet,
            int headerRow,
            List<String> otherLists,
            long maxDataRows,
            long sequence,
            long reserved,
            UploadStatus status,
            long rowsRead,
            long blankRows,
            Totals totals,
            Map<String, Long> violationsByCode,
            Failure failure,
            CommitResult commit,
            List<RecordEdit> history) {

        Stored {
            // a state written by a version that did not name the other lists
            otherLists = otherLists == null ? List.of() : otherLists;
        }

        /** This state with another status, reservation, failure, commit and history; the rest as it is. */
        Stored with(
                UploadStatus status, long reserved, Failure failure, CommitResult commit, List<RecordEdit> history) {
            return with(status, reserved, totals, violationsByCode, failure, commit, history);
        }

        /** This state failed with {@code failure}, as {@link #fail} leaves an upload: no records, none counted. */
        Stored failed(Failure failure) {
            return with(UploadStatus.FAILED, 0, Totals.NONE, Map.of(), failure, null, List.of());
        }

        private Stored with(
                UploadStatus status,
                long reserved,
                Totals totals,
                Map<String, Long> violationsByCode,
                Failure failure,
                CommitResult commit,
                List<RecordEdit> history) {
            return new Stored(
                    id,
                    owner,
                    fileName,
                    createdAt,
                    ignoredColumns,
                    fieldHeaders,
                    sheet,
                    headerRow,
                    otherLists,
                    maxDataRows,
                    sequence,
                    reserved,
                    status,
                    rowsRead,
                    blankRows,
                    totals,
                    violationsByCode,
                    failure,
                    commit,
                    history);
        }
    }

    /** This upload's state as a shared store keeps it (its history only if {@code withHistory}). */
    Stored stored(boolean withHistory) {
        lock.readLock().lock();
        try {
            Totals t = totals;
            return new Stored(
                    id,
                    owner,
                    fileName,
                    createdAt,
                    ignoredColumns,
                    fieldHeaders,
                    sheet,
                    headerRow,
                    otherLists,
                    maxDataRows,
                    sequence,
                    reserved.get(),
                    status,
                    rowsRead,
                    t.blankRows(),
                    t,
                    violationsByCode,
                    failure,
                    commit,
                    withHistory ? List.copyOf(history) : List.of());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The packed records (validation thread, or under a shared store's lock); null once failed. */
    StagedRecords stagedRecords() {
        Staged s = staged;
        return s == null ? null : s.records();
    }

    /** Completes when validation has finished, failed, or the upload was released. */
    CompletableFuture<UploadStatus> settled() {
        return settled;
    }

    /**
     * Completes once the end of validation can be read back through the store: with {@link #settled()} in memory; for
     * a shared store, once the end is written there (until then, a look-up still answers validating).
     */
    CompletableFuture<UploadStatus> visible() {
        return visible;
    }

    /** The store shows this upload's end only when {@code after} (a stage that follows {@link #settled()}) completes. */
    void visibleAfter(CompletableFuture<UploadStatus> after) {
        visible = after;
    }

    /**
     * Whether {@link #settled()} completes when its validation ends: false for an upload rebuilt from a shared store
     * while it was validating on another instance (a later look-up sees its end, this copy does not).
     */
    boolean settlesHere() {
        return !restored || status != UploadStatus.VALIDATING;
    }

    /** The filter indexes (validation thread, or under a shared store's lock); null once failed. */
    RecordIndex recordIndex() {
        Staged s = staged;
        return s == null ? null : s.index();
    }

    /** Records staged now (for the budget). */
    long recordCount() {
        Staged s = staged;
        return s == null ? 0 : s.records().size();
    }

    /** Heap held by the packed records and indexes, approximately. */
    long retainedBytes() {
        Staged s = staged;
        return s == null
                ? 0
                : s.records().retainedBytes()
                        + s.index().retainedBytes()
                        + s.keys().retainedBytes();
    }

    /** The summary; its totals and counts by code agree with each other and with the pages (none mid-edit). */
    @Override
    public UploadSummary summary() {
        lock.readLock().lock();
        try {
            return new UploadSummary(
                    id,
                    fileName,
                    shownStatus().key(),
                    createdAt,
                    owner,
                    new Progress(rowsRead),
                    totals,
                    violationsByCode,
                    ignoredColumns,
                    sheet,
                    headerRow,
                    otherLists,
                    commit,
                    failure);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A page of records under a filter; {@code page} from 1. */
    @Override
    public Page<ValidatedRecord> page(RecordFilter filter, int page, int size) {
        requireReadable();
        lock.readLock().lock();
        try {
            return page(staged, filter, page, size);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static Page<ValidatedRecord> page(Staged s, RecordFilter filter, int page, int size) {
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
    @Override
    public PageJson pageJson(RecordFilter filter, int page, int size) {
        requireReadable();
        lock.readLock().lock();
        try {
            return pageJson(staged, filter, page, size);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static PageJson pageJson(Staged s, RecordFilter filter, int page, int size) {
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

    /** The codes of the violations that name another row (the first record of a duplicated value). */
    private static final List<String> NAMING_CODES = List.of("nid.duplicate", "phone.duplicate", "email.duplicate");

    /**
     * The records not left out with a violation that names another row, from the index of codes (a few in a hundred
     * of the records, where {@link #records(boolean)} would go through them all); one with two such codes comes twice.
     */
    List<ValidatedRecord> recordsNamingRows() {
        requireReadable();
        lock.readLock().lock();
        try {
            Staged s = staged;
            List<ValidatedRecord> out = new ArrayList<>();
            for (String code : NAMING_CODES) {
                RecordFilter filter = new RecordFilter("all", null, code);
                int total = s.index().count(filter);
                for (int i = 0; i < total; i++) {
                    int at = s.index().recordAt(filter, i);
                    if (!s.records().excluded(at)) {
                        out.add(s.records().get(at));
                    }
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The records not left out (those a commit saves) in row order, as {@link #records(boolean)}. */
    Iterable<ValidatedRecord> recordsToCommit() {
        return records(false);
    }

    /**
     * The staged records in row order ({@code withExcluded}: those left out too), rebuilt lazily; iterable more than
     * once. Each is read under the read lock, so an edit made meanwhile (while the error report is written; none can
     * run while committing) is seen whole or not at all.
     */
    Iterable<ValidatedRecord> records(boolean withExcluded) {
        requireReadable();
        StagedRecords r = staged.records();
        return () -> new Iterator<>() {
            private int next = skipExcluded(0);

            private int skipExcluded(int from) {
                int i = from;
                while (!withExcluded && i < r.size() && r.excluded(i)) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < r.size();
            }

            @Override
            public ValidatedRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                lock.readLock().lock();
                try {
                    ValidatedRecord v = r.get(next);
                    next = skipExcluded(next + 1);
                    return v;
                } finally {
                    lock.readLock().unlock();
                }
            }
        };
    }

    /** Records left out of the commit. */
    long excludedCount() {
        return excluded;
    }

    /** The history of every record, in the order of the changes (for the commit, when no edit can run). */
    List<RecordEdit> history() {
        return List.copyOf(history);
    }

    /** How many changes the history holds. */
    int historySize() {
        lock.readLock().lock();
        try {
            return history.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The rows of the changes from the {@code from}-th on, each once, in the order of their first change. */
    int[] historyRows(int from) {
        lock.readLock().lock();
        try {
            return history.subList(Math.min(from, history.size()), history.size()).stream()
                    .mapToInt(RecordEdit::row)
                    .distinct()
                    .toArray();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The history of the record on {@code row}, oldest first. */
    List<RecordEdit> historyOf(int row) {
        lock.readLock().lock();
        try {
            return List.copyOf(historyByRow.getOrDefault(row, List.of()));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Moves validated → committing, or says why it cannot; waits for an edit under way to end. */
    void beginCommit() {
        lock.writeLock().lock();
        try {
            synchronized (this) {
                switch (status) {
                    case VALIDATED -> status = UploadStatus.COMMITTING;
                    case COMMITTING -> throw commitUnderWay(id);
                    case COMMITTED -> throw alreadyCommitted();
                    default -> requireReadable();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    synchronized void endCommit(CommitResult result) {
        if (result == null) {
            status = UploadStatus.VALIDATED;
        } else {
            commit = result;
            status = UploadStatus.COMMITTED;
            editor = null;
        }
    }

    /**
     * An edit's outcome: the record's JSON as a page shows it, its tag ({@link StagedRecords#tag}), and the other rows
     * whose verdict changed.
     */
    record Edited(byte[] record, String tag, List<Views.ChangedView> changed) {}

    /**
     * Changes record {@code row}: the given raw values ({@code values}, by field) and, unless null, whether it is left
     * out of the commit; then judges again every record whose verdict that changes (see {@link RecordEditor}) and
     * remembers each change made. A value equal to the current one is no change, but for a cell that held a number,
     * which it makes text.
     *
     * @param ifMatch null, or the entity tags of which the record's must be one (an {@code If-Match} header's, "*"
     *     any), else nothing changes
     * @throws ApiException 404 {@code record.not_found}; 409 unless validated; 412 {@code record.changed}
     */
    Edited edit(
            int row,
            Map<Field, String> values,
            Boolean exclude,
            String ifMatch,
            String by,
            Instant at,
            RecordValidator validator) {
        editor(validator);
        lock.writeLock().lock();
        try {
            requireEditable();
            StagedRecords records = staged.records();
            int index = records.indexOfRow(row);
            if (index < 0) {
                throw recordNotFound(id, row);
            }
            if (ifMatch != null) {
                String tag = records.tag(index);
                if (!matches(ifMatch, tag)) {
                    throw recordChanged(row, tag);
                }
            }
            Map<Integer, ValidatedRecord> others = change(index, values, exclude, by, at, validator);
            publish(rowsRead, totals.blankRows());
            List<Views.ChangedView> changed = new ArrayList<>(others.size());
            others.forEach((i, v) -> changed.add(new Views.ChangedView(v.row(), v.valid())));
            return new Edited(recordJson(records, index), records.tag(index), changed);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Leaves out of the commit (or puts back) every record the filter matches, as one edit of each.
     *
     * @param leftOutAt when putting back, null, or the time of a leave-out's edits: only the records it left out are
     *     matched (those the filter matches), and those still out put back
     * @return how many records matched, how many of them changed, and the time of the edits: for a leave-out, after
     *     every earlier edit of the upload
     * @throws ApiException 409 unless validated
     */
    Views.Excluded exclude(
            RecordFilter filter,
            boolean exclude,
            Instant leftOutAt,
            String by,
            Instant now,
            RecordValidator validator) {
        editor(validator);
        lock.writeLock().lock();
        try {
            requireEditable();
            Instant last =
                    history.isEmpty() ? null : history.get(history.size() - 1).at();
            Instant at = exclude ? leaveOutTime(now, last) : now;
            Staged s = staged;
            int[] matched = new int[s.index().count(filter)];
            for (int i = 0; i < matched.length; i++) {
                matched[i] = s.index().recordAt(filter, i);
            }
            Views.Excluded done;
            if (exclude) {
                int[] in = Arrays.stream(matched)
                        .filter(i -> !s.records().excluded(i))
                        .toArray();
                mark(in, true, by, at);
                done = new Views.Excluded(matched.length, in.length, at);
            } else {
                done = putBack(s.records(), filter, leftOutAt, matched, by, at);
            }
            publish(rowsRead, totals.blankRows());
            return done;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * A leave-out's time, which names its edits: in whole milliseconds, so that a client whose times hold no finer
     * digits (a browser's, Python's microseconds) sends it back as it was, and later than every edit before it
     * ({@code last}), however the clock went.
     */
    static Instant leaveOutTime(Instant now, Instant last) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        return last == null || at.isAfter(last)
                ? at
                : last.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
    }

    /**
     * Puts back every record left out whose verdict once back the filter matches. A record left out takes no part in
     * the duplicate rules, so its duplicate codes are not in the indexes: each is judged as if back, in row order,
     * after the records before it that match are back (whether a record is a duplicate depends on earlier rows only),
     * so that every record put back matches the filter afterwards, and every record still left out would not.
     *
     * @param leftOutAt null, or the time of the leave-out whose records alone are matched
     * @param matched the records the indexes match by their verdicts, the left-out ones included
     * @return how many records matched (those of {@code matched} already in, and those put back), and how many were
     *     put back
     */
    private Views.Excluded putBack(
            StagedRecords records, RecordFilter filter, Instant leftOutAt, int[] matched, String by, Instant at) {
        int count = 0;
        for (int index : matched) {
            boolean in = !records.excluded(index);
            count += in && (leftOutAt == null || leftOutAt(records.row(index), leftOutAt)) ? 1 : 0;
        }
        RecordEditor e = editor;
        IntList back = new IntList(16);
        // each judged with those before it back: marked back as it goes, then left out again until all are put back
        for (int i = records.nextExcluded(0); i >= 0; i = records.nextExcluded(i + 1)) {
            if ((leftOutAt == null || leftOutAt(records.row(i), leftOutAt))
                    && filter.matches(e.asPutBack(records, i))) {
                back.add(i);
                records.excluded(i, false);
            }
        }
        int[] indexes = back.toArray();
        for (int i : indexes) {
            records.excluded(i, true);
        }
        mark(indexes, false, by, at);
        return new Views.Excluded(count + indexes.length, indexes.length, at);
    }

    /**
     * Whether the record on {@code row} was last left out by the edits of time {@code at} (a leave-out's): left out by
     * them, and still out or put back since, but not left out again by a later edit.
     */
    private boolean leftOutAt(int row, Instant at) {
        List<RecordEdit> edits = historyByRow.getOrDefault(row, List.of());
        for (int k = edits.size() - 1; k >= 0; k--) {
            RecordEdit edit = edits.get(k);
            if ("excluded".equals(edit.field()) && "true".equals(edit.newValue())) {
                return at.equals(edit.at());
            }
        }
        return false;
    }

    /**
     * Leaves the records at {@code indexes} (ascending, none left out) out of the commit, or puts them back (all left
     * out), as one edit of each, judging again at once what that changes (under the write lock).
     */
    private void mark(int[] indexes, boolean exclude, String by, Instant at) {
        if (indexes.length == 0) {
            return;
        }
        StagedRecords records = staged.records();
        long validBefore = 0;
        for (int i : indexes) {
            validBefore += records.get(i).valid() ? 1 : 0;
        }
        editor.mark(target(staged), indexes, exclude);
        long validAfter = 0;
        for (int i : indexes) {
            validAfter += records.get(i).valid() ? 1 : 0;
            RecordEdit edit = new RecordEdit(
                    records.row(i), "excluded", Boolean.toString(!exclude), Boolean.toString(exclude), by, at);
            history.add(edit);
            historyByRow.computeIfAbsent(edit.row(), r -> new ArrayList<>(2)).add(edit);
        }
        excluded += exclude ? indexes.length : -indexes.length;
        excludedValid += exclude ? validAfter : -validBefore;
    }

    /** The records, indexes and counters of {@code s}, as the editor changes them. */
    private RecordEditor.Target target(Staged s) {
        return new RecordEditor.Target() {
            @Override
            public StagedRecords records() {
                return s.records();
            }

            @Override
            public RecordIndex index() {
                return s.index();
            }

            @Override
            public void count(ValidatedRecord r, int sign) {
                Upload.this.count(r, sign);
            }
        };
    }

    /**
     * Whether an {@code If-Match} header's value lets an edit of a record tagged {@code tag} go on: "*", or a list of
     * entity tags one of which is {@code tag}, compared strongly (RFC 9110 section 13.1.1: a weak tag never matches).
     */
    static boolean matches(String ifMatch, String tag) {
        for (String listed : ifMatch.split(",", -1)) {
            String t = listed.strip();
            if (t.equals("*") || t.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /** 412 {@code record.changed}: the record on {@code row} is no longer as its client read it. */
    private ApiException recordChanged(int row, String tag) {
        return new ApiException(
                412,
                "record.changed",
                "Precondition Failed",
                "the record on row " + row + " was changed since it was read (its tag is now " + tag
                        + "): read it again, and send the edit with its tag if it still holds",
                Map.of("row", row),
                Map.of("ETag", tag));
    }

    /** 404 {@code record.not_found}: upload {@code id} has no record on spreadsheet row {@code row}. */
    static ApiException recordNotFound(String id, Object row) {
        return ApiException.notFound("record.not_found", "upload " + id + " has no record on row " + row);
    }

    /** A record's JSON as a page shows it, its tag ({@link StagedRecords#tag}) and its history, oldest first. */
    record Detail(byte[] record, String tag, List<RecordEdit> history) {}

    /**
     * Record {@code row} with its history.
     *
     * @throws ApiException 404 {@code record.not_found}; 409 while validating or failed
     */
    @Override
    public Detail record(int row) {
        requireReadable();
        lock.readLock().lock();
        try {
            StagedRecords records = staged.records();
            int index = records.indexOfRow(row);
            if (index < 0) {
                throw recordNotFound(id, row);
            }
            return new Detail(
                    recordJson(records, index),
                    records.tag(index),
                    List.copyOf(historyByRow.getOrDefault(row, List.of())));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Heap held by the edit state (duplicate groups), 0 before the first edit. */
    long editorBytes() {
        lock.readLock().lock();
        try {
            RecordEditor e = editor;
            return e == null ? 0 : e.retainedBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The editor, built at the first call once validated from the keys collected while staging. Called before an
     * edit takes the write lock, so that pages are served while the duplicate groups are built; concurrent first
     * edits wait for the one build. Null while not validated (the edit then refuses under the lock).
     */
    private RecordEditor editor(RecordValidator validator) {
        RecordEditor e = editor;
        if (e != null || status != UploadStatus.VALIDATED) {
            return e;
        }
        synchronized (editorBuild) {
            if (editor == null && status == UploadStatus.VALIDATED) {
                DuplicateKeys keys = staged.keys();
                editor = new RecordEditor(validator, DuplicateGroups.build(keys));
                keys.release();
            }
            return editor;
        }
    }

    /** One record's change under the write lock; returns the other records whose verdict changed, by index. */
    private Map<Integer, ValidatedRecord> change(
            int index, Map<Field, String> values, Boolean exclude, String by, Instant at, RecordValidator validator) {
        Staged s = staged;
        StagedRecords records = s.records();
        ValidatedRecord was = records.get(index);
        RawRecord raw = was.raw();
        int row = raw.row();
        String[] cells = new String[FIELDS.length];
        List<RecordEdit> made = new ArrayList<>();
        boolean nidNumeric = raw.nidNumeric();
        boolean phoneNumeric = raw.phoneNumeric();
        for (Field f : FIELDS) {
            String before = raw.value(f);
            String after = values.getOrDefault(f, before);
            cells[f.ordinal()] = after;
            // a value given for a cell that held a number makes it text: a change, though its text is the same
            boolean numberCell = f == Field.NID ? raw.nidNumeric() : (f == Field.PHONE_NUMBER && raw.phoneNumeric());
            if (!after.equals(before) || (numberCell && values.containsKey(f))) {
                made.add(new RecordEdit(row, apiName(f), before, after, by, at));
                nidNumeric &= f != Field.NID;
                phoneNumeric &= f != Field.PHONE_NUMBER;
            }
        }
        if (Arrays.stream(cells).allMatch(String::isEmpty)) {
            // a row whose five cells are blank is no record when a sheet is read: the report would lose it
            throw new ApiException(
                    400,
                    "record.blank",
                    "Bad Request",
                    "an edit cannot leave all five fields of a record blank (a blank row is not a record);"
                            + " leave the record out of the commit instead, with \"excluded\": true",
                    Map.of(),
                    Map.of());
        }
        boolean fieldsChanged = !made.isEmpty();
        boolean wasExcluded = records.excluded(index);
        boolean nowExcluded = exclude == null ? wasExcluded : exclude;
        if (nowExcluded != wasExcluded) {
            made.add(new RecordEdit(
                    row, "excluded", Boolean.toString(wasExcluded), Boolean.toString(nowExcluded), by, at));
        }
        if (made.isEmpty()) {
            return Map.of();
        }
        RecordEditor e = editor(validator);
        RawRecord edited =
                new RawRecord(row, cells[0], cells[1], cells[2], cells[3], cells[4], nidNumeric, phoneNumeric);
        Map<Integer, ValidatedRecord> others = e.apply(target(s), index, edited, nowExcluded);
        if (fieldsChanged) {
            records.markEdited(index);
        }
        excluded += (nowExcluded ? 1 : 0) - (wasExcluded ? 1 : 0);
        excludedValid += (nowExcluded && records.get(index).valid() ? 1 : 0) - (wasExcluded && was.valid() ? 1 : 0);
        history.addAll(made);
        historyByRow.computeIfAbsent(row, r -> new ArrayList<>(2)).addAll(made);
        return others;
    }

    /** The name of a field in the records' JSON and in an edit: {@code phoneNumber} for the phone. */
    static String apiName(Field f) {
        return f == Field.PHONE_NUMBER ? "phoneNumber" : f.key();
    }

    private static byte[] recordJson(StagedRecords records, int index) {
        JsonBytes out = new JsonBytes(1024);
        records.writeJson(index, out);
        return out.toByteArray();
    }

    private ApiException alreadyCommitted() {
        return ApiException.conflict("upload.already_committed", "upload " + id + " is already committed");
    }

    /**
     * 409 {@code upload.committing}, for a commit (or its preview) sent while another commit of the upload runs: that
     * one may yet fail and leave the upload validated, so this is not "already committed". {@code Retry-After}: the
     * summary then tells committed, or validated to be committed again.
     */
    static ApiException commitUnderWay(String id) {
        return new ApiException(
                409,
                "upload.committing",
                "Conflict",
                "upload " + id + " is being committed by another request; GET /api/v1/uploads/" + id + " tells its end:"
                        + " committed, or validated again if it failed",
                Map.of(),
                Map.of("Retry-After", COMMIT_RETRY_AFTER));
    }

    /** Seconds a commit sent while another runs is asked to wait before it asks again. */
    static final String COMMIT_RETRY_AFTER = "2";

    /**
     * The status readers are shown: validating until the end of the validation is {@linkplain #visible visible}
     * through the store. An instance of a shared store that validated the upload says validated, and serves its records,
     * once every instance can, not from the moment its own copy ended: a client told validated here may send its next
     * request to any of them.
     */
    private UploadStatus shownStatus() {
        UploadStatus s = status;
        return s != UploadStatus.VALIDATING && !visible.isDone() ? UploadStatus.VALIDATING : s;
    }

    /** Edits need a validated upload: 409 {@code upload.already_committed} once its commit began, else as readable. */
    void requireEditable() {
        UploadStatus s = status;
        if (s == UploadStatus.COMMITTING || s == UploadStatus.COMMITTED) {
            throw alreadyCommitted();
        }
        requireReadable();
    }

    private void requireReadable() {
        UploadStatus s = shownStatus();
        if (s == UploadStatus.VALIDATING) {
            throw new ApiException(
                    409,
                    "upload.not_ready",
                    "Conflict",
                    "upload " + id + " is still being validated (" + rowsRead + " rows read)",
                    Map.of(),
                    Map.of("Retry-After", "1"));
        }
        if (!s.readable()) {
            Failure f = failure;
            throw new ApiException(
                    409,
                    "upload.failed",
                    "Conflict",
                    "upload " + id + " failed and has no records: " + (f == null ? "" : f.detail()),
                    f == null ? Map.of() : Map.of("failure", f),
                    Map.of());
        }
    }

    private void publish(long read, long blankRows) {
        totals = new Totals(valid + invalid, valid, invalid, withWarnings, blankRows, excluded, excludedValid);
        Map<String, Long> byCode = new TreeMap<>();
        codeCounts.forEach((code, n) -> byCode.put(code, n[0]));
        violationsByCode = Collections.unmodifiableMap(byCode);
        rowsRead = read;
    }

    /** The records, their indexes and their duplicate keys, published together. */
    private record Staged(StagedRecords records, RecordIndex index, DuplicateKeys keys) {
        /** Adds {@code v}, whose duplicate keys are {@code computed[3i..3i+2]}, or computed here when null. */
        void add(ValidatedRecord v, long[] computed, int i) {
            restage(v);
            if (computed == null) {
                keys.add(v);
            } else {
                keys.add(computed[3 * i], computed[3 * i + 1], computed[3 * i + 2]);
            }
        }

        /** Adds {@code v} to the records and indexes only: it takes the place of a record whose keys are kept. */
        void restage(ValidatedRecord v) {
            index.add(records.append(v), v);
        }

        void trim() {
            records.trim();
            index.trim();
            keys.trim();
        }
    }
}
