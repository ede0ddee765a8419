package rw.intake.server.internal.ops;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import rw.intake.server.internal.auth.AccessFilter;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.UploadEvents;
import rw.intake.server.internal.upload.UploadModule;

/**
 * The server's metrics in a Micrometer registry, served as Prometheus text at {@code GET /metrics} to the bearer of
 * {@code METRICS_TOKEN} or of an admin's access token. Meters (Prometheus names):
 * <ul>
 *   <li>{@code intake_uploads_total{outcome}}: accepted, refused (at intake), validated, failed (while reading);</li>
 *   <li>{@code intake_validation_seconds{outcome}}, {@code intake_validation_rows}: per upload, from acceptance to the
 *       end of validation;</li>
 *   <li>{@code intake_commit_seconds{database,outcome}}, {@code intake_commit_rows{database}};</li>
 *   <li>{@code intake_staging_records} (reserved), {@code intake_staging_records_max},
 *       {@code intake_staging_records_per_user_max}, {@code intake_staging_bytes} (heap held by staged records),
 *       {@code intake_staging_uploads};</li>
 *   <li>{@code intake_http_requests_seconds{method,route,status}}: route is the matched template, {@code -} for none;
 *       a method other than HTTP's own is {@code OTHER}, so that no request can add series at will;</li>
 *   <li>the JVM ({@code jvm_*}, {@code process_*}, {@code system_*}) and the connection pool ({@code hikaricp_*}).</li>
 * </ul>
 */
public final class Metrics implements UploadEvents {
    /** The content type of the Prometheus text format 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The request timers registered so far, by method, route and status (routes are templates: a bounded set). */
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final byte[] token;
    private final AccessFilter access;
    private final String database;
    private final DistributionSummary validationRows;
    private final DistributionSummary commitRows;

    /**
     * @param metricsToken {@code METRICS_TOKEN}, or null: then only an admin's access token opens the metrics
     * @param access       what judges an access token, as on every other route (a disabled or revoked one is refused)
     * @param database     the database's dialect, the {@code database} tag of the commit meters
     * @param dataSource   the pool; a HikariCP pool reports into this registry
     */
    public Metrics(String metricsToken, AccessFilter access, String database, DataSource dataSource) {
        this.token = metricsToken == null ? null : metricsToken.getBytes(StandardCharsets.UTF_8);
        this.access = access;
        this.database = database;
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (dataSource instanceof HikariDataSource hikari && hikari.getMetricsTrackerFactory() == null) {
            hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        this.validationRows = DistributionSummary.builder("intake.validation.rows")
                .baseUnit("rows")
                .description("data rows read per upload")
                .register(registry);
        this.commitRows = DistributionSummary.builder("intake.commit.rows")
                .baseUnit("rows")
                .tag("database", database)
                .description("records written per commit")
                .register(registry);
    }

    /** The help of {@code intake_staging_reads_total}, one for its three series. */
    private static final String STAGING_READS = "reads from the shared staging store: whole uploads, chunks of records,"
            + " or reads made again from a newer meta";

    /** Gauges over the staging area of {@code uploads}. */
    public void watch(UploadModule uploads, long maxRecords, long maxRecordsPerUser) {
        gauge("intake.staging.records", "records reserved in staging", uploads, UploadModule::stagedRecordsReserved);
        gauge("intake.staging.records.max", "the staging budget in records", uploads, u -> maxRecords);
        gauge("intake.staging.records.per.user.max", "the records one user may stage", uploads, u -> maxRecordsPerUser);
        gauge(
                "intake.staging.bytes",
                "heap held by staged records and their indexes",
                uploads,
                UploadModule::stagedBytes);
        gauge("intake.staging.uploads", "uploads staged", uploads, UploadModule::stagedUploads);
        gauge(
                "intake.upload.bodies.bytes",
                "bytes of uploaded files held in memory, from their first byte read until their sheet is read",
                uploads,
                UploadModule::uploadBodiesHeld);
        gauge(
                "intake.upload.bodies.bytes.max",
                "the most bytes of uploaded files held in memory at once",
                uploads,
                UploadModule::uploadBodiesMax);
        FunctionCounter.builder("intake.staging.reads", uploads, UploadModule::stagedUploadsRead)
                .tag("what", "upload")
                .description(STAGING_READS)
                .register(registry);
        FunctionCounter.builder("intake.staging.reads", uploads, UploadModule::stagedChunksRead)
                .tag("what", "chunk")
                .description(STAGING_READS)
                .register(registry);
        FunctionCounter.builder("intake.staging.reads", uploads, UploadModule::stagedNewerReads)
                .tag("what", "newer")
                .description(STAGING_READS)
                .register(registry);
    }

    private void gauge(String name, String description, UploadModule uploads, ToDoubleFunction<UploadModule> f) {
        Gauge.builder(name, uploads, f).description(description).register(registry);
    }

    /** The handler of {@code GET /metrics}. */
    public void scrape(Context ctx) {
        authorize(AccessFilter.authorization(ctx));
        ctx.contentType(CONTENT_TYPE).result(registry.scrape());
    }

    /**
     * Lets the metrics token or an admin's access token through.
     *
     * @throws ApiException 401 without a valid token, 403 {@code auth.forbidden} for a clerk's
     */
    void authorize(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized(
                    "auth.missing_token",
                    "the metrics need the metrics token or an admin's access token as a bearer token",
                    ApiException.BEARER);
        }
        String presented = header.substring(7).strip();
        if (token != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        Principal p = access.principal(presented);
        if (!p.isAdmin()) {
            throw new ApiException(403, "auth.forbidden", "Forbidden", "only an admin may read the metrics");
        }
    }

    /** The methods that have series of their own; any other is counted as {@code OTHER}. */
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    /** Counts one answered request. */
    void request(String requestMethod, String route, int status, double millis) {
        String method = METHODS.contains(requestMethod) ? requestMethod : "OTHER";
        // one timer per method, route and status, found again by a map lookup rather than a registry lookup
        requestTimers
                .computeIfAbsent(
                        method + ' ' + route + ' ' + status,
                        k -> Timer.builder("intake.http.requests")
                                .description("HTTP requests answered, by method, route template and status")
                                .tag("method", method)
                                .tag("route", route)
                                .tag("status", Integer.toString(status))
                                .register(registry))
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }

    @Override
    public void refused(String code) {
        uploads("refused");
    }

    @Override
    public void accepted() {
        uploads("accepted");
    }

    @Override
    public void validationEnded(String outcome, long rows, Duration took) {
        uploads(outcome);
        Timer.builder("intake.validation")
                .tag("outcome", outcome)
                .description("from acceptance to validation's end")
                .register(registry)
                .record(took);
        validationRows.record((double) rows);
    }

    @Override
    public void commitEnded(String outcome, long committed, Duration took) {
        Timer.builder("intake.commit")
                .description("commits, from the request to the answer, by database and outcome")
                .tag("database", database)
                .tag("outcome", outcome)
                .register(registry)
                .record(took);
        if (committed > 0) {
            commitRows.record((double) committed);
        }
    }

    private void uploads(String outcome) {
        Counter.builder("intake.uploads")
                .description("uploads refused, accepted and ended (validated, failed), by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
