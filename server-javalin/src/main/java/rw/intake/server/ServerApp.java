package rw.intake.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.github.benmanes.caffeine.cache.Ticker;
import io.javalin.Javalin;
import io.javalin.config.Key;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.router.JavalinDefaultRoutingApi;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.ThreadLimitHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.auth.AccessFilter;
import rw.intake.server.internal.auth.AccountRoutes;
import rw.intake.server.internal.auth.AccountStanding;
import rw.intake.server.internal.auth.AuthController;
import rw.intake.server.internal.auth.LoginThrottle;
import rw.intake.server.internal.auth.Tokens;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.QueryStrings;
import rw.intake.server.internal.legacy.LegacyRoutes;
import rw.intake.server.internal.ops.Health;
import rw.intake.server.internal.ops.Metrics;
import rw.intake.server.internal.ops.ProblemErrorHandler;
import rw.intake.server.internal.ops.RequestIds;
import rw.intake.server.internal.ops.RequestLog;
import rw.intake.server.internal.ops.Warmup;
import rw.intake.server.internal.upload.UploadModule;
import rw.intake.server.internal.web.ApiDocs;
import rw.intake.server.internal.web.HeadAsGet;
import rw.intake.server.internal.web.NoMethodOverride;
import rw.intake.server.internal.web.SecurityHeaders;
import rw.intake.server.internal.web.WebPage;
import rw.intake.storage.Storage;

/**
 * Wires the HTTP service: routes are method references on small controllers, one exception mapper turns every
 * failure into an RFC 9457 problem, and an access filter authenticates everything below {@code /api/v1} but the
 * public routes. The returned server is not started.
 */
public final class ServerApp {

    private static final Logger LOG = LoggerFactory.getLogger(ServerApp.class);
    /** How long stopping Jetty waits for the requests in progress (after {@link #shutDown} drained the commits). */
    private static final long JETTY_STOP_MILLIS = 5_000;

    /** How long stopping waits for the warm-up's round in progress to end. */
    private static final Duration WARMUP_STOP = Duration.ofSeconds(30);

    private static final Key<UploadModule> UPLOADS = new Key<>("intake.uploads");
    private static final Key<Warmup> WARMUP = new Key<>("intake.warmup");

    private ServerApp() {}

    /** The JSON mapper the server answers with (ISO dates, unknown properties ignored). */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * A server over {@code storage}, configured by {@code config}; stopping it closes the upload module (the storage
     * belongs to the caller).
     */
    public static Javalin create(ServerConfig config, Storage storage) {
        return create(config, storage, Ticker.systemTicker());
    }

