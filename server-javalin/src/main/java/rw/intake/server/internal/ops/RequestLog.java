package rw.intake.server.internal.ops;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.auth.Principal;

/**
 * One log line per request, written when the answer is complete:
 * {@code GET /api/v1/uploads/{id} 200 12.4ms id=<request id> user=<username or ->}. The route is the template the
 * request matched ({@code -} when none did), never the raw path, so that ids in paths stay out of the log. The same
 * answer is counted in the HTTP metrics.
 */
public final class RequestLog {
    /** The logger of the request lines (its name is what a logging configuration selects). */
    public static final String LOGGER = "rw.intake.server.requests";
    /** The route of a request that matched none (also the {@code route} tag of its metric). */
    public static final String UNMATCHED = "-";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Metrics metrics;

    public RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Javalin's request logger: called once per answered request with its duration. */
    public void handle(Context ctx, Float millis) {
        String route = route(ctx);
        int status = ctx.status().getCode();
        String method = ctx.method().name();
        double ms = millis == null ? 0 : millis;
        metrics.request(method, route, status, ms);
        line(
                method,
                route,
                status,
                ms,
                RequestIds.of(ctx),
                Principal.find(ctx).map(Principal::username).orElse("-"));
    }

    /** Writes one request line (also used for answers Jetty gives before the router sees the request). */
    public static void line(String method, String route, int status, double millis, String requestId, String user) {
        LOG.info("{} {} {} {}ms id={} user={}", method, route, status, tenths(millis), requestId, user);
    }

    /** {@code millis} with one decimal, as {@code %.1f} writes it (without a formatter a request). */
    static String tenths(double millis) {
        long t = Math.round(Math.max(0, millis) * 10);
        return (t / 10) + "." + (t % 10);
    }

    static String route(Context ctx) {
        Endpoint e = ctx.endpoints().matchedHttpEndpoint();
        return e == null ? UNMATCHED : e.path;
    }
}
