package rw.intake.server.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.util.Locale;
import rw.intake.server.ApiException;
import rw.intake.server.auth.Principal;
import rw.intake.storage.CommitMode;

/** The handlers of the current upload, record, commit and user routes. HTTP only; the work is the service's. */
final class UploadRoutes {
    static final String BASE = "/api/v1/uploads";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UploadService service;
    private final long maxBytes;

    UploadRoutes(UploadService service, long maxBytes) {
        this.service = service;
        this.maxBytes = maxBytes;
    }

    void create(Context ctx) {
        Principal caller = Principal.of(ctx);
        IncomingFile file = IncomingFile.read(ctx, "file", maxBytes);
        UploadSummary summary = service.accept(caller, file, ctx.queryParam("sheet"));
        ctx.status(202).header("Location", BASE + "/" + summary.id()).json(summary);
    }

    void list(Context ctx) {
        ctx.json(service.list(Principal.of(ctx)));
    }

    void summary(Context ctx) {
        ctx.json(service.summary(Principal.of(ctx), ctx.pathParam("id")));
    }

    void records(Context ctx) throws IOException {
        Principal caller = Principal.of(ctx);
        RecordFilter filter = RecordFilter.parse(ctx.queryParam("status"), ctx.queryParam("field"), ctx.queryParam("code"));
        int page = RequestParams.page(ctx);
        int size = RequestParams.size(ctx);
        byte[] json = service.recordsJson(caller, ctx.pathParam("id"), filter, page, size);
        ctx.contentType(ContentType.APPLICATION_JSON);
        if (ctx.header(Header.ACCEPT_ENCODING) == null) {
            // never compressed then: the length lets Jetty send the page in one write, not chunked
            ctx.res().setContentLength(json.length);
        }
        ctx.outputStream().write(json);
    }

    void commit(Context ctx) {
        Principal caller = Principal.of(ctx);
        ctx.json(service.commit(caller, ctx.pathParam("id"), mode(ctx)));
    }

    void delete(Context ctx) {
        service.delete(Principal.of(ctx), ctx.pathParam("id"));
        ctx.status(204);
    }

    void users(Context ctx) {
        Principal caller = Principal.of(ctx);
        int page = RequestParams.page(ctx);
        int size = RequestParams.size(ctx);
        String uploadId = ctx.queryParam("uploadId");
        ctx.json(Views.page(service.users(caller, page, size, uploadId == null || uploadId.isBlank() ? null : uploadId,
                RequestParams.bool(ctx, "valid")), Views.UserView::of));
    }

    /** The optional body {@code {"records":"all"|"valid"}}; an empty body means all. */
    private static CommitMode mode(Context ctx) {
        String body = ctx.body();
        if (body == null || body.isBlank()) {
            return CommitMode.ALL;
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException ex) {
            throw ApiException.badRequest("request.invalid_body", "the body must be JSON like {\"records\":\"valid\"}");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("request.invalid_body",
                    "the body must be a JSON object like {\"records\":\"valid\"}, or empty");
        }
        JsonNode records = node.get("records");
        if (records == null || records.isNull()) {
            return CommitMode.ALL;
        }
        if (!records.isTextual()) {
            throw RequestParams.invalid("records", "records must be \"all\" or \"valid\"");
        }
        return switch (records.asText().toLowerCase(Locale.ROOT)) {
            case "all" -> CommitMode.ALL;
            case "valid" -> CommitMode.VALID;
            default -> throw RequestParams.invalid("records", "records must be \"all\" or \"valid\"");
        };
    }
}
