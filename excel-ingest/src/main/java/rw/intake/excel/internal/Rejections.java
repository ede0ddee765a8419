package rw.intake.excel.internal;

import com.fasterxml.jackson.core.JacksonException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rw.intake.excel.IngestException;
import rw.intake.validation.Field;

/** Every refusal of a workbook, with the message a clerk reads and the details a client can use. */
public final class Rejections {

    private Rejections() {}

    public static IngestException unsupported(String found) {
        return new IngestException(
                IngestException.UNSUPPORTED_FORMAT,
                "The file is neither an Excel workbook (.xlsx) nor a CSV file; it looks like " + found
                        + ". Save it from Excel or LibreOffice as \"Excel Workbook (.xlsx)\" or as \"CSV UTF-8\" and"
                        + " upload it again.",
                Map.of("detected", found));
    }

    /** The message names what is broken; the library's own words go to the details ({@code error}), not to it. */
    /** A number cell's value longer than {@link CellValues#MAX_NUMBER_CHARS}, in a part or on a row. */
    public static IngestException numberTooLong(String where, long length) {
        return corrupt(
                String.format(
                        Locale.ROOT,
                        "%s has a number cell of %,d characters (a spreadsheet number has at most %,d)",
                        where,
                        length,
                        CellValues.MAX_NUMBER_CHARS),
                null);
    }

    public static IngestException corrupt(String what, Throwable cause) {
        String error = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        return new IngestException(
                IngestException.CORRUPT,
                "The workbook cannot be read: " + what + ". Open it in Excel, save it again and upload the new file.",
                Map.of("reason", what, "error", error),
                cause);
    }

    /**
     * A CSV file that cannot be read; {@code line} is the file's line where the fault is (1-based). The parser's own
     * words go to the details without their location, which quotes the start of the file (people's data) even with
     * {@code INCLUDE_SOURCE_IN_LOCATION} off.
     */
    public static IngestException csvCorrupt(String what, long line, Throwable cause) {
        String error = cause instanceof JacksonException j && j.getOriginalMessage() != null
                ? j.getOriginalMessage()
                : cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        return new IngestException(
                IngestException.CORRUPT,
                "The CSV file cannot be read at line " + line + ": " + what + ". Correct that line, or save the list"
                        + " again as \"CSV UTF-8\", and upload it again.",
                Map.of("reason", what, "line", line, "error", error),
                cause);
    }

    /**
     * A shared-string cell whose index the workbook's shared strings do not hold (an index past them, or a workbook
     * without them): the texts of its cells are lost, as a spreadsheet program would show.
     */
    public static IngestException missingSharedString(int row, int index, int count) {
        return corrupt(
                "row " + row + " refers to shared string " + index + ", but the workbook's shared strings hold "
                        + (count == 0 ? "none" : count == 1 ? "only 1" : "only " + count),
                null);
    }

    /**
     * Shared-string indexes of this many digits name more items than a workbook within any inflate limit holds (each
     * item takes at least 12 bytes): refused before a reader looks for them (fastexcel-reader reads the table up to
     * the index, keeping every item).
     */
    public static final int IMPOSSIBLE_INDEX_DIGITS = 10;

    /** A shared-string cell whose index has {@link #IMPOSSIBLE_INDEX_DIGITS} digits or more. */
    public static IngestException impossibleSharedString(int row, CharSequence index) {
        return corrupt(
                "row " + row + " refers to shared string " + index + ", more than a workbook's shared strings hold",
                null);
    }

    /** A number or boolean cell whose value is not one (a number cell holding {@code 12abc}). */
    public static IngestException valueNotOfItsType(int row, int column) {
        return corrupt(
                "the cell " + HeaderMapper.columnName(column) + row + " holds a value its type does not allow (a number"
                        + " or a boolean that is not one)",
                null);
    }

    public static IngestException passwordProtected() {
        return new IngestException(
                IngestException.CORRUPT,
                "The workbook is protected with a password. Remove the password in Excel (File > Info > Protect"
                        + " Workbook), save it and upload it again.",
                Map.of("reason", "protected with a password"));
    }

