package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.storage.RecordEdit;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/** The handlers of the current upload, record, commit and user routes. HTTP only; the work is the service's. */
final class UploadRoutes {
    static final String BASE = "/api/v1/uploads";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters a value of an edit may have at most. */
    static final int MAX_VALUE_CHARACTERS = 1000;
    /** The fields an edit may name, by their names in a record's JSON. */
    private static final Map<String, Field> EDITABLE = editable();

    private static final Set<String> EXCLUDE_BODY = Set.of("status", "field", "code", "excluded", "leftOutAt");

    private final UploadService service;
    private final long maxBytes;

    UploadRoutes(UploadService service, long maxBytes) {
        this.service = service;
        this.maxBytes = maxBytes;
    }

    void create(Context ctx) {
        Principal caller = Principal.of(ctx);
        UploadSummary summary = service.upload(ctx, caller, "file", maxBytes, ctx.queryParam("sheet"));
        ctx.status(202).header("Location", BASE + "/" + summary.id()).json(summary);
    }

    void list(Context ctx) {
        ctx.json(service.list(Principal.of(ctx)));
    }

    /**
     * {@code GET .../{id}}, with {@code wait} (seconds, 0 to {@value UploadService#MAX_WAIT_SECONDS}): answered
     * once the upload is no longer validating or the wait has passed, whichever is first; the request's thread is
     * not held meanwhile.
     */
    void summary(Context ctx) {
        Principal caller = Principal.of(ctx);
        String id = ctx.pathParam("id");
        int wait = RequestParams.seconds(ctx, "wait");
        if (wait == 0) {
            ctx.json(service.summary(caller, id));
            return;
        }
        CompletableFuture<UploadSummary> answer = service.summaryWhenSettled(caller, id, Duration.ofSeconds(wait));
        ctx.future(() -> answer.thenAccept(ctx::json));
    }

    void records(Context ctx) throws IOException {
        Principal caller = Principal.of(ctx);
        RecordFilter filter =
                RecordFilter.parse(ctx.queryParam("status"), ctx.queryParam("field"), ctx.queryParam("code"));
        int page = RequestParams.page(ctx);
        int size = RequestParams.size(ctx);
        PageJson json = service.recordsJson(caller, ctx.pathParam("id"), filter, page, size);
        ctx.contentType(ContentType.APPLICATION_JSON);
        if (ctx.header(Header.ACCEPT_ENCODING) == null) {
            // never compressed then: the length lets Jetty send the page in one write, not chunked
            ctx.res().setContentLength(json.length());
        }
        json.writeTo(ctx.outputStream());
    }

