package rw.intake.server.internal.upload;

import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.excel.IngestException;
import rw.intake.excel.SheetReader;
import rw.intake.excel.SheetRecords;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.server.internal.pipeline.Pipeline;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.CommittedUpload;
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
    /** Chunks waiting between two stages at most. */
    private static final int QUEUED_CHUNKS = 8;
    /** The code of a request, or of an upload's failure, that needed the database while it could not be reached. */
    public static final String DATABASE_UNAVAILABLE = "database.unavailable";

    /** Throws when the database cannot be reached ({@link Storage#isUnavailable}); asked before an upload is read. */
    private volatile Runnable databaseCheck = () -> {};
    /** The longest wait for the end of a validation a summary request may ask for ({@code wait}, in seconds). */
    public static final int MAX_WAIT_SECONDS = 20;
    /** How often a summary request that waits looks again at an upload validating on another instance. */
    static final Duration ELSEWHERE_POLL = Duration.ofMillis(50);

    private final SheetReader reader;
    /** The bytes of uploaded files held in memory at once. */
    private final BodyBudget bodies;

    private final RecordValidator validator;
    private final UserStore users;
    private final StagingStore staging;
    private final ExecutorService readers;
    private final ExecutorService checkers;
    private final ExecutorService lookers;
    private final ExecutorService registrars;
    private final Clock clock;
    private final long maxRows;
    private final UploadEvents events;
    private final ShutdownGate gate;

    UploadService(
            SheetReader reader,
            RecordValidator validator,
            UserStore users,
            StagingStore staging,
            ExecutorService readers,
            ExecutorService checkers,
            ExecutorService lookers,
            ExecutorService registrars,
            Clock clock,
            UploadEvents events,
            ShutdownGate gate) {
        this.reader = reader;
        this.bodies = BodyBudget.forHeap(reader.limits().maxBytes());
        this.validator = validator;
        this.users = users;
        this.staging = staging;
        this.readers = readers;
        this.checkers = checkers;
        this.lookers = lookers;
        this.registrars = registrars;
        this.clock = clock;
        this.maxRows = reader.limits().maxRows();
        this.events = events;
        this.gate = gate;
    }

    /** The budget of uploaded files held in memory. */
    BodyBudget bodies() {
        return bodies;
    }

    /**
     * Receives the file of an upload request and accepts it ({@link #receive}, {@link #accept}), its bytes counted among
     * the bodies held in memory ({@link BodyBudget}) from before the first is read until its sheet has been read.
     *
     * @throws ApiException as {@link #receive} and {@link #accept}; 503 {@code staging.full} when other files hold too
     *                      much memory, once the body has been read and dropped
     */
    public UploadSummary upload(Context ctx, Principal caller, String partName, long maxBytes, String sheet) {
        try {
            // validation asks the database (the registered NIDs): with it away, the upload would only fail later
            databaseCheck.run();
        } catch (RuntimeException ex) {
            if (!Storage.isUnavailable(ex)) {
                throw ex;
            }
            events.refused(DATABASE_UNAVAILABLE);
            throw RequestBodies.afterDraining(ctx, maxBytes, ApiException.databaseUnavailable());
        }
        long declared = ctx.req().getContentLengthLong();
        BodyBudget.Hold hold;
        try {
            hold = bodies.take(
                    declared < 0 ? maxBytes : Math.min(declared, maxBytes + IncomingFile.MULTIPART_OVERHEAD));
        } catch (ApiException full) {
            events.refused(full.code());
            throw RequestBodies.afterDraining(ctx, maxBytes, full);
        }
        try {
            return stageReceived(caller, receive(ctx, partName, maxBytes), sheet, hold::close);
        } catch (RuntimeException | Error ex) {
            hold.close();
            throw ex;
        }
    }

    /**
     * Reads the file of an upload request (part {@code partName} of a multipart body, or the raw body). Shutdown waits
     * for the bodies arriving ({@link UploadModule#drain}): one still arriving when it starts is read to its end and
     * refused then (503 {@code server.shutting_down}, by {@link #accept}), since a client still sending would lose an
     * answer sent before its body was read. A body that could not be read to its end once the server is shutting down
     * (cut short by the stop, or stalled) is refused so too, so that the client sends it again, not with a 400 or 408
     * that blames it.
     */
    public IncomingFile receive(Context ctx, String partName, long maxBytes) {
        gate.receiveStarted();
        try {
            return IncomingFile.read(ctx, partName, maxBytes);
        } catch (ApiException ex) {
            if ((RequestBodies.UNREADABLE.equals(ex.code()) || RequestBodies.TOO_SLOW.equals(ex.code()))
                    && gate.isClosed()) {
                throw ShutdownGate.refusal("uploads");
            }
            throw ex;
        } finally {
            gate.receiveEnded();
        }
    }

    /**
     * Checks the workbook's structure, stages it and starts validating it.
     *
     * @param sheet the sheet to read, or null for the first
     * @throws ApiException 400/413 with the {@code file.*} code of a refused workbook (nothing staged), 503
     *                      {@code staging.full}, 503 {@code server.shutting_down}
     */
    public UploadSummary accept(Principal caller, IncomingFile file, String sheet) {
        return stageReceived(caller, file, sheet, () -> {});
    }

    /** {@link #accept}; {@code read} is run once the sheet has been read to its end (or its reading failed). */
    private UploadSummary stageReceived(Principal caller, IncomingFile file, String sheet, Runnable read) {
        try {
            gate.acceptStarted();
            try {
                UploadSummary accepted = stage(caller, file, sheet, read);
                events.accepted();
                return accepted;
            } finally {
                gate.acceptEnded();
            }
        } catch (ApiException ex) {
            events.refused(ex.code());
            throw ex;
        }
    }

    private UploadSummary stage(Principal caller, IncomingFile file, String sheet, Runnable read) {
        SheetRecords opened = open(file, sheet);
        boolean handedOver = false;
        try {
            // the rows counted before reading; for a sheet read once, what it says of itself (its dimension), which
            // reading corrects (a sheet that holds more takes more as its records are staged, up to the most one
            // upload may stage)
            long expected = opened.maxDataRows() >= 0 ? opened.maxDataRows() : opened.expectedDataRows();
            long most = staging.mostRecordsPerUpload();
            // a sheet that says nothing of its rows reserves what one upload may hold at most, and more as it is read
            long rows = expected < 0 ? Math.min(maxRows, most) : Math.min(maxRows, expected);
            boolean counted = false;
            if (rows > most || opened.maxDataRows() > maxRows) {
                // a count made before reading is a bound (blank rows after the last record among them): the sheet is
                // read to count its records (past the row limit, refused as file.too_many_rows before the 202), and
                // opened again if they fit
                long records = records(opened);
                if (records > most) {
                    throw tooLargeToStage(records, most);
                }
                opened = open(file, sheet);
                rows = records;
                counted = true;
            }
            Upload upload = newUpload(caller, file, opened, rows);
            try {
                staging.admit(upload, rows);
            } catch (ApiException full) {
                // the budget is short of the bound (a sheet formatted far below its last record, a CSV file with
                // lines of separators below it): its records themselves may fit, counted as above
                if (counted || !Staging.FULL.equals(full.code())) {
                    throw full;
                }
                long records = records(opened);
                if (records >= rows) {
                    throw full;
                }
                opened = open(file, sheet);
                upload = newUpload(caller, file, opened, records);
                staging.admit(upload, records);
            }
            handedOver = true; // the validation closes the sheet, even one whose stages cannot start
            validate(upload, opened, read);
            return upload.summary();
        } finally {
            if (!handedOver) {
                opened.close();
            }
        }
    }

    private Upload newUpload(Principal caller, IncomingFile file, SheetRecords opened, long rows) {
        return new Upload(
                UploadIds.next(),
                caller.username(),
                file.fileName(),
                clock.instant(),
                opened.header().ignoredColumns(),
                opened.header().fieldHeaders(),
                opened.header().sheetName(),
                opened.header().row(),
                opened.otherLists(),
                rows);
    }

    private SheetRecords open(IncomingFile file, String sheet) {
        try {
            // as given: the reader matches the exact name first (" Data" beside "Data"), then ignoring case and outer
            // spaces
            return reader.open(file.bytes(), sheet == null || sheet.isBlank() ? null : sheet);
        } catch (IngestException ex) {
            throw problem(ex);
        }
    }

    /**
     * The sheet's records, read to its end; closes it.
     *
     * @throws ApiException the problem of a fault found while reading
     */
    private static long records(SheetRecords sheet) {
        try (sheet;
                Stream<RawRecord> records = sheet.records()) {
            return records.count();
        } catch (IngestException ex) {
            throw problem(ex);
        }
    }

    /**
     * An upload of more rows than the staging budget can ever hold (a budget configured below the row limit): waiting
     * cannot help, so it is the file's problem, as more rows than the row limit are.
     */
    private static ApiException tooLargeToStage(long rows, long most) {
        return new ApiException(
                413,
                "file.too_many_rows",
                "Content Too Large",
                String.format(
                        Locale.ROOT,
                        "The sheet has %,d records, more than the %,d one upload may stage on this server (its"
                                + " staging budget). Split the list into smaller files.",
                        rows,
                        most),
                Map.of("limit", most, "limitName", "maxRecordsPerUpload", "needed", rows),
                Map.of());
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
            out.add(shown(u.id, u.summary()));
        }
        return out;
    }

    public UploadSummary summary(Principal caller, String id) {
        return shown(id, view(caller, id).summary());
    }

    /** The summary as a client is shown it: {@code committing} while another instance commits the upload. */
    private UploadSummary shown(String id, UploadSummary s) {
        return UploadStatus.VALIDATED.key().equals(s.status()) && staging.committingElsewhere(id)
                ? s.withStatus(UploadStatus.COMMITTING.key())
                : s;
    }

    /**
     * The summary as soon as the upload is no longer validating, or once {@code wait} has passed (then still
     * validating): a client learns of the end in one request, when it happens, instead of polling. An upload
     * validating on another instance (shared staging) is looked at again every {@link #ELSEWHERE_POLL}, as its end is
     * not signalled here. Completes at once for an upload that is not validating; with 404 {@code upload.not_found} when the
     * upload is deleted meanwhile.
     *
     * @throws ApiException 404 {@code upload.not_found}
     */
    public CompletableFuture<UploadSummary> summaryWhenSettled(Principal caller, String id, Duration wait) {
        ReadableUpload r = view(caller, id);
        // a view of a shared store's upload is one already validated
        if (wait.isZero() || !(r instanceof Upload u) || u.visible().isDone()) {
            return CompletableFuture.completedFuture(shown(id, r.summary()));
        }
        if (!u.settlesHere()) {
            return settledElsewhere(caller, id, System.nanoTime() + wait.toNanos());
        }
        // a copy: completing the wait at its timeout must not settle the upload
        return u.visible()
                .copy()
                .handle((status, failure) -> Boolean.TRUE)
                .completeOnTimeout(Boolean.FALSE, wait.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ended -> summary(caller, id));
    }

    /**
     * An upload validating on another instance: its summary read again every {@link #ELSEWHERE_POLL} (one read of the
     * shared store, no thread held in between) until it is no longer validating or the deadline
     * ({@link System#nanoTime}) has passed.
     */
    private CompletableFuture<UploadSummary> settledElsewhere(Principal caller, String id, long deadline) {
        return CompletableFuture.supplyAsync(
                        () -> summary(caller, id),
                        CompletableFuture.delayedExecutor(ELSEWHERE_POLL.toMillis(), TimeUnit.MILLISECONDS))
                .thenCompose(s -> !UploadStatus.VALIDATING.key().equals(s.status()) || System.nanoTime() - deadline >= 0
                        ? CompletableFuture.completedFuture(s)
                        : settledElsewhere(caller, id, deadline));
    }

    /**
     * A page of an upload's records in row order.
     *
     * @throws ApiException 409 {@code upload.not_ready} (with Retry-After) while validating, 409 {@code upload.failed}
     */
    public Page<ValidatedRecord> records(Principal caller, String id, RecordFilter filter, int page, int size) {
        return view(caller, id).page(filter, page, size);
    }

    /**
     * As {@link #records}, as the JSON document of the records route (written without rebuilding the records), valid
     * until this thread writes its next page ({@link PageJson}).
     */
    public PageJson recordsJson(Principal caller, String id, RecordFilter filter, int page, int size) {
        return view(caller, id).pageJson(filter, page, size);
    }

    /**
     * Commits the upload's records in one transaction. Records that became conflicts (a NID another commit registered
     * since validation) are staged again as committed, so pages, filters and totals agree with the database.
     *
     * A commit that fails (the database went away) leaves the upload validated, to be committed again. Once the
     * server is shutting down no commit starts; running ones are waited for ({@link UploadModule#drain}), counted from
     * the request on: finding the upload can take long on a shared store, which reads it whole.
     *
     * @throws ApiException 409 {@code upload.already_committed}, {@code upload.committing} (another commit of it runs),
     *                      {@code upload.not_ready}, {@code upload.failed}; 503 {@code server.shutting_down}
     */
    public CommitResult commit(Principal caller, String id, CommitMode mode) {
        gate.commitStarted();
        try {
            return staging.commit(toCommit(caller, id), u -> commit(u, id, mode));
        } finally {
            gate.commitEnded();
        }
    }

    private CommitResult commit(Upload upload, String id, CommitMode mode) {
        upload.beginCommit();
        CommitResult result = null;
        CommitResult found = null;
        long started = System.nanoTime();
        try {
            IntList conflictRows = new IntList(0);
            result = users.commit(request(upload, mode), upload.recordsToCommit(), conflictRows::add);
            upload.applyConflicts(conflictRows.toArray());
            return result;
        } catch (UploadAlreadyCommittedException ex) {
            found = committedBefore(id);
            throw ApiException.conflict("upload.already_committed", "upload " + id + " is already committed");
        } finally {
            upload.endCommit(result != null ? result : found);
            events.commitEnded(
                    result == null ? "failed" : "committed",
                    result == null ? 0 : result.committed(),
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * What the database holds of an earlier commit of the upload, which this process took for failed: its answer was
     * lost (the database went away at its {@code COMMIT}, and made it). The upload then shows it committed, with the
     * database's figures; its records keep their verdicts as of before that commit (a conflict it found is in the
     * database only). Null if it cannot be read now.
     */
    private CommitResult committedBefore(String id) {
        try {
            return users.commitOf(id)
                    .map(c -> new CommitResult(id, c.committed(), c.skipped(), c.conflicts(), c.committedAt()))
                    .orElse(null);
        } catch (RuntimeException ex) {
            LOG.warn("upload {} is committed, but its commit could not be read: {}", id, ex.getMessage());
            return null;
        }
    }

    /**
     * Every step of the upload's commit, as {@link #commit} takes them, then a rollback: nothing is written and the
     * upload stays as it is ({@link UserStore#rehearse}; the warm-up's). Returns the records the commit would save.
     */
    long rehearseCommit(Principal caller, String id, CommitMode mode) {
        Upload upload = find(caller, id);
        return users.rehearse(request(upload, mode), upload.recordsToCommit());
    }

    /**
     * What {@link #commit} would answer now in either mode, nothing written: the records it would save, skip and find
     * in conflict (their NID registered by another commit since validation). One pass over the records to commit, the
     * database asked only about the NIDs that the registered-NID filter cannot rule out ({@link
     * UserStore#registeredRecords}). Refused as the commit would refuse.
     *
     * @throws ApiException 404 {@code upload.not_found}; 409 {@code upload.not_ready}, {@code upload.failed},
     *                      {@code upload.already_committed}; 503 {@code server.shutting_down}
     */
    public Views.CommitPreview commitPreview(Principal caller, String id) {
        gate.checkOpen("commits");
        Upload upload = toCommit(caller, id);
        if (upload.status() == UploadStatus.COMMITTING || staging.committingElsewhere(id)) {
            throw Upload.commitUnderWay(id);
        }
        upload.requireEditable();
        if (users.isCommitted(id)) {
            throw ApiException.conflict("upload.already_committed", "upload " + id + " is already committed");
        }
        Iterable<ValidatedRecord> records = upload.recordsToCommit();
        BitSet valid = new BitSet();
        int[] seen = {0};
        BitSet registered = users.registeredRecords(() -> {
            Iterator<ValidatedRecord> it = records.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public ValidatedRecord next() {
                    ValidatedRecord r = it.next();
                    valid.set(seen[0]++, r.valid());
                    return r;
                }
            };
        });
        long total = seen[0];
        long excluded = upload.excludedCount();
        long conflicts = registered.cardinality();
        valid.andNot(registered);
        long savedValid = valid.cardinality();
        return new Views.CommitPreview(
                id,
                new Views.CommitCounts(total, excluded, conflicts),
                new Views.CommitCounts(savedValid, total - savedValid + excluded, conflicts));
    }

    private static CommitRequest request(Upload upload, CommitMode mode) {
        UploadSummary.Totals t = upload.summary().totals();
        return new CommitRequest(
                upload.id,
                upload.owner,
                upload.fileName,
                mode,
                new UploadTotals(t.records(), t.valid(), t.invalid(), t.withWarnings(), t.blankRows()),
                upload.excludedCount(),
                upload.history(),
                upload.sheet);
    }

    /**
     * Edits one staged record (any of its five raw values, and whether it is left out of the commit) and judges again
     * every record whose verdict that changes; the change is remembered with the caller's name.
     *
     * @param values the new raw values by field (absent: unchanged)
     * @param exclude whether to leave the record out, or null for unchanged
     * @param ifMatch null, or an {@code If-Match} header's value: the record's tag must be one of it
     * @throws ApiException 404 {@code record.not_found}; 409 {@code upload.not_ready}, {@code upload.failed},
     *                      {@code upload.already_committed}; 412 {@code record.changed}
     */
    Upload.Edited edit(
            Principal caller, String id, int row, Map<Field, String> values, Boolean exclude, String ifMatch) {
        return staging.edit(
                find(caller, id),
                u -> u.edit(row, values, exclude, ifMatch, caller.username(), clock.instant(), validator));
    }

    /**
     * Leaves every record the filter matches out of the commit (or puts it back).
     *
     * @param leftOutAt when putting back, null, or the {@code at} of a leave-out: only the records it left out
     * @return how many records matched, how many of them changed, and the time of the edits
     * @throws ApiException 409 as {@link #edit}
     */
    Views.Excluded exclude(Principal caller, String id, RecordFilter filter, boolean exclude, Instant leftOutAt) {
        return staging.edit(
                find(caller, id),
                u -> u.exclude(filter, exclude, leftOutAt, caller.username(), clock.instant(), validator));
    }

    /**
     * One staged record with its history.
     *
     * @throws ApiException 404 {@code record.not_found}; 409 {@code upload.not_ready}, {@code upload.failed}
     */
    Upload.Detail record(Principal caller, String id, int row) {
        return view(caller, id).record(row);
    }

    /**
     * The upload's error report, over the records it stages now but those left out ({@code invalidOnly}: those with
     * an error, and the records they name).
     *
     * @throws ApiException 404 {@code upload.not_found}, 409 {@code upload.not_ready} (with Retry-After) while
     *                      validating, 409 {@code upload.failed}
     */
    ErrorReport report(Principal caller, String id, boolean invalidOnly) {
        Upload upload = find(caller, id);
        // the records left out are not in it: uploaded again, they would take part in the duplicate rules
        return new ErrorReport(
                upload.fileName,
                upload.otherLists.isEmpty() ? null : upload.sheet,
                upload.fieldHeaders,
                upload.recordsToCommit(),
                invalidOnly ? upload::recordsNamingRows : null);
    }

    /** Keeps the upload from expiring while the hold is open (a report of it streams). */
    StagingStore.Hold hold(String id) {
        return staging.hold(id);
    }

    /** Drops the upload from staging. */
    public void delete(Principal caller, String id) {
        view(caller, id);
        staging.remove(id);
    }

    /**
     * Stops the validation of upload {@code id} if it runs on this instance: the upload then fails with {@code code}
     * and {@code detail} (a client waiting for its end is answered so), rather than ending validated.
     */
    public void stopValidation(String id, String code, String detail) {
        Upload u = staging.get(id);
        if (u != null) {
            u.stopValidation(code, detail);
        }
    }

    /** Sets what {@link #upload} asks first, to refuse an upload while the database cannot be reached. */
    public void databaseCheck(Runnable check) {
        databaseCheck = check;
    }

    /**
     * The id of the caller's most recent upload (legacy routes): the last one admitted, staged or not. One released
     * since (deleted, expired, dropped once committed) is not stood in for by an older one: the routes then answer
     * for it (404 {@code upload.not_found}; a commit 409 {@code upload.already_committed} if it was committed), as
     * committing an older list in its place could not be undone. The last one staged if none is known to have been
     * admitted (a shared store's record of it lost).
     */
    public String latest(Principal caller) {
        String id = staging.latestOf(caller.username());
        if (id != null) {
            return id;
        }
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

    /**
     * Waits at most {@code timeout} for the upload's validation to end (legacy clients expect records at once), as
     * {@link #summaryWhenSettled} does: on any instance, without reading the records.
     */
    public void awaitValidation(Principal caller, String id, Duration timeout) {
        try {
            summaryWhenSettled(caller, id, timeout).get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new IllegalStateException(ex.getCause());
        }
    }

    /** Committed users; a clerk sees only the users of its own uploads. */
    public Page<CommittedUser> users(Principal caller, int page, int size, String uploadId, Boolean valid) {
        return users.users(new UserQuery(page, size, uploadId, valid, caller.isAdmin() ? null : caller.username()));
    }

    /** Committed uploads, the last committed first; a clerk sees only its own. */
    public Page<CommittedUpload> commits(Principal caller, int page, int size) {
        return users.commits(page, size, caller.isAdmin() ? null : caller.username());
    }

    /** Staging introspection for tests and benchmarks: records reserved and heap held by one upload. */
    long reservedRecords() {
        return staging.reservedRecords();
    }

    /** Records reserved by committed and failed uploads, which a new upload releases when it needs their room. */
    long releasableRecords() {
        return staging.releasableRecords();
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
        return seen(caller, id, id == null ? null : staged(caller, id));
    }

    /**
     * Upload {@code id} from staging, or null. One staged in a format this instance does not read (a shared store's,
     * written by another version) is refused as such (503) to its owner or an admin only; to anyone else it is 404, as
     * any upload of another's.
     */
    private Upload staged(Principal caller, String id) {
        try {
            return staging.get(id);
        } catch (ApiException e) {
            if (e.extras().containsKey("formatUnknown")) {
                view(caller, id);
            }
            throw e;
        }
    }

    /** {@code u}, staged as upload {@code id}, if the caller may see it; else 404 {@code upload.not_found}. */
    private static Upload seen(Principal caller, String id, Upload u) {
        if (u == null || !caller.maySee(u.owner)) {
            throw ApiException.notFound("upload.not_found", "no upload " + id);
        }
        return u;
    }

    /**
     * As {@link #find}; an upload no longer staged that was committed (released since: dropped for room, deleted,
     * expired) is 409 {@code upload.already_committed}, as while it was staged.
     */
    private Upload toCommit(Principal caller, String id) {
        Upload u = id == null ? null : staged(caller, id);
        if (u == null && id != null) {
            users.commitOf(id).filter(c -> caller.maySee(c.owner())).ifPresent(c -> {
                throw ApiException.conflict(
                        "upload.already_committed", "upload " + id + " was committed at " + c.committedAt());
            });
        }
        return seen(caller, id, u);
    }

    /** As {@link #find}, for the read-only routes (a shared store reads only what they cover). */
    private ReadableUpload view(Principal caller, String id) {
        ReadableUpload u = id == null ? null : staging.read(id);
        if (u == null || !caller.maySee(u.owner())) {
            throw ApiException.notFound("upload.not_found", "no upload " + id);
        }
        return u;
    }

    /**
     * A run of records handed from one stage to the next, with the reader's counters after it; once cross-checked, with
     * the records' duplicate keys ({@link BatchValidator#crossCheckAll(List, long[])}: three a record), which staging
     * keeps ({@link DuplicateKeys}); null before.
     */
    // a carrier between two stages, never compared or hashed: the keys array is handed on, not copied
    @SuppressWarnings("ArrayRecordComponent")
    private record Chunk<T>(List<T> records, long[] keys, long rowsRead, long blankRows) {}

    /**
     * Validates the sheet in four stages, each on a thread of its own pool, handing chunks on through short queues
     * ({@link Pipeline}), so that parsing the XML, applying the rules, the database look-ups and staging overlap: the
     * reader ({@code readers}), the field and cross-row rules in row order ({@code checkers}), the registered-NID
     * look-ups ({@code lookers}), then staging ({@code registrars}), which reports the outcome. A failure of any stage
     * stops the others and fails the upload; releasing the upload (deleted, expired, evicted) cancels the stages, as
     * does the executors' shutdown. The sheet is closed once no stage runs.
     */
    private void validate(Upload upload, SheetRecords sheet, Runnable read) {
        Validation run = new Validation(upload, sheet);
        Pipeline stages = Pipeline.from(readers, run::read)
                .then(checkers, QUEUED_CHUNKS, run::check)
                .then(lookers, QUEUED_CHUNKS, run::lookUp)
                .to(registrars, QUEUED_CHUNKS, run::register, run::finish);
        // the callbacks below report their own outcome (run.failed, stages.cancel): nothing waits on their futures
        var unusedClose = stages.done().whenComplete((ok, failure) -> {
            sheet.close();
            read.run();
            if (failure != null) {
                run.failed(
                        failure instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : failure);
            }
        });
        var unusedCancel = upload.settled().thenRun(() -> {
            if (upload.released()) {
                stages.cancel();
            }
        });
        upload.onStopValidation(stages::cancel);
        stages.start();
    }

    /** One upload's validation: its stages, and the rows read where a stage failed. */
    private final class Validation {
        private final Upload upload;
        private final SheetRecords sheet;
        /** Its duplicate index sized up front from the rows the sheet's XML holds, when known (not for CSV). */
        private final BatchValidator checks;

        private final BatchValidator lookups = validator.newBatch();
        /** The counters of the last chunk staged (registering thread). */
        private long rowsRead;

        private long blankRows;
        /** The rows read when the first stage to fail met its fault (the progress its failure reports). */
        private final AtomicLong faultRows = new AtomicLong(-1);

        Validation(Upload upload, SheetRecords sheet) {
            this.upload = upload;
            this.sheet = sheet;
            this.checks = validator.newBatch((int) Math.max(0, Math.min(maxRows, sheet.expectedDataRows())));
        }

        /** Reads the sheet into chunks; a fault of the file ends the pipeline. */
        void read(Pipeline.Downstream<Chunk<RawRecord>> out) throws InterruptedException {
            try (Stream<RawRecord> stream = sheet.records()) {
                List<RawRecord> chunk = new ArrayList<>(CHUNK);
                Iterator<RawRecord> it = stream.iterator();
                while (it.hasNext()) {
                    chunk.add(it.next());
                    if (chunk.size() == CHUNK) {
                        out.put(new Chunk<>(chunk, null, sheet.rowsRead(), sheet.blankRows()));
                        chunk = new ArrayList<>(CHUNK);
                    }
                }
                out.put(new Chunk<>(chunk, null, sheet.rowsRead(), sheet.blankRows()));
            } catch (RuntimeException | Error ex) {
                faultRows.compareAndSet(-1, sheet.rowsRead());
                throw ex;
            } finally {
                sheet.close();
            }
        }

        /** Field rules and cross-row rules in row order. */
        void check(Chunk<RawRecord> c, Pipeline.Downstream<Chunk<ValidatedRecord>> out) throws InterruptedException {
            List<ValidatedRecord> done;
            long[] keys = new long[3 * c.records().size()];
            try {
                List<ValidatedRecord> fieldChecked = new ArrayList<>(c.records().size());
                for (RawRecord r : c.records()) {
                    fieldChecked.add(validator.validate(r));
                }
                done = checks.crossCheckAll(fieldChecked, keys);
            } catch (RuntimeException | Error ex) {
                faultRows.compareAndSet(-1, c.rowsRead());
                throw ex;
            }
            out.put(new Chunk<>(done, keys, c.rowsRead(), c.blankRows()));
        }

        /** Registered NIDs by chunk (waiting for the database while the chunks before are staged). */
        void lookUp(Chunk<ValidatedRecord> c, Pipeline.Downstream<Chunk<ValidatedRecord>> out)
                throws InterruptedException {
            List<ValidatedRecord> marked;
            try {
                marked = c.records().isEmpty() ? c.records() : lookups.markRegistered(c.records());
            } catch (RuntimeException | Error ex) {
                faultRows.compareAndSet(-1, c.rowsRead());
                throw ex;
            }
            // marking a NID registered changes none of the record's duplicate keys
            out.put(new Chunk<>(marked, c.keys(), c.rowsRead(), c.blankRows()));
        }

        /** The records are staged. */
        void register(Chunk<ValidatedRecord> c) {
            rowsRead = c.rowsRead();
            blankRows = c.blankRows();
            try {
                if (!c.records().isEmpty()) {
                    upload.append(c.records(), c.keys(), c.rowsRead(), c.blankRows());
                }
                long most = staging.mostRecordsPerUpload();
                if (upload.recordCount() > most) {
                    // a sheet that holds more rows than it declared (its dimension) cannot pass the budget either
                    throw new IngestException(
                            IngestException.TOO_MANY_ROWS,
                            String.format(
                                    Locale.ROOT,
                                    "The sheet holds more records than the %,d one upload may stage on this server (its"
                                            + " staging budget), more than it declared. Split the list into smaller"
                                            + " files.",
                                    most),
                            Map.of("limit", most, "limitName", "maxRecordsPerUpload"));
                }
                // the rows still to read are at most those counted before reading less the records read: rowsRead
                // also counts the blank rows a workbook does not write, which the count before reading leaves out
                staging.adjust(upload, Math.max(upload.recordCount(), upload.maxDataRows));
            } catch (RuntimeException | Error ex) {
                faultRows.compareAndSet(-1, c.rowsRead());
                throw ex;
            }
        }

        /** The end of the pipeline: the upload is validated. */
        void finish() {
            try {
                staging.adjust(upload, upload.recordCount());
                upload.finish(rowsRead, blankRows, sheet.ignoredColumns());
                ended(upload, "validated", rowsRead);
            } catch (RuntimeException | Error ex) {
                faultRows.compareAndSet(-1, rowsRead);
                throw ex;
            }
        }

        /**
         * Reports the first failure of a stage, once every stage has ended; a cancelled or interrupted one is not,
         * unless the validation was stopped ({@link Upload#stopValidation}), which fails the upload with its reason.
         */
        void failed(Throwable failure) {
            // stopped on purpose (the server shutting down): failed with the reason, whatever the stages met
            UploadSummary.Failure stopped = upload.released() ? null : upload.stopped();
            if (stopped == null
                    && (failure instanceof CancellationException || failure instanceof InterruptedException)) {
                return;
            }
            long fault = faultRows.get();
            long rowsRead = fault >= 0 ? fault : (stopped != null ? this.rowsRead : 0);
            try {
                staging.adjust(upload, 0);
            } catch (RuntimeException ex) {
                // the store that failed the validation (Redis) can fail this too: the upload fails all the same, and
                // its reservation goes with it when it is dropped
                LOG.warn("upload {}: its reservation could not be released: {}", upload.id, ex.getMessage());
            }
            if (stopped != null) {
                upload.fail(stopped.code(), stopped.detail(), rowsRead);
                ended(upload, "failed", rowsRead);
                return;
            }
            if (failure instanceof IngestException ex) {
                upload.fail(ex.code(), ex.getMessage(), rowsRead);
                ended(upload, "failed", rowsRead);
                return;
            }
            if (Storage.isUnavailable(failure)) {
                LOG.warn(
                        "validating upload {} stopped: the database could not be reached: {}",
                        upload.id,
                        failure.getMessage());
                upload.fail(
                        DATABASE_UNAVAILABLE,
                        "the database could not be reached to look up registered NIDs;"
                                + " upload the workbook again in a moment",
                        rowsRead);
                ended(upload, "failed", rowsRead);
                return;
            }
            if (failure instanceof ApiException ex && ex.status() == 503) {
                // a service the staging needs is out of reach (Redis): the upload fails with its code, as one whose
                // database could not be reached does
                LOG.warn("validating upload {} stopped: {}", upload.id, ex.detail());
                upload.fail(ex.code(), ex.detail() + "; upload the workbook again in a moment", rowsRead);
                ended(upload, "failed", rowsRead);
                return;
            }
            String ref = UUID.randomUUID().toString();
            LOG.error("validating upload {} failed (ref {})", upload.id, ref, failure);
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
        return new ApiException(
                status,
                ex.code(),
                status == 413 ? "Content Too Large" : "Bad Request",
                ex.getMessage(),
                extras,
                Map.of());
    }
}