    public static IngestException tooLarge(long size, long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The file is " + bytes(size) + "; the largest file accepted is " + bytes(limit) + ".",
                Map.of("size", size, "limit", limit, "limitName", "maxBytes"));
    }

    public static IngestException inflatesTooLarge(long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The workbook unpacks to more than " + bytes(limit) + " of data, the most accepted. Split the list"
                        + " into smaller files.",
                Map.of("limit", limit, "limitName", "maxInflatedBytes"));
    }

    public static IngestException tooManyEntries(int limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The workbook's zip holds more than " + limit + " entries; a workbook holds tens of parts.",
                Map.of("limit", limit, "limitName", "maxZipEntries"));
    }

    /**
     * Past the row limit at {@code row}, with {@code records} read above it: when most rows above it are blank, a value
     * written far below a short list (a stray mark, a note) is the likely cause, and the message says so.
     */
    public static IngestException tooManyRows(int limit, int row, long records) {
        String base = String.format(
                Locale.ROOT,
                "The sheet has more than %,d data rows, the most accepted in one file (row %,d is over the limit;"
                        + " blank rows between the header and the last value count).",
                limit,
                row);
        String advice = records * 2 < limit
                ? String.format(
                        Locale.ROOT,
                        " Only %,d of the rows above it hold records, the others are blank: if the list is not that"
                                + " long, delete what is written on row %,d and below, and upload the file again.",
                        records,
                        row)
                : " Split the list into smaller files.";
        return new IngestException(
                IngestException.TOO_MANY_ROWS,
                base + advice,
                Map.of("limit", limit, "limitName", "maxRows", "row", row));
    }

    /** Whether {@code sheet} names a CSV file's one sheet, which messages call "the file". */
    private static boolean csv(String sheet) {
        return CsvSheet.SHEET_NAME.equals(sheet);
    }

    /** How a message names where it looked: {@code the sheet "Name"}, or {@code the file} for a CSV file. */
    private static String sheetOf(String sheet) {
        return csv(sheet) ? "the file" : "the sheet \"" + sheet + "\"";
    }

    /** {@link #sheetOf}, to begin a sentence. */
    private static String theSheet(String sheet) {
        String where = sheetOf(sheet);
        return Character.toUpperCase(where.charAt(0)) + where.substring(1);
    }

    public static IngestException noHeader(String sheet) {
        return new IngestException(
                IngestException.EMPTY,
                theSheet(sheet) + " is empty: it has no header row and no data.",
                Map.of("sheet", sheet));
    }

    public static IngestException noData(String sheet, int headerRow) {
        return new IngestException(
                IngestException.EMPTY,
                theSheet(sheet) + " has a header in row " + headerRow + " but no data rows below it.",
                Map.of("sheet", sheet, "headerRow", headerRow));
    }

    public static IngestException cellTooLong(int row, String field, int length) {
        return new IngestException(
                IngestException.CELL_TOO_LONG,
                "Row " + row + ": the " + field + " cell holds " + length + " characters; a cell may hold at most "
                        + IngestException.MAX_CELL_CHARS + ", as in a spreadsheet program.",
                Map.of(
                        "row",
                        row,
                        "field",
                        field,
                        "length",
                        length,
                        "limit",
                        IngestException.MAX_CELL_CHARS,
                        "limitName",
                        "maxCellChars"));
    }

    public static IngestException textTooLarge(int row, long chars, long averageLimit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "By row " + row + " the records hold " + chars + " characters, far more than a list's (at most "
                        + averageLimit + " a record on average are accepted): the workbook repeats long texts in its"
                        + " cells. Shorten those cells, or split the list.",
                Map.of("row", row, "chars", chars, "limit", averageLimit, "limitName", "maxAverageChars"));
    }

    public static IngestException rowTextTooLarge(int row, long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "Row " + row + ": its cells hold more than " + limit + " characters in all, far more than a list's"
                        + " rows: the workbook repeats long texts in its cells. Shorten those cells, or delete the"
                        + " rows above the header that hold them.",
                Map.of("row", row, "limit", limit, "limitName", "maxRowChars"));
    }

    /** A workbook whose shared strings, once read, would take more than {@code limit} bytes of memory. */
    public static IngestException sharedStringsTooLarge(String part, long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The texts that the workbook's cells share (" + part + ") come to more than " + bytes(limit)
                        + " once read, the most accepted: far more than a list holds. Split the list into smaller"
                        + " files, or save it again from a spreadsheet program.",
                Map.of("part", part, "limit", limit, "limitName", "maxSharedStringsBytes"));
    }

    public static IngestException elementTooLarge(String part, long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The part " + part + " of the workbook holds a row, a shared string or a text of more than "
                        + bytes(limit) + ", far more than any spreadsheet program writes (a cell holds at most "
                        + IngestException.MAX_CELL_CHARS + " characters). Save the list again from a spreadsheet"
                        + " program.",
                Map.of("part", part, "limit", limit, "limitName", "maxElementBytes"));
    }

    /**
     * A row (a CSV file's record, from {@code line}) of more than {@code limit} columns, the width of a spreadsheet:
     * no list holds it.
     */
    public static IngestException tooManyColumns(long line, int limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "Row " + line + " holds more than " + limit + " columns, more than a spreadsheet has (its last column"
                        + " is XFD): it is no list. Save the list again from a spreadsheet program.",
                Map.of("row", line, "limit", limit, "limitName", "maxColumns"));
    }

    /** A CSV file's value (in any column) of more than {@code limit} characters, which no list holds. */
    public static IngestException csvValueTooLarge(long line, long limit) {
        return new IngestException(
                IngestException.TOO_LARGE,
                "The CSV file holds a value of more than " + limit + " characters in the record that starts at line "
                        + line + ", far more than any list's (a cell holds at most " + IngestException.MAX_CELL_CHARS
                        + " characters). Correct that record, or save the list again from a spreadsheet program.",
                Map.of("line", line, "limit", limit, "limitName", "maxValueChars"));
    }

    public static IngestException emptyFile() {
        return new IngestException(IngestException.EMPTY, "The file is empty (0 bytes).", Map.of("size", 0L));
    }

    /** The fields {@code missing} have no column; the details name them, with the header names each is known by. */
    public static IngestException missingColumns(
            String sheet, int headerRow, List<Field> missing, List<String> headersFound) {
        List<String> keys = new ArrayList<>();
        Map<String, List<String>> accepted = new LinkedHashMap<>();
        StringBuilder names = new StringBuilder();
        for (Field f : missing) {
            keys.add(f.key());
            accepted.put(f.key(), HeaderMapper.acceptedNames(f));
            names.append(' ').append(f.key()).append(": ").append(String.join(", ", HeaderMapper.acceptedNames(f)));
            names.append('.');
        }
        return new IngestException(
                IngestException.MISSING_COLUMNS,
                theSheet(sheet) + " has no column for " + String.join(", ", keys)
                        + ". Headers found in row "
                        + headerRow + ": " + (headersFound.isEmpty() ? "none" : String.join(", ", headersFound))
                        + ". Header names accepted (case, spaces, underscores, hyphens and dots aside):" + names
                        + (missing.size() > Field.values().length - HeaderMapper.MIN_FIELDS
                                ? String.format(
                                        Locale.ROOT,
                                        " No row among the %s first %d names %d of the five fields, so its first"
                                                + " row that is not blank was taken as the header: a header further"
                                                + " down is not looked for (delete the rows above it).",
                                        csv(sheet) ? "file's" : "sheet's",
                                        HeaderMapper.SEARCH_ROWS,
                                        HeaderMapper.MIN_FIELDS)
                                : ""),
                Map.of(
                        "sheet",
                        sheet,
                        "headerRow",
                        headerRow,
                        "missing",
                        List.copyOf(keys),
                        "headersFound",
                        headersFound,
                        "accepted",
                        Collections.unmodifiableMap(accepted)));
    }

    public static IngestException duplicateColumns(String sheet, int headerRow, String field, List<String> headers) {
        return new IngestException(
                IngestException.DUPLICATE_COLUMNS,
                "In " + sheetOf(sheet) + ", the columns " + String.join(" and ", headers) + " (row " + headerRow
                        + ") both mean " + field + ". Keep one of them and upload again.",
                Map.of("sheet", sheet, "headerRow", headerRow, "field", field, "headers", headers));
    }

    public static IngestException sheetNotFound(String sheet, List<String> sheets) {
        return new IngestException(
                IngestException.SHEET_NOT_FOUND,
                "The workbook has no sheet named \"" + sheet + "\". Its sheets are: " + String.join(", ", sheets) + ".",
                Map.of("sheet", sheet, "sheetsFound", sheets));
    }

    /** The client named a sheet that is not a worksheet ({@code what}: "a chart sheet"); {@code sheets}, those that are. */
    public static IngestException notAWorksheet(String sheet, String what, List<String> sheets) {
        return new IngestException(
                IngestException.SHEET_NOT_FOUND,
                "The sheet \"" + sheet + "\" is " + what + ", not a worksheet: it holds no list. The workbook's"
                        + " worksheets are: " + (sheets.isEmpty() ? "none" : String.join(", ", sheets)) + ".",
                Map.of("sheet", sheet, "sheetsFound", sheets, "reason", "not a worksheet"));
    }

    private static String bytes(long n) {
        if (n >= 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%,d bytes", n);
    }
}
