package rw.intake.server.internal.ops;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.UploadModule;
import rw.intake.storage.Storage;
import rw.intake.storage.StorageException;

/**
 * The probes, public: {@code live} answers while the process serves; {@code ready} when the database answers, staging
 * has room, the warm-up after the start ({@link Warmup}) is done and the server is not shutting down, else 503
 * {@code server.not_ready} naming each check that failed.
 */
public final class Health {
    public static final String LIVE = "/api/v1/health/live";
    public static final String READY = "/api/v1/health/ready";
    public static final String OK = "ok";

    private final Storage storage;
    private final UploadModule uploads;
    private final Warmup warmup;

    public Health(Storage storage, UploadModule uploads, Warmup warmup) {
        this.storage = storage;
        this.uploads = uploads;
        this.warmup = warmup;
    }

    public void live(Context ctx) {
        ctx.json(Map.of("status", "live"));
    }

    public void ready(Context ctx) {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("database", database());
        String full = uploads.stagingFull();
        checks.put("staging", full == null ? OK : full);
        checks.put("warmup", warmup.done() ? OK : "running");
        checks.put("shutdown", uploads.shuttingDown() ? "shutting down" : OK);
        Map<String, String> failed = new LinkedHashMap<>(checks);
        failed.values().removeIf(OK::equals);
        if (failed.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ready");
            body.put("checks", checks);
            ctx.json(body);
            return;
        }
        StringBuilder detail = new StringBuilder("not ready:");
        failed.forEach((name, why) ->
                detail.append(' ').append(name).append(": ").append(why).append(';'));
        detail.setLength(detail.length() - 1);
        throw new ApiException(
                503,
                "server.not_ready",
                "Service Unavailable",
                detail.toString(),
                Map.of("checks", checks),
                Map.of("Retry-After", ApiException.DATABASE_RETRY_AFTER));
    }

    private String database() {
        try {
            storage.ping();
            return OK;
        } catch (StorageException e) {
            return "unavailable";
        } catch (RuntimeException e) {
            if (Storage.isUnavailable(e)) {
                return "unavailable";
            }
            throw e;
        }
    }
}
