package rw.intake.server.internal.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The OpenAPI 3 document ({@code /api/v1/openapi.json}) and a plain human page made from it ({@code /api/v1/docs}). */
public final class ApiDocs {

    private final byte[] json;
    private final String html;

    private ApiDocs(byte[] json, String html) {
        this.json = json;
        this.html = html;
    }

    public static ApiDocs load(ObjectMapper mapper) {
        try (InputStream in = ApiDocs.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the classpath");
            }
            JsonNode doc = mapper.readTree(in);
            return new ApiDocs(mapper.writeValueAsBytes(doc), page(doc));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public void openApi(Context ctx) {
        ctx.contentType("application/json").result(json);
    }

    public void page(Context ctx) {
        ctx.html(html);
    }

    private static String page(JsonNode doc) {
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(doc.path("info").path("title").asText()))
                .append(
                        "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                                + "code{background:#eee;padding:0 .3em}td{vertical-align:top;padding:.3em}</style></head><body>")
                .append("<h1>")
                .append(escape(doc.path("info").path("title").asText()))
                .append("</h1><p>")
                .append(escape(doc.path("info").path("description").asText()))
                .append("</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">openapi.json</a></p><table>");
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                sb.append("<tr><td><code>")
                        .append(op.getKey().toUpperCase(java.util.Locale.ROOT))
                        .append(' ')
                        .append(escape(path.getKey()))
                        .append("</code></td><td><b>")
                        .append(escape(op.getValue().path("summary").asText()))
                        .append("</b><br>")
                        .append(escape(op.getValue().path("description").asText()))
                        .append("</td></tr>");
            }
        }
        return sb.append("</table></body></html>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
