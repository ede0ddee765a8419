package rw.intake.server.internal.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import rw.intake.storage.CommittedUpload;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/** The JSON shapes of the current API (camelCase), built from the domain records. */
public final class Views {
    private Views() {}

    /** {@code {"items","page","size","totalItems","totalPages"}}. */
    public record PageView<T>(List<T> items, int page, int size, long totalItems, long totalPages) {}

    /** A violation: {@code field} is the rules' key ({@code phone_number}); relatedRow only for duplicates. */
    public record ErrorView(
            String field,
            String code,
            String severity,
            String message,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer relatedRow) {
        public static ErrorView of(Violation v) {
            return new ErrorView(v.field().key(), v.code(), v.severity().key(), v.message(), v.relatedRow());
        }
    }

    /** Normalized values; a field with an error is null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record NormalizedView(String names, String nid, String phoneNumber, String gender, String email) {
        static NormalizedView of(Normalized n) {
            return new NormalizedView(n.names(), n.nid(), n.phoneNumber(), n.gender(), n.email());
        }
    }

    /**
     * A staged record: the raw cell texts (as edited), the normalized values, validity and violations, whether it is
     * left out of the commit and whether a value of it was edited.
     */
    public record RecordView(
            int row,
            String names,
            String nid,
            String phoneNumber,
            String gender,
            String email,
            NormalizedView normalized,
            boolean valid,
            List<ErrorView> errors,
            boolean excluded,
            boolean edited) {
        /** A record neither left out nor edited. */
        public static RecordView of(ValidatedRecord r) {
            return of(r, false, false);
        }

        public static RecordView of(ValidatedRecord r, boolean excluded, boolean edited) {
            RawRecord raw = r.raw();
            return new RecordView(
                    raw.row(),
                    raw.names(),
                    raw.nid(),
                    raw.phoneNumber(),
                    raw.gender(),
                    raw.email(),
                    NormalizedView.of(r.normalized()),
                    r.valid(),
                    errorViews(r.violations()),
                    excluded,
                    edited);
        }
    }

    /** One change of a staged record: the field (or {@code excluded}), the values before and after, who and when. */
    public record HistoryView(String field, String from, String to, String by, Instant at) {}

    /** A row whose verdict an edit of another row changed, and whether it is valid now. */
    public record ChangedView(int row, boolean valid) {}

    /**
     * {@code {"matched","changed","at"}}: what leaving out (or putting back) by a filter did: the records it matched,
     * those already in that state included, and those it changed; {@code at} is the time of its edits in their history
     * (no two leave-outs of an upload have the same), which puts back exactly the records a leave-out left out.
     */
    public record Excluded(int matched, int changed, Instant at) {}

    /** {@code {"committed","skipped","conflicts"}}: what a commit in one mode would answer. */
    public record CommitCounts(long committed, long skipped, long conflicts) {}

    /** {@code {"uploadId","all","valid"}}: what a commit of the upload would answer now, in either mode. */
    public record CommitPreview(String uploadId, CommitCounts all, CommitCounts valid) {}

    /** A committed user. */
    public record UserView(
            long id,
            String uploadId,
            int row,
            String names,
            String nid,
            String phoneNumber,
            String gender,
            String email,
            boolean valid,
            boolean nidValid,
            boolean phoneValid,
            boolean emailValid,
            boolean namesValid,
            boolean genderValid,
            List<ErrorView> errors,
            Instant committedAt) {
        public static UserView of(CommittedUser u) {
            return new UserView(
                    u.id(),
                    u.uploadId(),
                    u.row(),
                    u.names(),
                    u.nid(),
                    u.phoneNumber(),
                    u.gender(),
                    u.email(),
                    u.valid(),
                    u.nidValid(),
                    u.phoneValid(),
                    u.emailValid(),
                    u.namesValid(),
                    u.genderValid(),
                    errorViews(u.errors()),
                    u.committedAt());
        }
    }

    /**
     * A committed upload ({@code GET /api/v1/commits}): {@code mode} is what the commit saved, {@code all} or
     * {@code valid} (the commit body's {@code records}); {@code records} the upload's records; {@code sheet} the
     * worksheet its records were read from, absent for an upload committed before it was kept.
     */
    public record CommitView(
            String uploadId,
            String fileName,
            String owner,
            String mode,
            long records,
            long committed,
            long skipped,
            long conflicts,
            Instant committedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String sheet) {
        public static CommitView of(CommittedUpload u) {
            return new CommitView(
                    u.uploadId(),
                    u.fileName(),
                    u.owner(),
                    u.mode().name().toLowerCase(Locale.ROOT),
                    u.records(),
                    u.committed(),
                    u.skipped(),
                    u.conflicts(),
                    u.committedAt(),
                    u.sheet());
        }
    }

    public static List<ErrorView> errorViews(List<Violation> violations) {
        List<ErrorView> out = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            out.add(ErrorView.of(v));
        }
        return out;
    }

    public static <T, V> PageView<V> page(Page<T> page, Function<T, V> view) {
        List<V> items = new ArrayList<>(page.items().size());
        for (T t : page.items()) {
            items.add(view.apply(t));
        }
        return new PageView<>(items, page.page(), page.size(), page.totalItems(), page.totalPages());
    }
}
