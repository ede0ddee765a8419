package rw.intake.sample;

/**
 * What to generate. Same spec, same bytes.
 *
 * @param rows            data records to write (blank rows come on top of these)
 * @param invalidRatio    share of records, 0..1, that carry at least one defect
 * @param seed            the random seed
 * @param referenceYear   "this year" for birth years and the underage rule
 * @param synonyms        write header synonyms ("Full Name", "Mobile", ...) instead of the canonical names
 * @param shuffledColumns write the five columns in a seed-chosen order
 * @param extraColumns    how many unknown columns to add (their headers must map to no field)
 * @param headerRow       the 1-based spreadsheet row of the header (rows above it are blank)
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
        if (rows < 0
                || invalidRatio < 0
                || invalidRatio > 1
                || headerRow < 1
                || extraColumns < 0
                || blankRowRatio < 0
                || blankRowRatio >= 1) {
            throw new IllegalArgumentException("bad sample spec");
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
