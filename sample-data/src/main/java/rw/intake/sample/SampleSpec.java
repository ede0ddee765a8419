package rw.intake.sample;

import rw.intake.sample.internal.RecordGenerator;

/**
 * What to generate. Same spec, same bytes.
 *
 * @param rows            data records to write (blank rows come on top of these)
 * @param invalidRatio    share of records, 0..1, that carry at least one defect (NaN is refused)
 * @param seed            the random seed
 * @param referenceYear   "this year" for birth years and the underage rule
 * @param synonyms        write header synonyms ("Full Name", "Mobile", ...) instead of the canonical names
 * @param shuffledColumns write the five columns in a seed-chosen order
 * @param extraColumns    how many unknown columns to add (their headers must map to no field), at most 16,379: with
 *                        the five fields, the 16,384 columns of a sheet
 * @param headerRow       the 1-based spreadsheet row of the header (rows above it are blank), at most 1,048,576
 * @param blankRowRatio   share of blank data rows scattered among the records, 0..1
 */
public record SampleSpec(
        int rows,
        double invalidRatio,
        long seed,
        int referenceYear,
        boolean synonyms,
        boolean shuffledColumns,
        int extraColumns,
        int headerRow,
        double blankRowRatio) {

    public SampleSpec {
        String wrong = rows < 0
                ? "rows below 0: " + rows
                : !(invalidRatio >= 0 && invalidRatio <= 1)
                        ? "invalid ratio outside 0..1: " + invalidRatio
                        : headerRow < 1 || headerRow > RecordGenerator.MAX_SHEET_ROW
                                ? "header row outside 1.." + RecordGenerator.MAX_SHEET_ROW + ": " + headerRow
                                : extraColumns < 0 || extraColumns > RecordGenerator.MAX_EXTRA_COLUMNS
                                        ? "extra columns outside 0.." + RecordGenerator.MAX_EXTRA_COLUMNS + ": "
                                                + extraColumns
                                        : !(blankRowRatio >= 0 && blankRowRatio < 1)
                                                ? "blank ratio outside 0..1 (1 excluded): " + blankRowRatio
                                                : null;
        if (wrong != null) {
            throw new IllegalArgumentException(wrong);
        }
    }

    /** Plain workbook: canonical headers in row 1, 10% invalid records, no blank rows. */
    public static SampleSpec of(int rows, long seed) {
        return new SampleSpec(
                rows,
                0.10,
                seed,
                java.time.Year.now(java.time.ZoneId.systemDefault()).getValue(),
                false,
                false,
                0,
                1,
                0.0);
    }

    public SampleSpec withInvalidRatio(double ratio) {
        return new SampleSpec(
                rows, ratio, seed, referenceYear, synonyms, shuffledColumns, extraColumns, headerRow, blankRowRatio);
    }

    public SampleSpec withReferenceYear(int year) {
        return new SampleSpec(
                rows, invalidRatio, seed, year, synonyms, shuffledColumns, extraColumns, headerRow, blankRowRatio);
    }

    /** Synonym headers, shuffled columns, {@code extra} unknown columns, the header on {@code headerRow}. */
    public SampleSpec withHeaderVariant(boolean synonyms, boolean shuffled, int extra, int headerRow) {
        return new SampleSpec(
                rows, invalidRatio, seed, referenceYear, synonyms, shuffled, extra, headerRow, blankRowRatio);
    }

    public SampleSpec withBlankRowRatio(double ratio) {
        return new SampleSpec(
                rows, invalidRatio, seed, referenceYear, synonyms, shuffledColumns, extraColumns, headerRow, ratio);
    }
}
