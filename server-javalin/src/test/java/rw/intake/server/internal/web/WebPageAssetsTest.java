package rw.intake.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** The page's assets over real HTTP: their bytes and types, the ETag, and what is not an asset. */
final class WebPageAssetsTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static String classpath(String path) throws IOException {
        try (InputStream in = WebPageAssetsTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void assets_theirBytesAndTypes() throws IOException {
        String[][] cases = {
            {"/assets/app.js", "text/javascript"},
            {"/assets/app.css", "text/css"},
            {"/assets/messages/en.json", "application/json"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = SERVER.get(c[0], null);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow())
                    .as(c[0])
                    .startsWith(c[1]);
            assertThat(r.body()).as(c[0]).isEqualTo(classpath("/web" + c[0]));
        }
    }

    /** The icon the page names, also where browsers look for one on a page that names none: no 404 in a console. */
    @Test
    void icon_atItsAssetPathAndAtFaviconIco() throws IOException {
        String icon = classpath("/web/assets/favicon.svg");
        assertThat(classpath("/web/index.html")).contains("<link rel=\"icon\" href=\"/assets/favicon.svg\"");
        for (String path : new String[] {"/assets/favicon.svg", "/favicon.ico"}) {
            HttpResponse<String> r = SERVER.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("image/svg+xml");
            assertThat(r.body()).as(path).isEqualTo(icon);
        }
        assertThat(TestServer.json(SERVER.get("/api/v1/openapi.json", null))
                        .at("/paths/~1assets~1{path}/get/responses/200/content")
                        .has("image/svg+xml"))
                .as("the API document names the icon's type")
                .isTrue();
    }

    @Test
    void etag_answers304WhenTheBrowserHasTheAsset() {
        HttpResponse<String> first = SERVER.get("/assets/review.js", null);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        // weak: the same tag for the bytes gzipped or not, which a cache keeps apart by Accept-Encoding
        assertThat(etag).startsWith("W/\"").endsWith("\"");
        assertThat(first.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(SERVER.get("/assets/app.js", null).headers().firstValue("ETag"))
                .isNotEqualTo(first.headers().firstValue("ETag"));

        HttpResponse<String> again = SERVER.send(SERVER.request("/assets/review.js", null)
                .header("If-None-Match", etag)
                .GET()
                .build());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        // the weak comparison: the tag without W/, or in a list, names the asset too
        for (String named : new String[] {etag.substring(2), "\"other\", " + etag, "*"}) {
            assertThat(SERVER.send(SERVER.request("/assets/review.js", null)
                                    .header("If-None-Match", named)
                                    .GET()
                                    .build())
                            .statusCode())
                    .as(named)
                    .isEqualTo(304);
        }
        assertThat(again.headers().firstValue("Cache-Control")).hasValue(SecurityHeaders.ASSET_CACHE);
        // a cache that takes the 304's headers over keeps the script's type, which nosniff makes the browser check
        assertThat(again.headers().firstValue("Content-Type"))
                .isEqualTo(first.headers().firstValue("Content-Type"));

        HttpResponse<String> stale = SERVER.send(SERVER.request("/assets/review.js", null)
                .header("If-None-Match", "\"something-else\"")
                .GET()
                .build());
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo(first.body());
    }

    @Test
    void notAssets_are404Problems() {
        for (String path : new String[] {
            "/assets/messages", // a directory
            "/assets/messages/", // a directory
            "/assets/no-such-file.js",
            "/assets/app.js.map", // not a served type
            "/assets/.hidden.js",
            "/assets/%2e%2e/index.html",
            "/assets/..%2f..%2fweb/index.html",
            "/assets/../../rw/intake/server/Main.class",
        }) {
            HttpResponse<String> r = SERVER.get(path, null);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("<html").doesNotContain("import ");
            assertThat(r.headers().firstValue("Content-Type").orElse(""))
                    .as(path)
                    .startsWith("application/problem+json");
        }
    }

    /**
     * Every problem code the API documents has words on the page (problem.CODE in messages/en.json): none is shown as
     * a bare detail or as a fault of the server.
     */
    @Test
    void messages_aTextForEveryDocumentedProblemCode() throws IOException {
        Pattern code = Pattern.compile(
                "`((?:file|request|route|auth|account|upload|record|staging|database|server)\\.[a-z_]+)`");
        Set<String> codes = new TreeSet<>();
        for (String doc : new String[] {"API.md", "VALIDATION-RULES.md"}) {
            Matcher m = code.matcher(Files.readString(Path.of("..", "docs", doc)));
            while (m.find()) {
                codes.add(m.group(1));
            }
        }
        assertThat(codes).contains("file.cell_too_long", "request.invalid_parameter", "upload.not_found");
        var messages = TestServer.mapper().readTree(classpath("/web/assets/messages/en.json"));
        assertThat(codes.stream().filter(c -> !messages.has("problem." + c)))
                .as("codes without a problem.* text")
                .isEmpty();
    }
}
