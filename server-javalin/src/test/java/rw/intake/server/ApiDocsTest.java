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
import java.util.ArrayList;
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
            Set<String> headers = new TreeSet<>();
            op.path("parameters")
                    .forEach(p -> (switch (p.get("in").asText()) {
                                case "path" -> pathParams;
                                case "header" -> headers;
                                default -> params;
                            })
                            .add(p.get("name").asText()));
            assertThat(headers)
                    .as("request headers of " + key)
                    .isEqualTo(key.equals("PATCH /api/v1/uploads/{id}/records/{row}") ? Set.of("If-Match") : Set.of());
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

    /** The operations that need the database: each may answer 503 database.unavailable. */
    static final Set<String> DATABASE = Set.of(
            "POST /api/v1/token",
            "POST /api/v1/token/refresh",
            "GET /api/v1/accounts",
            "POST /api/v1/accounts",
            "POST /api/v1/accounts/{username}/password",
            "PATCH /api/v1/accounts/{username}",
            "GET /api/v1/users",
            "GET /api/v1/commits",
            "GET /api/v1/savedusers",
            "POST /api/v1/uploads/{id}/commit",
            "GET /api/v1/uploads/{id}/commit-preview",
            "POST /api/v1/commit",
            "PATCH /api/v1/uploads/{id}/records/{row}",
            "POST /api/v1/uploads/{id}/records/exclude");

    /** Every documented operation, keyed as {@code METHOD /path} without a trailing slash. */
    private static Map<String, JsonNode> operations(JsonNode doc) {
        Map<String, JsonNode> ops = new TreeMap<>();
        doc.get("paths")
                .properties()
                .forEach(p -> p.getValue()
                        .properties()
                        .forEach(m ->
                                ops.put(m.getKey().toUpperCase(Locale.ROOT) + " " + norm(p.getKey()), m.getValue())));
        return ops;
    }

    /** A response, its {@code $ref} to the shared responses followed. */
    private static JsonNode response(JsonNode doc, JsonNode op, String status) {
        JsonNode r = op.path("responses").path(status);
        String ref = r.path("$ref").asText("");
        return ref.isEmpty() ? r : doc.at(ref.substring(1));
    }

    @Test
    void openApi_declaresTheProblemsEveryOperationCanAnswer() {
        JsonNode doc = TestServer.json(SERVER.get("/api/v1/openapi.json", null));
        Map<String, JsonNode> ops = operations(doc);
        assertThat(ops.keySet()).containsAll(DATABASE);
        ops.forEach((key, op) -> {
            assertThat(response(doc, op, "default")
                            .at("/content/application~1problem+json/schema/$ref")
                            .asText())
                    .as("default of " + key)
                    .isEqualTo("#/components/schemas/Problem");
            if (op.at("/requestBody/content").has("application/json")) {
                assertThat(response(doc, op, "413").path("description").asText())
                        .as("413 of " + key)
                        .contains("request.too_large");
            }
            if (DATABASE.contains(key)) {
                JsonNode unavailable = response(doc, op, "503");
                assertThat(unavailable.path("description").asText())
                        .as("503 of " + key)
                        .contains("database.unavailable");
                assertThat(unavailable.at("/headers/Retry-After").isObject())
                        .as("Retry-After of " + key)
                        .isTrue();
            }
            // every answer carries the request's id; every 429 and 503 says when to try again
            op.path("responses").properties().forEach(r -> {
                assertThat(response(doc, op, r.getKey())
                                .at("/headers/X-Request-Id")
                                .isObject())
                        .as("X-Request-Id of " + r.getKey() + " of " + key)
                        .isTrue();
                if (r.getKey().equals("429") || r.getKey().equals("503")) {
                    assertThat(response(doc, op, r.getKey())
                                    .at("/headers/Retry-After")
                                    .isObject())
                            .as("Retry-After of " + r.getKey() + " of " + key)
                            .isTrue();
                }
            });
            boolean readsQuery = false;
            for (JsonNode p : op.path("parameters")) {
                readsQuery |= "query".equals(p.get("in").asText())
                        && !"fileName".equals(p.get("name").asText());
            }
            if (readsQuery) {
                assertThat(response(doc, op, "400").isObject())
                        .as("400 of " + key)
                        .isTrue();
            }
        });
        assertThat(response(doc, ops.get("POST /api/v1/upload"), "415").isObject())
                .isTrue();
        assertThat(response(doc, ops.get("POST /api/v1/uploads"), "415").isObject())
                .isTrue();
    }

    @Test
    void openApi_refsHaveNoSiblings() {
        JsonNode doc = TestServer.json(SERVER.get("/api/v1/openapi.json", null));
        List<String> withSiblings = new ArrayList<>();
        refsWithSiblings(doc, "", withSiblings);
        assertThat(withSiblings).isEmpty();
    }

    /** Collects where a {@code $ref} has siblings, which OpenAPI 3.0 ignores. */
    private static void refsWithSiblings(JsonNode node, String at, List<String> found) {
        if (node.isObject() && node.has("$ref") && node.size() > 1) {
            found.add(at);
        }
        if (node.isObject()) {
            node.properties().forEach(e -> refsWithSiblings(e.getValue(), at + "/" + e.getKey(), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refsWithSiblings(node.get(i), at + "/" + i, found);
            }
        }
    }

    @Test
    void openApi_schemasSayWhatMayBeNullAndWhatIsAlwaysThere() {
        JsonNode schemas =
                TestServer.json(SERVER.get("/api/v1/openapi.json", null)).at("/components/schemas");
        JsonNode normalized = schemas.at("/Record/properties/normalized");
        for (String f : List.of("names", "nid", "phoneNumber", "gender", "email")) {
            assertThat(normalized.at("/properties/" + f + "/nullable").asBoolean())
                    .as("normalized." + f)
                    .isTrue();
        }
        JsonNode commit = schemas.at("/UploadSummary/properties/commit");
        // OpenAPI 3.0.3: nullable beside a $ref is ignored, and adds null only to a type stated beside it
        assertThat(commit.at("/oneOf/0/$ref").asText()).isEqualTo("#/components/schemas/CommitResult");
        assertThat(commit.at("/oneOf/1/nullable").asBoolean()).isTrue();
        assertThat(commit.at("/oneOf/1/enum/0").isNull()).isTrue();
        assertThat(required(schemas.get("Problem"))).contains("type", "title", "status", "detail", "code");
        for (String s : List.of(
                "UploadSummary",
                "Record",
                "RecordPage",
                "CommitResult",
                "TokenResponse",
                "Violation",
                "User",
                "UserPage",
                "CommitPage",
                "CommittedUpload",
                "LegacyPage",
                "LegacyRecord",
                "LegacyUser",
                "EditResult",
                "HistoryEntry")) {
            JsonNode schema = schemas.get(s);
            assertThat(required(schema)).as("required of " + s).isNotEmpty();
            assertThat(schema.get("properties").fieldNames())
                    .as("properties of " + s)
                    .toIterable()
                    .containsAll(required(schema));
        }
        assertThat(required(schemas.get("UploadSummary"))).contains("commit").doesNotContain("failure");
        assertThat(required(schemas.get("Violation"))).doesNotContain("relatedRow");
        assertThat(schemas.at("/LegacyPage/properties/data/items/$ref").asText())
                .isEqualTo("#/components/schemas/LegacyRecord");
        assertThat(required(schemas.get("LegacyRecord")))
                .contains("phone_number", "names_valid", "nid_valid", "phone_valid", "gender_valid", "email_valid");
        assertThat(schemas.at("/ReadinessChecks/properties").has("warmup")).isTrue();
    }

    private static List<String> required(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("required").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void openApi_recordsFieldFilterTakesBothSpellings() {
        JsonNode doc = TestServer.json(SERVER.get("/api/v1/openapi.json", null));
        List<String> values = new ArrayList<>();
        for (JsonNode p : operation(doc, "/api/v1/uploads/{id}/records", "get").path("parameters")) {
            if ("field".equals(p.get("name").asText())) {
                p.at("/schema/enum").forEach(v -> values.add(v.asText()));
            }
        }
        assertThat(values).contains("phone_number", "phoneNumber");
    }

    /**
     * The document refuses what the server refuses, so that a client checking its requests against it is not refused
     * for one it let through: a username of dots alone, an edit naming nothing.
     */
    @Test
    void openApi_usernamesAndEditsAsTheServerTakesThem() {
        JsonNode doc = TestServer.json(SERVER.get("/api/v1/openapi.json", null));
        List<String> patterns = new ArrayList<>();
        patterns.add(doc.at("/components/schemas/NewAccount/properties/username/pattern")
                .asText());
        doc.at("/paths")
                .forEach(path ->
                        path.forEach(operation -> operation.path("parameters").forEach(p -> {
                            if ("username".equals(p.path("name").asText())) {
                                patterns.add(p.at("/schema/pattern").asText());
                            }
                        })));
        assertThat(patterns).hasSizeGreaterThan(1).allSatisfy(pattern -> {
            Pattern username = Pattern.compile(pattern);
            assertThat(List.of("Jean.Paul_Uwase@rra-01", "a", ".a", "a..", "_".repeat(64)))
                    .allMatch(n -> username.matcher(n).find());
            assertThat(List.of(".", "..", "...", "a b", "", "a".repeat(65), "é"))
                    .noneMatch(n -> username.matcher(n).find());
        });
        assertThat(doc.at("/components/schemas/RecordEdit/minProperties").asInt())
                .isEqualTo(1);
    }

    @Test
    void docsPage_listsRoutes() {
        HttpResponse<String> r = SERVER.get("/api/v1/docs", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("/api/v1/uploads/{id}/records").contains("openapi.json");
    }
}
