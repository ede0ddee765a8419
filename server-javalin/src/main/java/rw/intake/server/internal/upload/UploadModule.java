package rw.intake.server.internal.upload;

import com.github.benmanes.caffeine.cache.Ticker;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.excel.ReadLimits;
import rw.intake.excel.SheetReader;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.storage.CommitMode;
import rw.intake.storage.UserStore;
import rw.intake.validation.RecordValidator;

/**
 * The upload, review and commit part of the server: staging (in memory, or shared in Redis), background validation, and every route
 * under {@code /api/v1/uploads}, {@code /api/v1/users} and the legacy upload routes. Thread-safe; close it once.
 *
 * <pre>{@code
 * UploadModule uploads = UploadModule.create(config, storage.users());
 * Javalin app = Javalin.create(c -> uploads.routes(c.routes));
 * ...
 * uploads.close();
 * }</pre>
 */
public final class UploadModule implements AutoCloseable {

    /**
     * What the module needs of the server's configuration (see the server's {@code ServerConfig} for each setting's
     * variable and default).
     *
     * @param readLimits               the limits of one workbook
     * @param stagingMaxRecords        records staged at once over all uploads
     * @param stagingMaxRecordsPerUser records one user may have staged at once
     * @param stagingMaxUploadsPerUser uploads one user may have staged at once
     * @param stagingIdleExpiry        a staged upload not read for this long is dropped
     * @param validationThreads        uploads read and validated at once
     */
    public record Settings(
            ReadLimits readLimits,
            long stagingMaxRecords,
            long stagingMaxRecordsPerUser,
            int stagingMaxUploadsPerUser,
            Duration stagingIdleExpiry,
            int validationThreads,
            Redis redis) {
        /** Settings of the in-memory staging. */
        public Settings(
                ReadLimits readLimits,
                long stagingMaxRecords,
                long stagingMaxRecordsPerUser,
                int stagingMaxUploadsPerUser,
                Duration stagingIdleExpiry,
                int validationThreads) {
            this(
                    readLimits,
                    stagingMaxRecords,
                    stagingMaxRecordsPerUser,
                    stagingMaxUploadsPerUser,
                    stagingIdleExpiry,
                    validationThreads,
                    null);
        }
    }

    /**
     * The shared staging store: Redis at {@code url} ({@code redis://host:port/db}), its keys under {@code prefix}.
     *
     * @param allowPersistence start even if Redis writes to its disk (RDB snapshots or the append-only file)
     * @param lease            how long an upload's validation, edit or commit lock outlives its instance
     * @param cluster          {@code url} names seed nodes of a Redis Cluster ({@code redis://host1:port1,host2:port2})
     * @param cacheBytes       heap for the chunks read from Redis for pages (unpacked), kept while their upload's
     *                         version is unchanged
     */
    public record Redis(
            String url, String prefix, boolean allowPersistence, Duration lease, boolean cluster, long cacheBytes) {}

    private static final Logger LOG = LoggerFactory.getLogger(UploadModule.class);
    /** Records per page read back by {@link #rehearse}: the review page's. */
    private static final int PAGE = 50;
    /**
     * Where the rules' current year is the year (birth year, underage): Rwanda's, whatever the server's own time zone,
     * so that two instances, or a host on UTC, judge a list alike on the first hours of a year.
     */
    public static final ZoneId RULES_ZONE = ZoneId.of("Africa/Kigali");

    private final UploadService service;
    private final StagingStore staging;
    private final SheetReader reader;
    private final RecordValidator validator;
    private final UserStore users;
    private final ExecutorService readers;
    private final ExecutorService checkers;
    private final ExecutorService lookers;
    private final ExecutorService registrars;
    private final long maxBytes;
    private final long maxStagedRecords;
    private final Clock clock;
    private final ShutdownGate gate = new ShutdownGate();

