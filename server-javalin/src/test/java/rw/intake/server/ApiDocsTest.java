package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class ApiDocsTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    /** A route's path as the document writes it: Javalin's {@code <name>} (a parameter that may hold slashes) as {@code {name}}. */
    private static String documented(String path) {
        return path.replaceAll("<(\\w+)>", "{$1}");
    }

    /** The same, without a trailing slash. */
    private static String norm(String path) {
        String p = documented(path);
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Test
    void openApi_coversEveryRoute() {
        HttpResponse<String> r = SERVER.get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = TestServer.json(r);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        doc.get("paths")
                .properties()
                .forEach(p -> p.getValue()
                        .fieldNames()
                        .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + norm(p.getKey()))));
        Set<String> routed = new TreeSet<>();
        for (ParsedEndpoint e : SERVER.app().unsafe.internalRouter.allHttpHandlers()) {
            if (!e.endpoint.method.isHttpMethod() || HandlerType.HEAD.equals(e.endpoint.method)) {
                continue; // before/after filters; HEAD answers as GET (HeadRequestTest), said once in the document
            }
            routed.add(e.endpoint.method.name() + " " + norm(e.endpoint.path));
        }
        assertThat(routed).isNotEmpty();
        assertThat(documented).containsAll(routed);
        assertThat(routed).containsAll(documented);
    }

    /**
     * The query parameters each route's handler reads. {@link #queryTable_coversEveryParameterTheHandlersRead} ties
     * this table to the handlers' sources; {@link #openApi_documentsEveryParameter} ties the document to it.
     */
    static final Map<String, Set<String>> QUERY = Map.of(
            "POST /api/v1/uploads", Set.of("sheet", "fileName"),
            "GET /api/v1/uploads/{id}", Set.of("wait"),
            "GET /api/v1/uploads/{id}/records", Set.of("page", "size", "status", "field", "code"),
            "GET /api/v1/users", Set.of("page", "size", "uploadId", "valid"),
            "GET /api/v1/commits", Set.of("page", "size"),
            "POST /api/v1/upload", Set.of("fileName"),
            "GET /api/v1/validatedusers", Set.of("page", "size"),
            "GET /api/v1/savedusers", Set.of("page", "size"),
            "GET /api/v1/uploads/{id}/report.xlsx", Set.of("status"),
            "GET /api/v1/uploads/{id}/report.csv", Set.of("status"));

    /** How handlers read query parameters: directly, or through RequestParams. */
    private static final List<Pattern> READS = List.of(
            Pattern.compile("queryParam\\(\"(\\w+)\"\\)"),
            Pattern.compile("RequestParams\\.\\w+\\(ctx, \"(\\w+)\"\\)"),
            Pattern.compile("RequestParams\\.(page|size)\\(ctx\\)"));

    @Test
    void openApi_documentsEveryParameter() {
        JsonNode doc = TestServer.json(SERVER.get("/api/v1/openapi.json", null));
        Map<String, Set<String>> documented = new TreeMap<>();
        Map<String, Set<String>> expected = new TreeMap<>();
        for (ParsedEndpoint e : SERVER.app().unsafe.internalRouter.allHttpHandlers()) {
            if (!e.endpoint.method.isHttpMethod() || HandlerType.HEAD.equals(e.endpoint.method)) {
                continue;
            }
            String path = documented(e.endpoint.path);
            JsonNode op = operation(doc, path, e.endpoint.method.name().toLowerCase(Locale.ROOT));
            String key = e.endpoint.method.name() + " " + norm(path);
            Set<String> params = new TreeSet<>();
            Set<String> pathParams = new TreeSet<>();
            op.path("parameters")
                    .forEach(p -> ("path".equals(p.get("in").asText()) ? pathParams : params)
                            .add(p.get("name").asText()));
            documented.put(key, params);
            expected.put(key, new TreeSet<>(QUERY.getOrDefault(key, Set.of())));
            Set<String> inPath = new TreeSet<>();
            Matcher m = Pattern.compile("\\{(\\w+)}").matcher(path);
            while (m.find()) {
                inPath.add(m.group(1));
            }
            assertThat(pathParams).as("path parameters of " + key).isEqualTo(inPath);
        }
        assertThat(documented).isEqualTo(expected);
        assertThat(expected.keySet()).containsAll(QUERY.keySet());
    }

    @Test
    void queryTable_coversEveryParameterTheHandlersRead() throws IOException {
        Set<String> read = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f, StandardCharsets.UTF_8);
                for (Pattern p : READS) {
                    Matcher m = p.matcher(source);
                    while (m.find()) {
                        read.add(m.group(1));
                    }
                }
            }
        }
        Set<String> tabled = new HashSet<>();
        QUERY.values().forEach(tabled::addAll);
        assertThat(read).contains("sheet", "fileName", "page", "size", "valid");
        assertThat(new TreeSet<>(tabled)).isEqualTo(read);
    }

    private static JsonNode operation(JsonNode doc, String path, String method) {
        JsonNode p = doc.get("paths").get(path);
        if (p == null) {
            p = doc.get("paths").get(path.endsWith("/") ? norm(path) : path + "/");
        }
        assertThat(p).as("documented path " + path).isNotNull();
        JsonNode op = p.get(method);
        assertThat(op).as(method + " " + path).isNotNull();
        return op;
    }

    @Test
    void docsPage_listsRoutes() {
        HttpResponse<String> r = SERVER.get("/api/v1/docs", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("/api/v1/uploads/{id}/records").contains("openapi.json");
    }
}
