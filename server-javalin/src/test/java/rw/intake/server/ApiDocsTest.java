package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.router.ParsedEndpoint;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class ApiDocsTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static String norm(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Test
    void openApi_coversEveryRoute() {
        HttpResponse<String> r = SERVER.get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = TestServer.json(r);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + norm(p.getKey()))));
        Set<String> routed = new TreeSet<>();
        for (ParsedEndpoint e : SERVER.app().unsafe.internalRouter.allHttpHandlers()) {
            if (!e.endpoint.method.isHttpMethod()) {
                continue; // before/after filters
            }
            routed.add(e.endpoint.method.name() + " " + norm(e.endpoint.path));
        }
        assertThat(routed).isNotEmpty();
        assertThat(documented).containsAll(routed);
        assertThat(routed).containsAll(documented);
    }

    @Test
    void docsPage_listsRoutes() {
        HttpResponse<String> r = SERVER.get("/api/v1/docs", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("/api/v1/uploads/{id}/records").contains("openapi.json");
    }
}
