package rw.intake.server.internal.upload;

import java.util.Locale;
import rw.intake.server.internal.http.ApiException;
import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * Which records of an upload a page lists: a status ({@code all}, {@code valid}, {@code invalid}) and at most a
 * field (records with a violation on it) and a code (records with that code).
 *
 * @param status {@code all}, {@code valid} or {@code invalid}
 * @param field  a field or null
 * @param code   a violation code or null
 */
public record RecordFilter(String status, Field field, String code) {

    public static final RecordFilter ALL = new RecordFilter("all", null, null);

    public RecordFilter {
        if (!"all".equals(status) && !"valid".equals(status) && !"invalid".equals(status)) {
            throw new IllegalArgumentException("status must be all, valid or invalid: " + status);
        }
    }

    /** Whether the filter lists {@code r}, as the filter indexes do. */
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
        if (!"all".equals(s) && !"valid".equals(s) && !"invalid".equals(s)) {
            throw RequestParams.invalid("status", "status must be all, valid or invalid");
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
