package rw.intake.excel;

/**
 * Limits on what a workbook may cost to read.
 *
 * @param maxBytes         the largest workbook accepted, in bytes (default 128 MiB: a 1,000,000-row list written by a
 *                         spreadsheet program is about 53 MB)
 * @param maxInflatedBytes the most bytes the workbook's parts may inflate to, all together (zip-bomb defence)
 * @param maxRows          the most data rows (records plus blank rows) in the sheet (default 1,000,000)
 */
public record ReadLimits(long maxBytes, long maxInflatedBytes, int maxRows) {

    public static final long DEFAULT_MAX_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_MAX_INFLATED_BYTES = 1024L * 1024 * 1024;
    public static final int DEFAULT_MAX_ROWS = 1_000_000;

    public ReadLimits {
        if (maxBytes <= 0 || maxInflatedBytes <= 0 || maxRows <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ReadLimits defaults() {
        return new ReadLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_ROWS);
    }
}
