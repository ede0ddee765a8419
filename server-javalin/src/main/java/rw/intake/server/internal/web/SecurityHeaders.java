package rw.intake.server.internal.web;

import io.javalin.http.Context;
import java.util.function.BiConsumer;

/**
 * The response headers of every answer, set in one place before any handler runs (so problems, static files and
 * the page all carry them):
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer},
 *       {@code X-Frame-Options: DENY}, {@code Cross-Origin-Opener-Policy: same-origin} (a page of another origin that
 *       opens ours gets no handle on its window), {@code Cross-Origin-Resource-Policy: same-origin} (no other origin
 *       may embed an answer, such as a report, as an image or script) and a {@code Permissions-Policy} that turns off
 *       the browser features the page never uses, on everything;</li>
 *   <li>a Content-Security-Policy: the page and its assets load from this origin only, with no inline script;
 *       the API's JSON loads nothing at all; no answer may be framed ({@code frame-ancestors 'none'});</li>
 *   <li>{@code Cache-Control}: {@code no-store} on the API (tokens, records, users, uploads, accounts are personal),
 *       {@code no-cache} on the page so a new release is picked up at once, and a short public lifetime on the
 *       assets.</li>
 * </ul>
 */
public final class SecurityHeaders {

    /** The page's policy: same origin only, no inline script or style, no plugins, not framed. */
    public static final String PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";
    /** JSON loads nothing; the plain docs page only needs its own inline style. */
    public static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";

    private static final String DOCS_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
    /** Browser features the page never uses, off for it and anything it could embed. */
    public static final String PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
    /** How long a browser may keep a script, style or messages file without asking again. */
    public static final String ASSET_CACHE = "public, max-age=3600";

    private SecurityHeaders() {}

    /** A before-handler: sets the headers of the answer to this request by its path. */
    public static void apply(Context ctx) {
        everyAnswer(ctx::header);
        String path = ctx.path();
        if (path.startsWith(WebPage.ASSETS + "/")) {
            ctx.header("Content-Security-Policy", PAGE_POLICY); // Cache-Control: the static files' own, ASSET_CACHE
        } else if (path.startsWith("/api/") || path.startsWith("/metrics")) {
            boolean docs = path.startsWith("/api/v1/docs");
            ctx.header("Content-Security-Policy", docs ? DOCS_POLICY : API_POLICY);
            if (!docs && !path.startsWith("/api/v1/openapi.json")) {
                ctx.header("Cache-Control", "no-store");
            }
        } else {
            ctx.header("Content-Security-Policy", PAGE_POLICY);
            ctx.header("Cache-Control", "no-cache");
        }
    }

    /**
     * The headers that do not depend on the path, set through {@code header}: also on the answers Jetty gives before
     * any route is matched (a request it cannot parse), which add the API's policy and {@code no-store}.
     */
    public static void everyAnswer(BiConsumer<String, String> header) {
        header.accept("X-Content-Type-Options", "nosniff");
        header.accept("Referrer-Policy", "no-referrer");
        header.accept("X-Frame-Options", "DENY");
        header.accept("Cross-Origin-Opener-Policy", "same-origin");
        header.accept("Cross-Origin-Resource-Policy", "same-origin");
        header.accept("Permissions-Policy", PERMISSIONS_POLICY);
    }
}
