package rw.intake.server.internal.upload;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.excel.IngestException;
import rw.intake.excel.SheetReader;
import rw.intake.excel.SheetRecords;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.auth.Principal;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.storage.Storage;
import rw.intake.storage.UploadAlreadyCommittedException;
import rw.intake.storage.UploadIds;
import rw.intake.storage.UploadTotals;
import rw.intake.storage.UserQuery;
import rw.intake.storage.UserStore;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * What the upload routes (current and legacy) do, apart from HTTP: accept a workbook, validate it in the background,
 * serve summaries and pages, commit, delete, list committed users. Every method checks that the caller may see the
 * upload (another user's upload is 404 {@code upload.not_found}). Thread-safe.
 */
public final class UploadService {
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);
    /** Records validated between two publications of progress and two registered-NID look-ups. */
    static final int CHUNK = RecordValidator.REGISTERED_LOOKUP_BATCH;
    private static final int QUEUED_CHUNKS = 8;
    private static final long POLL_MILLIS = 50;
    /** The code of a request, or of an upload's failure, that needed the database while it could not be reached. */
    public static final String DATABASE_UNAVAILABLE = "database.unavailable";

    private final SheetReader reader;
    private final RecordValidator validator;
    private final UserStore users;
    private final StagingStore staging;
    private final ExecutorService readers;
    private final ExecutorService checkers;
    private final ExecutorService registrars;
    private final Clock clock;
    private final long maxRows;
    private final UploadEvents events;
    private final ShutdownGate gate;

    UploadService(SheetReader reader, RecordValidator validator, UserStore users, StagingStore staging,
                  ExecutorService readers, ExecutorService checkers, ExecutorService registrars, Clock clock,
                  UploadEvents events, ShutdownGate gate) {
        this.reader = reader;
        this.validator = validator;
        this.users = users;
        this.staging = staging;
        this.readers = readers;
        this.checkers = checkers;
        this.registrars = registrars;
        this.clock = clock;
        this.maxRows = reader.limits().maxRows();
        this.events = events;
        this.gate = gate;
    }

    /**
     * Checks the workbook's structure, stages it and starts validating it.
     *
     * @param sheet the sheet to read, or null for the first
     * @throws ApiException 400/413 with the {@code file.*} code of a refused workbook (nothing staged), 503
     *                      {@code staging.full}, 503 {@code server.shutting_down}
     */
    public UploadSummary accept(Principal caller, IncomingFile file, String sheet) {
        try {
            UploadSummary accepted = stage(caller, file, sheet);
            events.accepted();
            return accepted;
        } catch (ApiException ex) {
            events.refused(ex.code());
            throw ex;
        }
    }

    private UploadSummary stage(Principal caller, IncomingFile file, String sheet) {
        gate.checkOpen("uploads");
        SheetRecords opened;
        try {
            opened = reader.open(file.bytes(), sheet == null || sheet.isBlank() ? null : sheet.strip());
        } catch (IngestException ex) {
            throw problem(ex);
        }
        boolean handedOver = false;
        try {
            long rows = opened.maxDataRows() < 0 ? maxRows : Math.min(maxRows, opened.maxDataRows());
            Upload upload = new Upload(UploadIds.next(), caller.username(), file.fileName(), clock.instant(),
                    opened.header().ignoredColumns(), opened.header().fieldHeaders(), rows);
            staging.admit(upload, rows);
            readers.execute(() -> read(upload, opened));
            handedOver = true;
            return upload.summary();
        } finally {
            if (!handedOver) {
                opened.close();
            }
        }
    }

    /** The caller's uploads newest first; an admin's lists everyone's. */
    public List<UploadSummary> list(Principal caller) {
        List<Upload> visible = new ArrayList<>();
        for (Upload u : staging.all()) {
            if (caller.maySee(u.owner)) {
                visible.add(u);
            }
        }
        visible.sort(Comparator.comparingLong((Upload u) -> u.sequence).reversed());
        List<UploadSummary> out = new ArrayList<>(visible.size());
        for (Upload u : visible) {
            out.add(u.summary());
        }
        return out;
    }

    public UploadSummary summary(Principal caller, String id) {
        return find(caller, id).summary();
    }

    /**
     * A page of an upload's records in row order.
     *
     * @throws ApiException 409 {@code upload.not_ready} (with Retry-After) while validating, 409 {@code upload.failed}
     */
    public Page<ValidatedRecord> records(Principal caller, String id, RecordFilter filter, int page, int size) {
        return find(caller, id).page(filter, page, size);
    }

    /** As {@link #records}, as the JSON document of the records route (written without rebuilding the records). */
    public byte[] recordsJson(Principal caller, String id, RecordFilter filter, int page, int size) {
        return find(caller, id).pageJson(filter, page, size);
    }

    /**
     * Commits the upload's records in one transaction. Records that became conflicts (a NID another commit registered
     * since validation) are staged again as committed, so pages, filters and totals agree with the database.
     *
     * A commit that fails (the database went away) leaves the upload validated, to be committed again. Once the
     * server is shutting down no commit starts; running ones are waited for ({@link UploadModule#drain}).
     *
     * @throws ApiException 409 {@code upload.already_committed}, {@code upload.not_ready}, {@code upload.failed};
     *                      503 {@code server.shutting_down}
     */
    public CommitResult commit(Principal caller, String id, CommitMode mode) {
        Upload upload = find(caller, id);
        gate.commitStarted();
        try {
            return staging.commit(upload, u -> commit(u, id, mode));
        } finally {
            gate.commitEnded();
        }
    }

    private CommitResult commit(Upload upload, String id, CommitMode mode) {
        upload.beginCommit();
        CommitResult result = null;
        long started = System.nanoTime();
        try {
            UploadSummary.Totals t = upload.summary().totals();
            CommitRequest request = new CommitRequest(upload.id, upload.owner, upload.fileName, mode,
                    new UploadTotals(t.records(), t.valid(), t.invalid(), t.withWarnings(), t.blankRows()),
                    upload.excludedCount(), upload.history());
            IntList conflictRows = new IntList(0);
            result = users.commit(request, upload.recordsToCommit(), conflictRows::add);
            upload.applyConflicts(conflictRows.toArray());
            return result;
        } catch (UploadAlreadyCommittedException ex) {
            throw ApiException.conflict("upload.already_committed", "upload " + id + " is already committed");
        } finally {
            upload.endCommit(result);
            events.commitEnded(result == null ? "failed" : "committed", result == null ? 0 : result.committed(),
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * Edits one staged record (any of its five raw values, and whether it is left out of the commit) and judges again
     * every record whose verdict that changes; the change is remembered with the caller's name.
     *
     * @param values the new raw values by field (absent: unchanged)
     * @param exclude whether to leave the record out, or null for unchanged
     * @throws ApiException 404 {@code record.not_found}; 409 {@code upload.not_ready}, {@code upload.failed},
     *                      {@code upload.already_committed}
     */
    Upload.Edited edit(Principal caller, String id, int row, Map<Field, String> values, Boolean exclude) {
        return staging.edit(find(caller, id),
                u -> u.edit(row, values, exclude, caller.username(), clock.instant(), validator));
    }

    /**
     * Leaves every record the filter matches out of the commit (or puts it back).
     *
     * @return how many records matched
     * @throws ApiException 409 as {@link #edit}
     */
    int exclude(Principal caller, String id, RecordFilter filter, boolean exclude) {
        return staging.edit(find(caller, id),
                u -> u.exclude(filter, exclude, caller.username(), clock.instant(), validator));
    }

    /**
     * One staged record with its history.
     *
     * @throws ApiException 404 {@code record.not_found}; 409 {@code upload.not_ready}, {@code upload.failed}
     */
    Upload.Detail record(Principal caller, String id, int row) {
        return find(caller, id).record(row);
    }

    /**
     * The upload's error report, over the records it stages now, those left out included ({@code invalidOnly}: those
     * with an error).
     *
     * @throws ApiException 404 {@code upload.not_found}, 409 {@code upload.not_ready} (with Retry-After) while
     *                      validating, 409 {@code upload.failed}
     */
    ErrorReport report(Principal caller, String id, boolean invalidOnly) {
        Upload upload = find(caller, id);
        return new ErrorReport(upload.fileName, upload.fieldHeaders, upload.records(true), invalidOnly);
    }

    /** Drops the upload from staging. */
    public void delete(Principal caller, String id) {
        staging.remove(find(caller, id).id);
    }

    /** The id of the caller's most recent upload (legacy routes). */
    public String latest(Principal caller) {
        Upload latest = null;
        for (Upload u : staging.all()) {
            if (u.owner.equals(caller.username()) && (latest == null || u.sequence > latest.sequence)) {
                latest = u;
            }
        }
        if (latest == null) {
            throw ApiException.notFound("upload.not_found", "you have no staged upload; upload a workbook first");
        }
        return latest.id;
    }

    /** Waits at most {@code timeout} for the upload's validation to end (legacy clients expect records at once). */
    public void awaitValidation(Principal caller, String id, Duration timeout) {
        try {
            find(caller, id).settled().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException ex) {
            return;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ex) {
            throw new IllegalStateException(ex.getCause());
        }
    }

    /** Committed users; a clerk sees only the users of its own uploads. */
    public Page<CommittedUser> users(Principal caller, int page, int size, String uploadId, Boolean valid) {
        return users.users(new UserQuery(page, size, uploadId, valid, caller.isAdmin() ? null : caller.username()));
    }

    /** Staging introspection for tests and benchmarks: records reserved and heap held by one upload. */
    long reservedRecords() {
        return staging.reservedRecords();
    }

    long retainedBytes(String id) {
        Upload u = staging.get(id);
        return u == null ? 0 : u.retainedBytes();
    }

    /** Heap held by one upload's edit state (its duplicate groups), 0 before its first edit. */
    long editorBytes(String id) {
        Upload u = staging.get(id);
        return u == null ? 0 : u.editorBytes();
    }

    private Upload find(Principal caller, String id) {
        Upload u = id == null ? null : staging.get(id);
        if (u == null || !caller.maySee(u.owner)) {
            throw ApiException.notFound("upload.not_found", "no upload " + id);
        }
        return u;
    }

    /** A run of records handed from one stage to the next, with the reader's counters. */
    private record Chunk<T>(List<T> records, long rowsRead, long blankRows, RuntimeException fault, boolean last) {
    }

    /**
     * Reads the sheet on a reader thread and hands chunks of raw records to a checking thread (field and cross-row
     * rules), which hands them to a registering thread (registered-NID look-ups, then staging), each through a short
     * queue, so that parsing the XML, applying the rules and the database look-ups overlap.
     */
    private void read(Upload upload, SheetRecords sheet) {
        BlockingQueue<Chunk<RawRecord>> raw = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        BlockingQueue<Chunk<ValidatedRecord>> checked = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        AtomicBoolean stopped = new AtomicBoolean();
        registrars.execute(() -> register(upload, checked, stopped));
        checkers.execute(() -> check(upload, raw, checked, stopped));
        Chunk<RawRecord> end;
        try (sheet; Stream<RawRecord> stream = sheet.records()) {
            List<RawRecord> chunk = new ArrayList<>(CHUNK);
            Iterator<RawRecord> it = stream.iterator();
            while (it.hasNext()) {
                chunk.add(it.next());
                if (chunk.size() == CHUNK) {
                    if (!hand(raw, new Chunk<>(chunk, sheet.rowsRead(), sheet.blankRows(), null, false), stopped, upload)) {
                        return;
                    }
                    chunk = new ArrayList<>(CHUNK);
                }
            }
            end = new Chunk<>(chunk, sheet.rowsRead(), sheet.blankRows(), null, true);
        } catch (RuntimeException ex) {
            end = new Chunk<>(List.of(), sheet.rowsRead(), sheet.blankRows(), ex, true);
        }
        hand(raw, end, stopped, upload);
    }

    private static <T> boolean hand(BlockingQueue<Chunk<T>> queue, Chunk<T> chunk, AtomicBoolean stopped, Upload upload) {
        try {
            while (!queue.offer(chunk, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stopped.get() || upload.released()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The next chunk, or null once the upload is released or the pipeline stopped. */
    private static <T> Chunk<T> take(BlockingQueue<Chunk<T>> queue, AtomicBoolean stopped, Upload upload)
            throws InterruptedException {
        while (true) {
            Chunk<T> c = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (c != null) {
                return c;
            }
            if (stopped.get() || upload.released()) {
                stopped.set(true);
                return null;
            }
        }
    }

    /** Field rules and cross-row rules in row order; a fault is passed on to the registering thread to report. */
    private void check(Upload upload, BlockingQueue<Chunk<RawRecord>> in, BlockingQueue<Chunk<ValidatedRecord>> out,
                       AtomicBoolean stopped) {
        long rowsRead = 0;
        long blankRows = 0;
        Chunk<ValidatedRecord> handed;
        try {
            BatchValidator batch = validator.newBatch();
            while (true) {
                Chunk<RawRecord> c = take(in, stopped, upload);
                if (c == null) {
                    return;
                }
                rowsRead = c.rowsRead();
                blankRows = c.blankRows();
                List<ValidatedRecord> done = new ArrayList<>(c.records().size());
                for (RawRecord r : c.records()) {
                    done.add(batch.crossCheck(validator.validate(r)));
                }
                handed = new Chunk<>(done, c.rowsRead(), c.blankRows(), c.fault(), c.last());
                if (!hand(out, handed, stopped, upload) || c.last()) {
                    return;
                }
            }
        } catch (InterruptedException ex) {
            stopped.set(true);
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException | Error ex) {
            handed = new Chunk<>(List.of(), rowsRead, blankRows, ex instanceof RuntimeException re ? re
                    : new IllegalStateException(ex), true);
        }
        hand(out, handed, stopped, upload);
    }

    /** Registered NIDs by chunk, then the records are staged; the end of the pipeline reports the outcome. */
    private void register(Upload upload, BlockingQueue<Chunk<ValidatedRecord>> queue, AtomicBoolean stopped) {
        long rowsRead = 0;
        try {
            BatchValidator batch = validator.newBatch();
            while (true) {
                Chunk<ValidatedRecord> c = take(queue, stopped, upload);
                if (c == null) {
                    return;
                }
                rowsRead = c.rowsRead();
                if (!c.records().isEmpty()) {
                    upload.append(batch.markRegistered(c.records()), c.rowsRead(), c.blankRows());
                }
                if (c.fault() != null) {
                    throw c.fault();
                }
                if (c.last()) {
                    staging.adjust(upload, upload.recordCount());
                    upload.finish(c.rowsRead(), c.blankRows());
                    ended(upload, "validated", c.rowsRead());
                    return;
                }
                staging.adjust(upload, upload.recordCount() + Math.max(0, upload.maxDataRows - c.rowsRead()));
            }
        } catch (IngestException ex) {
            stopped.set(true);
            staging.adjust(upload, 0);
            upload.fail(ex.code(), ex.getMessage(), rowsRead);
            ended(upload, "failed", rowsRead);
        } catch (InterruptedException ex) {
            stopped.set(true);
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error ex) {
            stopped.set(true);
            staging.adjust(upload, 0);
            if (Storage.isUnavailable(ex)) {
                LOG.warn("validating upload {} stopped: the database could not be reached: {}", upload.id, ex.getMessage());
                upload.fail(DATABASE_UNAVAILABLE, "the database could not be reached to look up registered NIDs;"
                        + " upload the workbook again in a moment", rowsRead);
                ended(upload, "failed", rowsRead);
                return;
            }
            String ref = UUID.randomUUID().toString();
            LOG.error("validating upload {} failed (ref {})", upload.id, ref, ex);
            upload.fail("upload.internal_error", "validation stopped on a server fault (ref " + ref + ")", rowsRead);
            ended(upload, "failed", rowsRead);
        }
    }

    private void ended(Upload upload, String outcome, long rowsRead) {
        events.validationEnded(outcome, rowsRead, Duration.ofNanos(System.nanoTime() - upload.startedNanos));
    }

    /** The one place where excel-ingest's refusals become problems: 413 for a too large file, else 400. */
    static ApiException problem(IngestException ex) {
        int status = IngestException.TOO_LARGE.equals(ex.code()) ? 413 : 400;
        Map<String, Object> extras = new HashMap<>(ex.details());
        return new ApiException(status, ex.code(), status == 413 ? "Payload Too Large" : "Bad Request",
                ex.getMessage(), extras, Map.of());
    }
}