    /**
     * {@code PATCH .../records/{row}}: any of the five values and {@code excluded}; answers the record, with its
     * {@code ETag}, and the changed rows. With {@code If-Match}, only if the record's tag is one of it (else 412
     * {@code record.changed}, with the tag it has now): an edit made meanwhile by another tab or user is not undone.
     */
    void edit(Context ctx) {
        Principal caller = Principal.of(ctx);
        BigInteger row = row(ctx);
        JsonNode body = RequestBodies.jsonObject(ctx);
        Map<Field, String> values = new EnumMap<>(Field.class);
        Boolean exclude = null;
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            if ("excluded".equals(name)) {
                if (!value.isBoolean()) {
                    throw invalidValue(name, "excluded must be true or false");
                }
                exclude = value.booleanValue();
                continue;
            }
            Field field = EDITABLE.get(name);
            if (field == null) {
                throw new ApiException(
                        400,
                        "record.unknown_field",
                        "Bad Request",
                        "unknown field '" + name
                                + "': a record has names, nid, phoneNumber, gender, email and excluded",
                        Map.of("field", name),
                        Map.of());
            }
            if (!value.isTextual()) {
                throw invalidValue(name, name + " must be a string");
            }
            String text = value.textValue();
            if (text.codePointCount(0, text.length()) > MAX_VALUE_CHARACTERS) {
                throw new ApiException(
                        400,
                        "record.value_too_long",
                        "Bad Request",
                        name + " has more than " + MAX_VALUE_CHARACTERS + " characters",
                        Map.of("field", name, "limit", MAX_VALUE_CHARACTERS),
                        Map.of());
            }
            // a cell's text, trimmed as a sheet's is when read
            values.put(field, Text.strip(text));
        }
        if (values.isEmpty() && exclude == null) {
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "the body must name at least one of names, nid, phoneNumber, gender, email, excluded");
        }
        Boolean excluded = exclude;
        // If-Match sent on several lines is one list (RFC 9110 section 5.3)
        List<String> matches = Collections.list(ctx.req().getHeaders(Header.IF_MATCH));
        String ifMatch = matches.isEmpty() ? null : String.join(",", matches);
        Upload.Edited edited =
                atRow(ctx, row, r -> service.edit(caller, ctx.pathParam("id"), r, values, excluded, ifMatch));
        ctx.header(Header.ETAG, edited.tag());
        ctx.json(new EditView(tree(edited.record()), edited.changed()));
    }

    /** The last segment of the route that excludes by a filter. */
    static final String EXCLUDE = "exclude";

    /**
     * {@code POST .../records/exclude}: {@code {"status","field","code","excluded","leftOutAt"}}; answers
     * {@code {"matched","changed","at"}}.
     */
    void exclude(Context ctx) {
        Principal caller = Principal.of(ctx);
        JsonNode body = RequestBodies.jsonObject(ctx);
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String name = e.getKey();
            if (!EXCLUDE_BODY.contains(name)) {
                throw ApiException.badRequest(
                        "request.invalid_body",
                        "unknown property '" + name + "': the body has status, field, code, excluded and leftOutAt");
            }
        }
        JsonNode excluded = body.get("excluded");
        if (excluded == null || !excluded.isBoolean()) {
            throw invalidValue("excluded", "excluded must be true or false");
        }
        RecordFilter filter = RecordFilter.parse(text(body, "status"), text(body, "field"), text(body, "code"));
        Instant leftOutAt = leftOutAt(body, excluded.booleanValue());
        ctx.json(service.exclude(caller, ctx.pathParam("id"), filter, excluded.booleanValue(), leftOutAt));
    }

    /** {@code leftOutAt}: absent, or the {@code at} of a leave-out's answer, with which records are put back. */
    private static Instant leftOutAt(JsonNode body, boolean excluded) {
        JsonNode given = body.get("leftOutAt");
        if (given == null) {
            return null;
        }
        String at = given.isTextual() ? given.textValue() : "";
        if (excluded) {
            throw invalidValue(
                    "leftOutAt",
                    "leftOutAt names the records a leave-out left out, to put them back: excluded must be false");
        }
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw invalidValue(
                    "leftOutAt",
                    "leftOutAt must be the \"at\" of a leave-out's answer, a time such as 2026-05-04T09:30:00.123456Z");
        }
    }

    /** {@code GET .../records/{row}}: the record with its {@code history}, and its tag as {@code ETag}. */
    void record(Context ctx) {
        Principal caller = Principal.of(ctx);
        Upload.Detail detail = atRow(ctx, row(ctx), r -> service.record(caller, ctx.pathParam("id"), r));
        ObjectNode node = (ObjectNode) tree(detail.record());
        List<Views.HistoryView> history = new ArrayList<>(detail.history().size());
        for (RecordEdit e : detail.history()) {
            history.add(new Views.HistoryView(e.field(), e.oldValue(), e.newValue(), e.account(), e.at()));
        }
        node.putPOJO("history", history);
        ctx.header(Header.ETAG, detail.tag());
        ctx.json(node);
    }

    /** {@code {"record","changed"}}. */
    record EditView(JsonNode record, List<Views.ChangedView> changed) {}

    void commit(Context ctx) {
        Principal caller = Principal.of(ctx);
        ctx.json(service.commit(caller, ctx.pathParam("id"), RequestParams.commitMode(ctx)));
    }

    /** {@code GET .../commit-preview}: what the commit would answer now in either mode. */
    void commitPreview(Context ctx) {
        ctx.json(service.commitPreview(Principal.of(ctx), ctx.pathParam("id")));
    }

    void delete(Context ctx) {
        service.delete(Principal.of(ctx), ctx.pathParam("id"));
        ctx.status(204);
    }

    void commits(Context ctx) {
        ctx.json(Views.page(
                service.commits(Principal.of(ctx), RequestParams.page(ctx), RequestParams.size(ctx)),
                Views.CommitView::of));
    }

    void users(Context ctx) {
        Principal caller = Principal.of(ctx);
        int page = RequestParams.page(ctx);
        int size = RequestParams.size(ctx);
        String uploadId = ctx.queryParam("uploadId");
        ctx.json(Views.page(
                service.users(
                        caller,
                        page,
                        size,
                        uploadId == null || uploadId.isBlank() ? null : uploadId,
                        RequestParams.bool(ctx, "valid")),
                Views.UserView::of));
    }

    /** The path's row, as asked: 400 {@code request.invalid_parameter} unless a number from 1. */
    private static BigInteger row(Context ctx) {
        String v = ctx.pathParam("row");
        if (EXCLUDE.equals(v)) {
            // .../records/exclude is a route of its own, for POST only; any other method matched records/{row}
            throw ApiException.methodNotAllowed("POST");
        }
        // the path's text as it is: a row number with a space or a line break around it is no row number
        if (RequestParams.asciiDigits(v) && !v.matches("0+")) {
            return new BigInteger(v);
        }
        throw RequestParams.invalid("row", "row must be a spreadsheet row number from 1: " + v);
    }

    /**
     * Answers a route of one record for {@code row}. A number past the int range is past every sheet's rows: the
     * upload is checked as for any row (404 {@code upload.not_found}, 409 while validating...), and the 404
     * {@code record.not_found} names the row as asked.
     */
    private static <T> T atRow(Context ctx, BigInteger row, IntFunction<T> route) {
        if (row.bitLength() < Integer.SIZE) {
            return route.apply(row.intValue());
        }
        try {
            return route.apply(Integer.MAX_VALUE);
        } catch (ApiException ex) {
            throw "record.not_found".equals(ex.code()) ? Upload.recordNotFound(ctx.pathParam("id"), row) : ex;
        }
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A filter member: absent is any; null is refused, as any value not a string (a client that sends an unset member
     * as null does not mean every record).
     */
    private static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw invalidValue(name, name + " must be a string (left out, the filter takes any " + name + ")");
        }
        return v.textValue();
    }

    private static ApiException invalidValue(String field, String detail) {
        return new ApiException(400, "record.invalid_value", "Bad Request", detail, Map.of("field", field), Map.of());
    }

    private static Map<String, Field> editable() {
        Map<String, Field> m = new HashMap<>();
        for (Field f : Field.values()) {
            m.put(Upload.apiName(f), f);
        }
        return Map.copyOf(m);
    }
}
