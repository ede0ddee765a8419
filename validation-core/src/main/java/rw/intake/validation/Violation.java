package rw.intake.validation;

import java.util.Objects;

/**
 * One rule a record breaks: a stable {@code code} (see VALIDATION-RULES.md), its severity, a message for people,
 * and for cross-row rules the row number of the earlier record.
 *
 * @param relatedRow the spreadsheet row of the earlier record for duplicate codes, else {@code null}
 */
public record Violation(Field field, String code, Severity severity, String message, Integer relatedRow) {

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    /** A violation with no related row. */
    public static Violation of(Field field, String code, Severity severity, String message) {
        return new Violation(field, code, severity, message, null);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
