package rw.intake.server.upload;

import com.github.benmanes.caffeine.cache.Ticker;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import rw.intake.excel.SheetReader;
import rw.intake.server.ServerConfig;
import rw.intake.server.legacy.LegacyRoutes;
import rw.intake.storage.UserStore;
import rw.intake.validation.RecordValidator;

/**
 * The upload, review and commit part of the server: in-memory staging, background validation, and every route
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
    private final UploadService service;
    private final Staging staging;
    private final ExecutorService readers;
    private final ExecutorService checkers;
    private final ExecutorService registrars;
    private final long maxBytes;

    private UploadModule(ServerConfig config, UserStore users, Ticker ticker) {
        this.staging = new Staging(config.stagingMaxRecords(), config.stagingMaxUploadsPerUser(),
                config.stagingIdleExpiry(), ticker);
        int threads = Math.max(1, config.validationThreads());
        this.readers = Executors.newFixedThreadPool(threads, threads("intake-read-"));
        this.checkers = Executors.newFixedThreadPool(threads, threads("intake-validate-"));
        this.registrars = Executors.newFixedThreadPool(threads, threads("intake-register-"));
        this.maxBytes = config.readLimits().maxBytes();
        SheetReader reader = SheetReader.builder().limits(config.readLimits()).build();
        RecordValidator validator = RecordValidator.builder().registeredNids(users).build();
        this.service = new UploadService(reader, validator, users, staging, readers, checkers, registrars,
                Clock.systemUTC());
    }

    /**
     * The module with the system ticker. Starts {@code config.validationThreads()} reader threads and as many checker
     * and registering threads: each upload being validated has its sheet parsed on one, its rules applied on another
     * and its registered-NID look-ups and staging done on the third.
     */
    public static UploadModule create(ServerConfig config, UserStore users) {
        return create(config, users, Ticker.systemTicker());
    }

    /** As {@link #create(ServerConfig, UserStore)}, with the ticker that times the idle expiry (tests advance it). */
    public static UploadModule create(ServerConfig config, UserStore users, Ticker ticker) {
        return new UploadModule(Objects.requireNonNull(config, "config"), Objects.requireNonNull(users, "users"),
                Objects.requireNonNull(ticker, "ticker"));
    }

    /** Registers every route of this module. */
    public void routes(RoutesConfig routes) {
        UploadRoutes r = new UploadRoutes(service, maxBytes);
        routes.post(UploadRoutes.BASE, r::create);
        routes.get(UploadRoutes.BASE, r::list);
        routes.get(UploadRoutes.BASE + "/{id}", r::summary);
        routes.delete(UploadRoutes.BASE + "/{id}", r::delete);
        routes.get(UploadRoutes.BASE + "/{id}/records", r::records);
        routes.post(UploadRoutes.BASE + "/{id}/records/exclude", r::exclude);
        routes.get(UploadRoutes.BASE + "/{id}/records/{row}", r::record);
        routes.patch(UploadRoutes.BASE + "/{id}/records/{row}", r::edit);
        routes.post(UploadRoutes.BASE + "/{id}/commit", r::commit);
        ReportRoutes report = new ReportRoutes(service);
        routes.get(UploadRoutes.BASE + "/{id}/report.xlsx", report::xlsx);
        routes.get(UploadRoutes.BASE + "/{id}/report.csv", report::csv);
        routes.get("/api/v1/users", r::users);
        new LegacyRoutes(service, maxBytes).register(routes);
    }

    /** The service behind the routes (tests, benchmarks, embedding). */
    public UploadService service() {
        return service;
    }

    /** Records reserved in the staging budget now. */
    public long stagedRecordsReserved() {
        return service.reservedRecords();
    }

    /** Approximate heap held by one staged upload's records and indexes; 0 if it is not staged. */
    public long stagedBytes(String uploadId) {
        return service.retainedBytes(uploadId);
    }

    /** Approximate heap held by one staged upload's edit state (made at its first edit); 0 if none. */
    public long editorBytes(String uploadId) {
        return service.editorBytes(uploadId);
    }

    /** Stops validation and drops every staged upload. */
    @Override
    public void close() {
        readers.shutdownNow();
        checkers.shutdownNow();
        registrars.shutdownNow();
        staging.clear();
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