    private UploadModule(Settings config, UserStore users, Ticker ticker, UploadEvents events, Clock clock) {
        this.staging = config.redis() == null
                ? new Staging(
                        config.stagingMaxRecords(),
                        config.stagingMaxRecordsPerUser(),
                        config.stagingMaxUploadsPerUser(),
                        config.stagingIdleExpiry(),
                        ticker)
                : new RedisStaging(
                        config.redis(),
                        config.stagingMaxRecords(),
                        config.stagingMaxRecordsPerUser(),
                        config.stagingMaxUploadsPerUser(),
                        config.stagingIdleExpiry(),
                        config.stagingMaxRecords());
        int threads = Math.max(1, config.validationThreads());
        this.readers = Executors.newFixedThreadPool(threads, threads("intake-read-"));
        this.checkers = Executors.newFixedThreadPool(threads, threads("intake-validate-"));
        this.lookers = Executors.newFixedThreadPool(threads, threads("intake-lookup-"));
        this.registrars = Executors.newFixedThreadPool(threads, threads("intake-register-"));
        this.maxBytes = config.readLimits().maxBytes();
        this.maxStagedRecords = config.stagingMaxRecords();
        this.reader = SheetReader.builder().limits(config.readLimits()).build();
        this.clock = clock;
        this.validator = RecordValidator.builder()
                .registeredNids(users)
                .clock(clock.withZone(RULES_ZONE))
                .build();
        this.users = users;
        this.service = new UploadService(
                reader, validator, users, staging, readers, checkers, lookers, registrars, clock, events, gate);
    }

    /**
     * The module with the system ticker. Starts {@code config.validationThreads()} reader threads and as many checker,
     * look-up and staging threads: each upload being validated has its sheet parsed on one, its rules applied on
     * another, its registered-NID look-ups made on the third (which waits for the database while the fourth stages the
     * records looked up before) and its records staged on the fourth.
     */
    public static UploadModule create(Settings config, UserStore users) {
        return create(config, users, Ticker.systemTicker());
    }

    /** As {@link #create(Settings, UserStore)}, with the ticker that times the idle expiry (tests advance it). */
    public static UploadModule create(Settings config, UserStore users, Ticker ticker) {
        return create(config, users, ticker, UploadEvents.NONE);
    }

    /** As {@link #create(Settings, UserStore, Ticker)}, telling {@code events} what happens to uploads. */
    public static UploadModule create(Settings config, UserStore users, Ticker ticker, UploadEvents events) {
        return create(config, users, ticker, events, Clock.systemUTC());
    }

