package rw.intake.server.internal.web;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import rw.intake.server.internal.http.ApiException;

/**
 * The review web page: {@code GET /} answers {@code web/index.html} and {@code /assets/*} the scripts, styles and
 * messages under {@code web/assets/} on the classpath. Plain HTML, CSS and ES modules; nothing is built at run time
 * and nothing comes from another origin. The headers of every answer are {@link SecurityHeaders}'.
 *
 * <p>An asset is read from the classpath once, when first asked for, and kept, with an ETag. Javalin's static files
 * are not used: Jetty mounts the server jar as a zip file system for them, four times over, and each mount holds an
 * index of all the jar's entries for the process's life (docs/performance.md, "The heap follows the load").
 */
public final class WebPage {

    /** Where the page's scripts, styles and messages are served. */
    public static final String ASSETS = "/assets";

    /** A path under {@link #ASSETS}: names of letters, digits, {@code .}, {@code _} and {@code -}, with an extension. */
    private static final Pattern ASSET_PATH =
            Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\\.([a-z0-9]+)");
    /** The content types of the assets' extensions; any other extension is not served. */
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "woff2", "font/woff2");

    private final String index;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    private WebPage(String index) {
        this.index = index;
    }

    /** The page, read once from the classpath. */
    public static WebPage load() {
        byte[] index = classpath("/web/index.html");
        if (index == null) {
            throw new IllegalStateException("web/index.html is missing from the classpath");
        }
        return new WebPage(new String(index, StandardCharsets.UTF_8));
    }

    /** The bytes of the resource at {@code path} on the classpath, or null if there is none. */
    private static byte[] classpath(String path) {
        try (InputStream in = WebPage.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The page's icon, also at {@code /favicon.ico}, where browsers look for one on pages that name none. */
    static final String ICON = "favicon.svg";

    /** Registers {@code GET /}, the assets and {@code /favicon.ico}. */
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get(ASSETS + "/<path>", ctx -> serve(ctx, ctx.pathParam("path")));
        routes.get("/favicon.ico", ctx -> serve(ctx, ICON));
        routes.get("/", this::index);
    }

    private void index(Context ctx) {
        ctx.html(index);
    }

    private void serve(Context ctx, String path) {
        var m = ASSET_PATH.matcher(path);
        String type = m.matches() ? TYPES.get(m.group(1)) : null;
        Asset asset = type == null ? null : assets.computeIfAbsent(path, p -> Asset.read(p, type));
        if (asset == null) {
            throw ApiException.notFound("route.not_found", "no route " + ctx.path());
        }
        ctx.header("Cache-Control", SecurityHeaders.ASSET_CACHE);
        // the bytes sent may be gzipped (Javalin compresses what the client accepts): a cache keeps each encoding
        // apart, and the tag is weak, one for every encoding of the same asset (RFC 9110, 8.8.1 and 12.5.5)
        ctx.header("Vary", "Accept-Encoding");
        ctx.header("ETag", asset.etag);
        if (matches(ctx.header("If-None-Match"), asset.etag)) {
            // the asset's type, not the default text/plain: a cache that takes a 304's headers over the copy it keeps
            // would otherwise serve the script as text, which nosniff makes the browser refuse
            ctx.status(304).contentType(asset.type);
            return;
        }
        ctx.contentType(asset.type).result(asset.bytes);
    }

    /**
     * Whether an If-None-Match header names the weak tag {@code etag}: {@code *}, or one of its tags, weak or strong,
     * by the weak comparison (RFC 9110, 13.1.2).
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = etag.substring(2);
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    /** An asset's bytes, content type and ETag (weak: a hash of its bytes, whatever their encoding). */
    private static final class Asset {
        final byte[] bytes;
        final String type;
        final String etag;

        private Asset(byte[] bytes, String type, String etag) {
            this.bytes = bytes;
            this.type = type;
            this.etag = etag;
        }

        /** The asset at {@code path} under {@code web/assets/}, or null (not kept) if there is none. */
        static Asset read(String path, String type) {
            byte[] bytes = classpath("/web/assets/" + path);
            if (bytes == null) {
                return null;
            }
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
                String etag = "W/\""
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(hash)
                                .substring(0, 22)
                        + '"';
                return new Asset(bytes, type, etag);
            } catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