    /**
     * As {@link #create(ServerConfig, Storage)}, with the time source of staging expiry and login throttling (tests
     * advance it instead of sleeping).
     */
    public static Javalin create(ServerConfig config, Storage storage, Ticker ticker) {
        ObjectMapper mapper = objectMapper();
        Tokens tokens =
                Tokens.create(secret(config), config.accessTokenTtl(), config.refreshTokenTtl(), Clock.systemUTC());
        AccountStanding standing = new AccountStanding(storage.accounts(), ticker);
        AuthController auth = new AuthController(
                storage.accounts(), tokens, new LoginThrottle(ticker), standing, config.refreshTokenReuse());
        AccessFilter access = new AccessFilter(tokens, standing);
        Metrics metrics = new Metrics(config.metricsToken(), access, storage.dialect(), storage.dataSource());
        UploadModule uploads = UploadModule.create(uploadSettings(config), storage.users(), ticker, metrics);
        uploads.service().databaseCheck(storage::ping);
        metrics.watch(uploads, config.stagingMaxRecords(), config.stagingMaxRecordsPerUser());
        ApiDocs docs = ApiDocs.load(mapper);
        WebPage page = WebPage.load();

        Warmup warmup = config.warmup() ? Warmup.of(uploads, tokens, mapper) : Warmup.off();
        Health health = new Health(storage, uploads, warmup);
        AtomicReference<Javalin> created = new AtomicReference<>();

        Javalin app = Javalin.create(cfg -> {
            cfg.appData(UPLOADS, uploads);
            cfg.appData(WARMUP, warmup);
            cfg.jsonMapper(new JavalinJackson(mapper, false));
            cfg.jetty.modifyServer(server -> {
                // Stopping waits for the requests in progress (a commit's answer), and takes no new ones meanwhile.
                server.setHandler(
                        new GracefulHandler(perAddress(new NoMethodOverride(), config.httpThreadsPerAddress())));
                server.setStopTimeout(JETTY_STOP_MILLIS);
            });
            cfg.http.maxRequestSize = config.readLimits().maxBytes() + 1024 * 1024;
            cfg.http.prefer405over404 = true;
            cfg.jetty.port = config.port();
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(mapper, metrics)));
            cfg.startup.showJavalinBanner = false;
            cfg.router.ignoreTrailingSlashes = true;
            cfg.events.serverStopped(uploads::close);
            cfg.events.serverStarted(() -> warmup.start(created.get().port()));
            cfg.events.serverStopping(() -> stopWarmup(warmup));
            cfg.requestLogger.http(new RequestLog(metrics)::handle);

            cfg.routes.before(RequestIds::assign);
            cfg.routes.before(SecurityHeaders::apply);
            cfg.routes.before(access::handle);
            cfg.routes.before(QueryStrings::check);
            JavalinDefaultRoutingApi routes = new HeadAsGet(cfg.routes);
            // Javalin tries a method's routes in the order they were added, each by a regular expression: the routes
            // of uploads, the pages among them, come first (no other route matches their paths).
            uploads.routes(routes);
            page.register(routes);
            routes.get("/metrics", metrics::scrape);
            routes.get("/api/v1", ServerApp::health);
            routes.get(Health.LIVE, health::live);
            routes.get(Health.READY, health::ready);
            routes.post("/api/v1/token", auth::token);
            routes.post("/api/v1/token/refresh", auth::refresh);
            routes.post("/api/v1/token/revoke", auth::revoke);
            routes.get("/api/v1/openapi.json", docs::openApi);
            routes.get("/api/v1/docs", docs::page);
            new LegacyRoutes(uploads.service(), uploads.maxBytes()).register(routes);
            new AccountRoutes(storage.accounts(), standing).register(routes);

            cfg.routes.exception(ApiException.class, (ex, ctx) -> problem(ctx, mapper, ex));
            cfg.routes.exception(
                    HttpResponseException.class, (ex, ctx) -> problem(ctx, mapper, fromJavalin(ex, ctx.path())));
            cfg.routes.exception(Exception.class, (ex, ctx) -> {
                if (Storage.isUnavailable(ex)) {
                    LOG.warn(
                            "request {} {}: the database cannot be reached: {}",
                            ctx.method(),
                            ctx.path(),
                            ex.getMessage());
                    problem(ctx, mapper, ApiException.databaseUnavailable());
                    return;
                }
                String id = RequestIds.of(ctx);
                LOG.error("request {} {} failed; error id {}", ctx.method(), ctx.path(), id, ex);
                problem(ctx, mapper, serverError(id));
            });
            cfg.router.javaLangErrorHandler((res, error) -> errorProblem(res, mapper, error));
            cfg.routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, mapper, ApiException.notFound("route.not_found", "no route " + ctx.path()));
                }
            });
            cfg.routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    problem(
                            ctx,
                            mapper,
                            new ApiException(
                                    405,
                                    "route.method_not_allowed",
                                    "Method Not Allowed",
                                    ctx.method() + " is not allowed on " + ctx.path()));
                }
            });
        });
        created.set(app);
        return app;
    }

    /**
     * Shuts the server down in order: the warm-up stopped (its round in progress ends with a rollback), no new uploads
     * or commits (503 {@code server.shutting_down}), the running commits waited for at most {@code grace} and
     * answered; commits still running then are cut off by {@code closeStorage} (closing the pool aborts their
     * connections, so the database rolls them back, and they answer 503 before the server stops); then the HTTP
     * server stopped (requests in progress get {@value #JETTY_STOP_MILLIS} ms more) and staging dropped.
     *
     * @return whether every running commit ended within the grace period
     */
    public static boolean shutDown(Javalin app, Duration grace, Runnable closeStorage) {
        boolean drained = false;
        try {
            stopWarmup(app.unsafe.appDataManager.get(WARMUP));
            UploadModule uploads = app.unsafe.appDataManager.get(UPLOADS);
            drained = uploads.drain(grace);
            if (!drained) {
                closeStorage.run();
                int left = uploads.awaitCommits(Duration.ofMillis(JETTY_STOP_MILLIS));
                if (left > 0) {
                    LOG.error(
                            "{} commit(s) had not ended {} ms after their connections were closed",
                            left,
                            JETTY_STOP_MILLIS);
                }
            }
        } finally {
            // whatever failed above, the requests in progress are still answered before the process ends
            try {
                app.stop();
            } catch (RuntimeException ex) {
                // Jetty gave up waiting for them: an upload whose body was still arriving, say
                LOG.warn(
                        "requests still in progress {} ms after the stop began were cut off: {}",
                        JETTY_STOP_MILLIS,
                        ex.toString());
            }
        }
        return drained;
    }

    /**
     * {@code handler} behind a limit of {@code threads} request threads for the requests of one client address (0: no
     * limit). A request past it waits, holding no thread, until one of that address's requests ends: a client that
     * sends its bodies a byte at a time, on hundreds of connections, holds at most that many of the server's threads
     * (each cut off after {@link rw.intake.server.internal.http.RequestBodies#GRACE_SECONDS} s), and the others stay
     * free for everyone else. The address is the connection's: a forwarding header is not trusted.
     */
    private static Handler perAddress(Handler handler, int threads) {
        if (threads == 0) {
            return handler;
        }
        ThreadLimitHandler limit = new ThreadLimitHandler(handler, null, false);
        limit.setThreadLimit(threads);
        return limit;
    }

    /** Stops the warm-up and waits for it, so that no rehearsed commit is still running when the database closes. */
    private static void stopWarmup(Warmup warmup) {
        if (!warmup.stop(WARMUP_STOP)) {
            LOG.warn("the warm-up did not stop within {} s", WARMUP_STOP.toSeconds());
        }
    }

    private static void health(Context ctx) {
        ctx.json(Map.of("status", "ok", "description", "app is running"));
    }

    private static boolean isProblem(Context ctx) {
        String ct = ctx.res().getContentType();
        return ct != null && ct.startsWith(ApiException.PROBLEM_JSON);
    }

    private static ApiException fromJavalin(HttpResponseException ex, String path) {
        int status = ex.getStatus();
        if (status == 405) {
            // Javalin's details hold the methods the path allows (one entry, whatever its key)
            String allowed = UploadModule.allowedOn(path);
            return ApiException.methodNotAllowed(
                    allowed != null
                            ? allowed
                            : String.join(", ", ex.getDetails().values()));
        }
        String code = switch (status) {
            case 400 -> "request.invalid";
            case 404 -> "route.not_found";
            case 405 -> "route.method_not_allowed";
            case 413 -> "file.too_large";
            default -> "request.failed";
        };
        String title = io.javalin.http.HttpStatus.forStatus(status).getMessage();
        return new ApiException(status, code, title, ex.getMessage() == null ? title : ex.getMessage());
    }

    static void problem(Context ctx, ObjectMapper mapper, ApiException ex) {
        ex.headers().forEach(ctx::header);
        // bytes: JSON is UTF-8, while a String result would be encoded in the response's default, ISO-8859-1
        ctx.status(ex.status())
                .contentType(ApiException.PROBLEM_JSON)
                .result(problemBody(mapper, ex, ctx.path(), RequestIds.of(ctx)));
    }

    private static byte[] problemBody(ObjectMapper mapper, ApiException ex, String instance, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", ex.title());
        body.put("status", ex.status());
        body.put("detail", ex.detail());
        body.put("code", ex.code());
        if (instance != null) {
            body.put("instance", instance);
        }
        body.put("requestId", requestId);
        ex.extras().forEach(body::putIfAbsent);
        try {
            return mapper.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException jpe) {
            throw new IllegalStateException(jpe);
        }
    }

    /** The answer to a request the server failed: a generic 500 with an id that the log carries too. */
    private static ApiException serverError(String id) {
        return new ApiException(
                500,
                "server.error",
                "Internal Server Error",
                "the server could not complete the request; quote error id " + id,
                Map.of("errorId", id),
                Map.of());
    }

    /**
     * A {@link Error} thrown by a request (the heap could not hold what it asked for) is answered as any other server
     * fault, with the headers every answer has (set before the request ran), if its answer has not started; Javalin's
     * own answer would be a 500 with no body.
     */
    static void errorProblem(HttpServletResponse res, ObjectMapper mapper, Error error) {
        String id = res.getHeader(RequestIds.HEADER);
        if (id == null) {
            id = RequestIds.pick(null);
            res.setHeader(RequestIds.HEADER, id);
        }
        LOG.error("a request failed; error id {}", id, error);
        if (res.isCommitted()) {
            return;
        }
        try {
            byte[] body = problemBody(mapper, serverError(id), null, id);
            res.resetBuffer();
            res.setStatus(500);
            res.setContentType(ApiException.PROBLEM_JSON);
            res.setContentLength(body.length);
            res.getOutputStream().write(body);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("the answer to the request with error id {} could not be written: {}", id, ex.toString());
        }
    }

    private static String secret(ServerConfig config) {
        if (config.jwtSecret() != null) {
            return config.jwtSecret();
        }
        LOG.warn("JWT_SECRET is not set: using a random secret for this process; tokens will not survive a restart");
        byte[] b = new byte[48];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** What the upload module takes of the configuration. */
    static UploadModule.Settings uploadSettings(ServerConfig config) {
        return new UploadModule.Settings(
                config.readLimits(),
                config.stagingMaxRecords(),
                config.stagingMaxRecordsPerUser(),
                config.stagingMaxUploadsPerUser(),
                config.stagingIdleExpiry(),
                config.validationThreads(),
                "redis".equals(config.staging())
                        ? new UploadModule.Redis(
                                config.redisUrl(),
                                config.stagingRedisPrefix(),
                                config.stagingRedisAllowPersistence(),
                                config.stagingRedisLease(),
                                config.stagingRedisCluster(),
                                config.stagingRedisCacheBytes())
                        : null);
    }
}
