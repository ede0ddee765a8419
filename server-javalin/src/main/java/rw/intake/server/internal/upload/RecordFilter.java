package rw.intake.server.internal.upload;

import java.util.Locale;
import java.util.Set;
import rw.intake.server.internal.http.ApiException;
import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * Which records of an upload a page lists: a status ({@code all}, {@code valid}, {@code invalid}, or {@code excluded}:
 * the records left out of the commit, valid or not) and at most a field (records with a violation on it) and a code
 * (records with that code).
 *
 * @param status {@code all}, {@code valid}, {@code invalid} or {@code excluded}
 * @param field  a field or null
 * @param code   a violation code or null
 */
public record RecordFilter(String status, Field field, String code) {

    private static final Set<String> STATUSES = Set.of("all", "valid", "invalid", "excluded");

    public static final RecordFilter ALL = new RecordFilter("all", null, null);

    public RecordFilter {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be all, valid, invalid or excluded: " + status);
        }
    }

    /**
     * Whether the filter lists {@code r}, as the filter indexes do; for status {@code excluded}, whether it would list
     * {@code r} if {@code r} is left out.
     */
    boolean matches(ValidatedRecord r) {
        if (("valid".equals(status) && !r.valid()) || ("invalid".equals(status) && r.valid())) {
            return false;
        }
        for (Violation v : r.violations()) {
            if (code != null ? v.code().equals(code) && (field == null || v.field() == field) : v.field() == field) {
                return true;
            }
        }
        return code == null && field == null;
    }

    /**
     * Parses the query parameters; null or blank means no filter.
     *
     * @throws ApiException 400 {@code request.invalid_parameter} for an unknown status or field
     */
    public static RecordFilter parse(String status, String field, String code) {
        String s = status == null || status.isBlank() ? "all" : status.strip().toLowerCase(Locale.ROOT);
        if (!STATUSES.contains(s)) {
            throw RequestParams.invalid("status", "status must be all, valid, invalid or excluded");
        }
        Field f = null;
        if (field != null && !field.isBlank()) {
            String key = field.strip();
            f = "phoneNumber".equalsIgnoreCase(key) || "phone".equalsIgnoreCase(key) ? Field.PHONE_NUMBER : null;
            if (f == null) {
                try {
                    f = Field.fromKey(key);
                } catch (IllegalArgumentException ex) {
                    throw RequestParams.invalid(
                            "field", "field must be one of names, nid, phone_number, gender, email");
                }
            }
        }
        String c = code == null || code.isBlank() ? null : code.strip();
        return new RecordFilter(s, f, c);
    }
}
