package rw.intake.excel;

import java.util.Map;

/**
 * The root of every exception this module throws. A rejected workbook carries a stable {@code code} from
 * VALIDATION-RULES.md ({@code file.corrupt}, {@code file.too_large}, ...), a message a clerk understands, and
 * details (the limit that was hit, the headers found, ...).
 */
public class IngestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final transient Map<String, Object> details;

    public IngestException(String code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public IngestException(String code, String message, Map<String, Object> details) {
        this(code, message, details, null);
    }

    /** The stable code, e.g. {@code file.missing_columns}. */
    public String code() {
        return code;
    }

    /** Extra facts for the client (limits, headers found, missing fields); never null. */
    public Map<String, Object> details() {
        return details;
    }
}
