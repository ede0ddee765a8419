package rw.intake.excel;

/**
 * Limits on what a workbook may cost to read.
 *
 * @param maxBytes         the largest workbook accepted, in bytes (default 128 MiB: a 1,000,000-row list written by a
 *                         spreadsheet program is about 53 MB)
 * @param maxInflatedBytes the most bytes the workbook's parts may inflate to, all together (zip-bomb defence)
 * @param maxRows          the most data rows (records plus blank rows) in the sheet (default 1,000,000)
 * @param maxSharedStringsBytes the most memory a workbook's shared strings may take once read: their text in UTF-8
 *                         plus 4 bytes an item (default 256 MiB; a spreadsheet program's 1,000,000-row list takes
 *                         about 75 MB). A few MB of zip can hold hundreds of MB of them, which a cell can ask for all
 *                         of by naming the last.
 */
public record ReadLimits(long maxBytes, long maxInflatedBytes, int maxRows, long maxSharedStringsBytes) {

    public static final long DEFAULT_MAX_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_MAX_INFLATED_BYTES = 1024L * 1024 * 1024;
    public static final int DEFAULT_MAX_ROWS = 1_000_000;
    public static final long DEFAULT_MAX_SHARED_STRINGS_BYTES = 256L * 1024 * 1024;

    public ReadLimits {
        if (maxBytes <= 0 || maxInflatedBytes <= 0 || maxRows <= 0 || maxSharedStringsBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** The limits given, and the default {@link #maxSharedStringsBytes}. */
    public ReadLimits(long maxBytes, long maxInflatedBytes, int maxRows) {
        this(maxBytes, maxInflatedBytes, maxRows, DEFAULT_MAX_SHARED_STRINGS_BYTES);
    }

    public static ReadLimits defaults() {
        return new ReadLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_ROWS);
    }
}
