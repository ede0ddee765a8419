package rw.intake.server.internal.legacy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.RecordFilter;
import rw.intake.server.internal.upload.RequestParams;
import rw.intake.server.internal.upload.UploadService;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * The upload routes of the first version, kept for its clients: snake_case JSON, trailing slashes, the file in part
 * {@code usersfile}, and "the caller's most recent upload" instead of ids. They wait a bounded time for validation to
 * end, because the first version answered with validated records right after the upload.
 */
public final class LegacyRoutes {
    /** How long a legacy read or commit waits for the upload's validation before answering 409 not ready. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private final UploadService service;
    private final long maxBytes;

    public LegacyRoutes(UploadService service, long maxBytes) {
        this.service = service;
        this.maxBytes = maxBytes;
    }

    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/api/v1/upload/", this::upload);
        routes.get("/api/v1/validatedusers/", this::validatedUsers);
        routes.post("/api/v1/commit/", this::commit);
        routes.get("/api/v1/savedusers/", this::savedUsers);
    }

    /** {@code {"status":"ok","description":...}}. */
    public record Status(String status, String description) {}

    /** A page in the first version's shape. */
    public record LegacyPage<T>(String status, List<T> data, int page, int size, long totalItems, long totalPages) {
        static <T> LegacyPage<T> of(Page<?> page, List<T> data) {
            return new LegacyPage<>("ok", data, page.page(), page.size(), page.totalItems(), page.totalPages());
        }
    }

    /** A violation, snake_case. */
    public record LegacyError(
            String field,
            String code,
            String severity,
            String message,

            @JsonProperty("related_row") @JsonInclude(JsonInclude.Include.NON_NULL)
            Integer relatedRow) {
        static List<LegacyError> of(List<Violation> violations) {
            List<LegacyError> out = new ArrayList<>(violations.size());
            for (Violation v : violations) {
                out.add(new LegacyError(v.field().key(), v.code(), v.severity().key(), v.message(), v.relatedRow()));
            }
            return out;
        }
    }

    /** A validated (staged) record as the first version listed it: the shown values and per-field validity. */
    public record LegacyRecord(
            int row,
            String names,
            String nid,
            @JsonProperty("phone_number") String phoneNumber,
            String gender,
            String email,
            @JsonProperty("names_valid") boolean namesValid,
            @JsonProperty("nid_valid") boolean nidValid,
            @JsonProperty("phone_valid") boolean phoneValid,
            @JsonProperty("gender_valid") boolean genderValid,
            @JsonProperty("email_valid") boolean emailValid,
            boolean valid,
            List<LegacyError> errors) {
        static LegacyRecord of(ValidatedRecord r) {
            return new LegacyRecord(
                    r.row(),
                    r.displayValue(Field.NAMES),
                    r.displayValue(Field.NID),
                    r.displayValue(Field.PHONE_NUMBER),
                    r.displayValue(Field.GENDER),
                    r.displayValue(Field.EMAIL),
                    r.valid(Field.NAMES),
                    r.valid(Field.NID),
                    r.valid(Field.PHONE_NUMBER),
                    r.valid(Field.GENDER),
                    r.valid(Field.EMAIL),
                    r.valid(),
                    LegacyError.of(r.violations()));
        }
    }

    /** A committed user, snake_case. */
    public record LegacyUser(
            long id,
            @JsonProperty("upload_id") String uploadId,
            int row,
            String names,
            String nid,
            @JsonProperty("phone_number") String phoneNumber,
            String gender,
            String email,
            @JsonProperty("names_valid") boolean namesValid,
            @JsonProperty("nid_valid") boolean nidValid,
            @JsonProperty("phone_valid") boolean phoneValid,
            @JsonProperty("gender_valid") boolean genderValid,
            @JsonProperty("email_valid") boolean emailValid,
            boolean valid,
            List<LegacyError> errors,
            @JsonProperty("committed_at") Instant committedAt) {
        static LegacyUser of(CommittedUser u) {
            return new LegacyUser(
                    u.id(),
                    u.uploadId(),
                    u.row(),
                    u.names(),
                    u.nid(),
                    u.phoneNumber(),
                    u.gender(),
                    u.email(),
                    u.namesValid(),
                    u.nidValid(),
                    u.phoneValid(),
                    u.genderValid(),
                    u.emailValid(),
                    u.valid(),
                    LegacyError.of(u.errors()),
                    u.committedAt());
        }
    }

    void upload(Context ctx) {
        Principal caller = Principal.of(ctx);
        service.upload(ctx, caller, "usersfile", maxBytes, null);
        ctx.json(new Status("ok", "Data uploaded, records are being validated"));
    }

    void validatedUsers(Context ctx) {
        Principal caller = Principal.of(ctx);
        int page = RequestParams.legacy(ctx, "page");
        int size = RequestParams.legacy(ctx, "size");
        String id = service.latest(caller);
        service.awaitValidation(caller, id, WAIT);
        Page<ValidatedRecord> p = service.records(caller, id, RecordFilter.ALL, page, size);
        List<LegacyRecord> data = new ArrayList<>(p.items().size());
        for (ValidatedRecord r : p.items()) {
            data.add(LegacyRecord.of(r));
        }
        ctx.json(LegacyPage.of(p, data));
    }

    void commit(Context ctx) {
        Principal caller = Principal.of(ctx);
        CommitMode mode = RequestParams.commitMode(ctx);
        String id = service.latest(caller);
        try {
            service.awaitValidation(caller, id, WAIT);
        } catch (ApiException e) {
            // released since: the commit says whether it was committed (409) or not (404)
            if (!e.code().equals("upload.not_found")) {
                throw e;
            }
        }
        service.commit(caller, id, mode);
        ctx.json(new Status("ok", "saved to DB"));
    }

    void savedUsers(Context ctx) {
        Principal caller = Principal.of(ctx);
        Page<CommittedUser> p =
                service.users(caller, RequestParams.legacy(ctx, "page"), RequestParams.legacy(ctx, "size"), null, null);
        List<LegacyUser> data = new ArrayList<>(p.items().size());
        for (CommittedUser u : p.items()) {
            data.add(LegacyUser.of(u));
        }
        ctx.json(LegacyPage.of(p, data));
    }
}
