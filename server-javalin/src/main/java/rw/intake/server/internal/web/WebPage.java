package rw.intake.server.internal.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The review web page: {@code GET /} answers {@code web/index.html} and {@code /assets/*} the scripts, styles and
 * messages under {@code web/assets/} on the classpath. Plain HTML, CSS and ES modules; nothing is built at run time
 * and nothing comes from another origin. The headers of every answer are {@link SecurityHeaders}'.
 */
public final class WebPage {

    /** Where the page's scripts, styles and messages are served. */
    public static final String ASSETS = "/assets";

    private final String index;

    private WebPage(String index) {
        this.index = index;
    }

    /** The page, read once from the classpath. */
    public static WebPage load() {
        try (InputStream in = WebPage.class.getResourceAsStream("/web/index.html")) {
            if (in == null) {
                throw new IllegalStateException("web/index.html is missing from the classpath");
            }
            return new WebPage(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Registers {@code GET /} and the assets. */
    public void register(JavalinConfig cfg) {
        cfg.staticFiles.add(files -> {
            files.hostedPath = ASSETS;
            files.directory = "/web/assets";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", SecurityHeaders.ASSET_CACHE); // Javalin's default is max-age=0
        });
        cfg.routes.get("/", this::index);
    }

    private void index(Context ctx) {
        ctx.html(index);
    }
}