    /**
     * As {@link #create(Settings, UserStore, Ticker, UploadEvents)}, with the clock of the uploads' times and of the
     * rules' current year (tests set it).
     */
    public static UploadModule create(
            Settings config, UserStore users, Ticker ticker, UploadEvents events, Clock clock) {
        return new UploadModule(
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(users, "users"),
                Objects.requireNonNull(ticker, "ticker"),
                Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The methods {@code path} allows when it is {@code .../records/exclude} (POST alone: Javalin's 405 for another
     * method would name those of {@code records/{row}} too, whose GET, HEAD and PATCH answer 405 themselves), else null.
     */
    public static String allowedOn(String path) {
        String[] parts = path.split("/", -1);
        return path.startsWith(UploadRoutes.BASE + "/")
                        && parts.length == 7
                        && "records".equals(parts[5])
                        && UploadRoutes.EXCLUDE.equals(parts[6])
                ? "POST"
                : null;
    }

    /** Registers every route of this module. */
    public void routes(JavalinDefaultRoutingApi routes) {
        UploadRoutes r = new UploadRoutes(service, maxBytes);
        // the pages first: Javalin tries a method's routes in the order they were added
        routes.get(UploadRoutes.BASE + "/{id}/records", r::records);
        routes.post(UploadRoutes.BASE, r::create);
        routes.get(UploadRoutes.BASE, r::list);
        routes.get(UploadRoutes.BASE + "/{id}", r::summary);
        routes.delete(UploadRoutes.BASE + "/{id}", r::delete);
        routes.post(UploadRoutes.BASE + "/{id}/records/" + UploadRoutes.EXCLUDE, r::exclude);
        routes.get(UploadRoutes.BASE + "/{id}/records/{row}", r::record);
        routes.patch(UploadRoutes.BASE + "/{id}/records/{row}", r::edit);
        routes.post(UploadRoutes.BASE + "/{id}/commit", r::commit);
        routes.get(UploadRoutes.BASE + "/{id}/commit-preview", r::commitPreview);
        ReportRoutes report = new ReportRoutes(service);
        routes.get(UploadRoutes.BASE + "/{id}/report.xlsx", report::xlsx);
        routes.get(UploadRoutes.BASE + "/{id}/report.csv", report::csv);
        routes.get("/api/v1/users", r::users);
        routes.get("/api/v1/commits", r::commits);
    }

    /**
     * Takes {@code workbook} through every step of an upload, off the routes: taken from a multipart body as the upload
     * route takes it, staged in a store of its own (in memory, never listed, counted or reserved in the budget), read,
     * validated and staged by this module's stages, read back page by page under each status filter as the records
     * route writes them, its records committed {@code commits} times in rolled-back transactions
     * ({@link UserStore#rehearse}: nothing is written), then dropped. The warm-up after start runs it, so that the first
     * upload, pages and commit find that code compiled.
     *
     * @return the rehearsed upload's summary once validated
     * @throws IllegalStateException if the workbook did not validate
     */
    public UploadSummary rehearse(byte[] workbook, int commits) {
        Principal caller = new Principal("intake-warmup", Principal.CLERK);
        try (Staging own = new Staging(Long.MAX_VALUE, Long.MAX_VALUE, 1, Duration.ofHours(1), Ticker.systemTicker())) {
            UploadService rehearsal = new UploadService(
                    reader,
                    validator,
                    users,
                    own,
                    readers,
                    checkers,
                    lookers,
                    registrars,
                    clock,
                    UploadEvents.NONE,
                    new ShutdownGate());
            String id = rehearsal.accept(caller, asPosted(workbook), null).id();
            rehearsal.awaitValidation(caller, id, Duration.ofMinutes(1));
            UploadSummary summary = rehearsal.summary(caller, id);
            if (!UploadStatus.VALIDATED.key().equals(summary.status())) {
                throw new IllegalStateException("the rehearsed upload ended " + summary.status());
            }
            UploadSummary.Totals totals = summary.totals();
            Map.of("all", totals.records(), "valid", totals.valid(), "invalid", totals.invalid())
                    .forEach((status, matches) -> {
                        RecordFilter filter = new RecordFilter(status, null, null);
                        for (int page = 1; (long) (page - 1) * PAGE < matches; page++) {
                            rehearsal.recordsJson(caller, id, filter, page, PAGE);
                        }
                    });
            for (int i = 0; i < commits; i++) {
                rehearsal.rehearseCommit(caller, id, CommitMode.ALL);
            }
            rehearsal.delete(caller, id);
            return summary;
        }
    }

    /**
     * {@code workbook} as the upload route takes it from a multipart body ({@link IncomingFile#part}), so that the
     * rehearsal also runs the parser over a body of a workbook's size.
     */
    private static IncomingFile asPosted(byte[] workbook) {
        String boundary = "intake-rehearsal-boundary";
        byte[] head = ("--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"warmup.xlsx\"\r\n"
                        + "Content-Type: " + IncomingFile.XLSX + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + workbook.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(workbook, 0, body, head.length, workbook.length);
        System.arraycopy(tail, 0, body, head.length + workbook.length, tail.length);
        return Objects.requireNonNull(
                IncomingFile.part(body, "multipart/form-data; boundary=" + boundary, "file"), "the rehearsal's part");
    }

    /** The largest upload accepted, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The service behind the routes (tests, benchmarks, embedding). */
    public UploadService service() {
        return service;
    }

    /** Records reserved in the staging budget now. */
    public long stagedRecordsReserved() {
        return service.reservedRecords();
    }

    /** Approximate heap held by every staged upload's records and indexes. */
    public long stagedBytes() {
        return staging.retainedBytes();
    }

    /** Whole uploads this instance read from the shared staging store (for edits, reports, commits); 0 in memory. */
    public long stagedUploadsRead() {
        return staging.uploadsRead();
    }

    /** Chunks of records this instance read from the shared staging store (for pages and records); 0 in memory. */
    public long stagedChunksRead() {
        return staging.chunksRead();
    }

    /** Reads from the shared staging store that met a newer version and read again from its meta; 0 in memory. */
    public long stagedNewerReads() {
        return staging.newerReads();
    }

    /** Uploads staged now. */
    public int stagedUploads() {
        return staging.size();
    }

    /** Bytes of uploaded files held in memory now ({@link BodyBudget}). */
    public long uploadBodiesHeld() {
        return service.bodies().held();
    }

    /** The most bytes of uploaded files held in memory at once. */
    public long uploadBodiesMax() {
        return service.bodies().capacity();
    }

    /** Approximate heap held by one staged upload's records and indexes; 0 if it is not staged. */
    public long stagedBytes(String uploadId) {
        return service.retainedBytes(uploadId);
    }

    /** Approximate heap held by one staged upload's edit state (made at its first edit); 0 if none. */
    public long editorBytes(String uploadId) {
        return service.editorBytes(uploadId);
    }

    /**
     * Stops taking uploads and commits (503 {@code server.shutting_down}) and stops the validations running, at once;
     * waits for the upload bodies still arriving to be read (and refused) and for the uploads let in before to be
     * staged or refused, and stops their validations too; logs the uploads that are lost with the process (staging is
     * in memory): those that were validating, and those validated and not committed; then waits for the commits
     * running, all within {@code grace}.
     *
     * @return whether every commit ended within the grace period
     */
    public boolean drain(Duration grace) {
        // closed before the line says so: an upload sent once the line is logged is refused
        gate.close();
        LOG.info("shutting down: no new uploads or commits; waiting up to {} s for running commits", grace.toSeconds());
        long deadline = System.nanoTime() + grace.toNanos();
        // at once: not run to their end, while a body still arriving holds the stop, to be lost then
        Set<String> stopped = new HashSet<>();
        stopValidations(stopped);
        // a body still arriving is read to its end, so that its client, still sending, gets the refusal
        int receiving = gate.awaitReceives(grace);
        if (receiving > 0) {
            LOG.warn("{} upload body(ies) still arriving after {} s are cut off", receiving, grace.toSeconds());
        }
        // the uploads let in before are staged (and stopped below) or refused first
        int accepting = gate.awaitAccepts(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (accepting > 0) {
            LOG.warn("{} upload(s) still being opened after {} s are lost", accepting, grace.toSeconds());
        }
        stopValidations(stopped);
        if (staging instanceof Staging) {
            for (UploadSummary u : service.list(new Principal("shutdown", Principal.ADMIN))) {
                if (UploadStatus.VALIDATED.key().equals(u.status())) {
                    LOG.warn(
                            "upload {} ({}, of {}) was validated and not committed and is lost",
                            u.id(),
                            u.fileName(),
                            u.owner());
                }
            }
        }
        int running = gate.awaitCommits(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (running > 0) {
            LOG.error(
                    "{} commit(s) still running after the grace period of {} s; they are cut off (cancelled, their"
                            + " database connections closed)",
                    running,
                    grace.toSeconds());
            return false;
        }
        return true;
    }

    /**
     * Stops the validations still running, each upload then {@code failed} with {@code upload.validation_lost}: a client
     * waiting for its end is told now that it failed, rather than that it is validated a moment before it is lost.
     */
    private void stopValidations(Set<String> stopped) {
        for (UploadSummary u : service.list(new Principal("shutdown", Principal.ADMIN))) {
            // once each: with Redis, an upload stopped may still read as validating while its end is written, and a
            // second stop would interrupt that write
            if (UploadStatus.VALIDATING.key().equals(u.status()) && stopped.add(u.id())) {
                LOG.warn(
                        "upload {} ({}, of {}) was still being validated and is lost; it must be uploaded again",
                        u.id(),
                        u.fileName(),
                        u.owner());
                service.stopValidation(
                        u.id(),
                        RedisStaging.VALIDATION_LOST,
                        "the server stopped before the validation ended; upload the workbook again");
            }
        }
    }

    /** Waits at most {@code wait} for the commits still running after {@link #drain}; the number left. */
    public int awaitCommits(Duration wait) {
        return gate.awaitCommits(wait);
    }

    /** Whether {@link #drain} has started. */
    public boolean shuttingDown() {
        return gate.isClosed();
    }

    /**
     * Why staging takes no upload now ({@code null} if it has room): every record of the budget is reserved by uploads
     * that are not committed or failed (a new upload releases those), or the shared store (Redis) cannot be reached.
     */
    public String stagingFull() {
        long held;
        try {
            long reserved = service.reservedRecords();
            // committed and failed uploads give their room to a new upload that needs it
            held = reserved < maxStagedRecords ? reserved : reserved - service.releasableRecords();
        } catch (ApiException ex) {
            if (RedisStaging.UNAVAILABLE.equals(ex.code())) {
                return "unavailable";
            }
            throw ex;
        }
        return held < maxStagedRecords ? null : "full: " + held + " of " + maxStagedRecords + " records reserved";
    }

    /** Stops validation and drops every staged upload. */
    @Override
    public void close() {
        readers.shutdownNow();
        checkers.shutdownNow();
        lookers.shutdownNow();
        registrars.shutdownNow();
        staging.close();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
