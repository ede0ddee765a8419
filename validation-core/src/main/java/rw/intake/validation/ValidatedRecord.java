package rw.intake.validation;

import java.util.List;
import java.util.Objects;

/**
 * A record with its verdict: the raw values, the normalized values, every violation (errors and warnings, in
 * field order), and whether it is valid (no violation of severity {@link Severity#ERROR}).
 */
public record ValidatedRecord(RawRecord raw, Normalized normalized, List<Violation> violations, boolean valid) {

    public ValidatedRecord {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(normalized, "normalized");
        violations = List.copyOf(violations);
        if (valid == anyError(violations)) {
            throw new IllegalArgumentException("valid must be true exactly when there is no error");
        }
    }

    /** A validated record whose validity is derived from its violations. */
    public static ValidatedRecord of(RawRecord raw, Normalized normalized, List<Violation> violations) {
        return new ValidatedRecord(raw, normalized, violations, !anyError(violations));
    }

    private static boolean anyError(List<Violation> violations) {
        for (Violation v : violations) {
            if (v.isError()) {
                return true;
            }
        }
        return false;
    }

    public int row() {
        return raw.row();
    }

    /** Whether this field has no violation of severity error. */
    public boolean valid(Field field) {
        for (Violation v : violations) {
            if (v.field() == field && v.isError()) {
                return false;
            }
        }
        return true;
    }

    public boolean hasWarnings() {
        for (Violation v : violations) {
            if (!v.isError()) {
                return true;
            }
        }
        return false;
    }

    /** Whether some violation has this code. */
    public boolean has(String code) {
        for (Violation v : violations) {
            if (v.code().equals(code)) {
                return true;
            }
        }
        return false;
    }

    /** The value to show and store for a field: the normalized value where the field is valid, else the raw text. */
    public String displayValue(Field field) {
        String n = normalized.value(field);
        return n != null ? n : Text.strip(raw.value(field));
    }
}
