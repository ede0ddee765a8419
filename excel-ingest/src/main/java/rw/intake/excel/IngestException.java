package rw.intake.excel;

import java.util.Map;

/**
 * The root of every exception this module throws. A rejected workbook carries a stable {@code code} from
 * VALIDATION-RULES.md ({@code file.corrupt}, {@code file.too_large}, ...), a message a clerk understands, and
 * details (the limit that was hit, the headers found, ...).
 */
public class IngestException extends RuntimeException {
    /** Neither an .xlsx workbook nor CSV text (legacy .xls, PDF, random bytes, a zip that holds no workbook). */
    public static final String UNSUPPORTED_FORMAT = "file.unsupported_format";
    /** The zip or its XML is broken or truncated, the workbook is protected with a password, or a CSV is malformed. */
    public static final String CORRUPT = "file.corrupt";
    /** Over the byte limit, or the workbook inflates past the inflate limit. */
    public static final String TOO_LARGE = "file.too_large";
    /** More data rows than the row limit. */
    public static final String TOO_MANY_ROWS = "file.too_many_rows";
    /** No header, or a header and no data rows. */
    public static final String EMPTY = "file.empty";
    /** One of the five fields has no column. */
    public static final String MISSING_COLUMNS = "file.missing_columns";
    /** Two columns map to the same field. */
    public static final String DUPLICATE_COLUMNS = "file.duplicate_columns";
    /** Extension of this module (not in VALIDATION-RULES.md): the sheet the client named is not in the workbook. */
    public static final String SHEET_NOT_FOUND = "file.sheet_not_found";

    /**
     * Extension of this module: a mapped cell holds more than {@link #MAX_CELL_CHARS} characters, more than a
     * spreadsheet program lets a cell hold (such a file was made by hand; the value could not be stored whole).
     */
    public static final String CELL_TOO_LONG = "file.cell_too_long";

    /** The most characters a mapped cell may hold: Excel's own limit per cell. */
    public static final int MAX_CELL_CHARS = 32_767;

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
