package rw.intake.excel.internal;

/**
 * A worksheet's rows, one at a time, as the header search and the records read them: fastexcel-reader's
 * ({@link FastexcelSheet}) or the plain reader's ({@link PlainSheetRows}).
 */
interface SheetRowSource {

    /** Moves to the next row in the XML; false after the last. */
    boolean advance();

    /** The current row's number (1-based, as the spreadsheet shows it). */
    int rowNum();

    /** The current row's columns, up to its last cell. */
    int cellCount();

    /**
     * The trimmed text of the current row's cell at the 0-based column, as {@link CellValues#text} gives it; "" if
     * there is none. After {@link #wanted}, only those columns.
     */
    String text(int column);

    /** Whether that cell holds a number ({@link CellValues#isNumeric}). */
    boolean numeric(int column);

    /**
     * Whether the current row's cell at the 0-based column, wanted or not, holds a value: a text that is not blank, or
     * a value not of its cell's type (which {@link #text} refuses).
     */
    boolean hasValue(int column);

    /**
     * The last row the sheet says it holds ({@code <dimension ref="A1:E1000001">}: 1,000,001), a hint that nothing
     * checks; -1 if it says none.
     */
    default int dimensionLastRow() {
        return -1;
    }

    /** From the next row on, only these columns are asked for. */
    void wanted(int[] columns);

    /** Lets go of what the rows hold. */
    void close();
}
