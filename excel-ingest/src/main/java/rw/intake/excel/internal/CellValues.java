package rw.intake.excel.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.Row;
import rw.intake.excel.CellEscapes;
import rw.intake.validation.Text;

/**
 * The one place that knows fastexcel's cell quirks: cells can be null or missing past the row's end, numbers come as
 * BigDecimal, formulas hold their cached value typed by the cell's {@code t} attribute, dates are numbers with a date
 * format, and {@link Row#getRowNum()} is already the 1-based spreadsheet row number.
 */
public final class CellValues {

    private static final long SECONDS_PER_DAY = 86_400L;
    /** The serial of the 29 February 1900 that Excel's 1900 date system counts (as Lotus 1-2-3 did). */
    private static final long LEAP_DAY_1900 = 60;

    /** The serial of 10000-01-01 in the 1900 date system: the first number that is no date of Excel's. */
    private static final BigDecimal PAST_LAST_DATE = BigDecimal.valueOf(2_958_466L);
    /** The same in the 1904 date system, whose serials start 1,462 days later. */
    private static final BigDecimal PAST_LAST_DATE_1904 = BigDecimal.valueOf(2_958_466L - 1_462L);
    /** The largest exponent, either way, of a number written out in plain digits (those of doubles reach 324). */
    private static final int MAX_PLAIN_SCALE = 400;
    /**
     * The most characters a number cell's value may have. A spreadsheet program writes at most 17 significant digits
     * and an exponent (some libraries a double's exact decimal, a few hundred digits); reading a number of n digits
     * costs time that grows with n squared (a 6 KB file held a core for 16 s with one of a million).
     */
    static final int MAX_NUMBER_CHARS = 1024;

    private final boolean date1904;

    public CellValues(boolean date1904) {
        this.date1904 = date1904;
    }

    /** The cell at the 0-based column, or null when the row has none there. */
    public static Cell cell(Row row, int column) {
        return column < row.getCellCount() ? row.getCell(column) : null;
    }

    /**
     * The cell's text as a clerk sees it: trimmed text; numbers as plain digits; dates as ISO dates; booleans as
     * {@code TRUE}/{@code FALSE}; formulas by their cached value; errors as their code ({@code #N/A}); never null.
     */
    public String text(Cell cell) {
        if (cell == null) {
            return "";
        }
        Object value = cell.getValue();
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal number) {
            return isDate(cell, number) ? date(number) : plain(number);
        }
        if (value instanceof Boolean bool) {
            return bool ? "TRUE" : "FALSE";
        }
        return text(value.toString());
    }

    /**
     * Whether the cell is a number or boolean cell whose value is not one ({@code <v>12abc</v>}): fastexcel-reader
     * makes it a cell in error without a value, which would read as blank.
     */
    static boolean valueNotOfItsType(Cell cell) {
        String raw = cell == null || cell.getValue() != null ? null : cell.getRawValue();
        return raw != null
                && !raw.isEmpty()
                && (cell.getType() == CellType.ERROR || cell.getType() == CellType.FORMULA);
    }

    /** A text cell's text as a clerk sees it: its escapes ({@link CellEscapes}) replaced, then trimmed. */
    static String text(String written) {
        return trim(CellEscapes.unescape(written));
    }

    /**
     * Trims white space and space separators (no-break space U+00A0, which pasted text often carries) from both
     * ends, exactly as validation-core does ({@link Text#strip}). Returns the same instance when there is nothing
     * to trim.
     */
    public static String trim(String s) {
        return Text.strip(s);
    }

    /** Whether the cell held a number (also a formula whose cached value is a number), not text and not a date. */
    public boolean isNumeric(Cell cell) {
        return cell != null
                && cell.getType() != CellType.STRING
                && cell.getValue() instanceof BigDecimal number
                && !isDate(cell, number);
    }

    /** Whether the cell's number reads as a date: a date format, and a serial that is a date ({@link #isDateSerial}). */
    private boolean isDate(Cell cell, BigDecimal number) {
        return isDateFormat(cell.getDataFormatId(), cell.getDataFormatString()) && isDateSerial(number);
    }

    /**
     * Whether a number in a date format is a date Excel shows: from 0 to 9999-12-31 (serial 2,958,465 in the 1900
     * date system, 2,957,003 in the 1904 one). Excel shows any other number in a date format as {@code ####}; it
     * reads as the number it is (a NID or phone number typed into a column formatted as dates, say), not as a date out
     * of range.
     */
    boolean isDateSerial(BigDecimal number) {
        return number.signum() >= 0 && number.compareTo(date1904 ? PAST_LAST_DATE_1904 : PAST_LAST_DATE) < 0;
    }

    /**
     * An integral value with no {@code .0} and no exponent; a fraction as plain decimal. A number no spreadsheet can
     * hold (a double reaches 10^308, and 10^-324 at the small end) keeps its exponent: written out, a cell of
     * {@code 1E+999999999} would be a billion digits.
     */
    static String plain(BigDecimal number) {
        if (number.signum() == 0) {
            return "0";
        }
        BigDecimal stripped = number.stripTrailingZeros();
        return Math.abs(stripped.scale()) > MAX_PLAIN_SCALE ? stripped.toString() : stripped.toPlainString();
    }

    /**
     * A date serial number as an ISO date (and time, if it has one), in this workbook's date system; a serial that
     * {@link #isDateSerial} accepts.
     */
    String date(BigDecimal serial) {
        long seconds = serial.multiply(BigDecimal.valueOf(SECONDS_PER_DAY))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        long secondOfDay = Math.floorMod(seconds, SECONDS_PER_DAY);
        LocalDate epoch;
        if (date1904) {
            epoch = LocalDate.of(1904, 1, 1);
        } else if (days == LEAP_DAY_1900) {
            // that day as Excel shows it: no calendar has it, and the day before and after are serials 59 and 61
            LocalTime time = LocalTime.ofSecondOfDay(secondOfDay);
            return "1900-02-29" + (time.equals(LocalTime.MIDNIGHT) ? "" : "T" + time);
        } else if (days < LEAP_DAY_1900) {
            // Excel's 1900 system counts a 29 February 1900 that never was: serials before it start a day later.
            epoch = LocalDate.of(1899, 12, 31);
        } else {
            epoch = LocalDate.of(1899, 12, 30);
        }
        return iso(LocalDateTime.of(epoch.plusDays(days), LocalTime.ofSecondOfDay(secondOfDay)));
    }

    /**
     * A date cell written as ISO 8601 text ({@code t="d"}, as the Strict format and some writers store dates) the way
     * {@link #date} writes a date serial: {@code 2023-03-15}, or {@code 2023-03-15T18:00} with a time of day. Text that
     * is not a local date or date and time (a time alone, an offset) is kept as written, trimmed.
     */
    static String isoDate(String text) {
        String value = trim(text);
        try {
            return value.indexOf('T') < 0 ? LocalDate.parse(value).toString() : iso(LocalDateTime.parse(value));
        } catch (DateTimeParseException e) {
            return value;
        }
    }

    /** The date alone at midnight, else the date and time (seconds only when there are some). */
    private static String iso(LocalDateTime at) {
        return at.toLocalTime().equals(LocalTime.MIDNIGHT) ? at.toLocalDate().toString() : at.toString();
    }

    /**
     * Whether a number format shows a date or time: the built-in date ids, or a format code with a date/time letter
     * outside quotes, escapes and bracketed sections (colours, conditions, locales).
     */
    static boolean isDateFormat(Integer id, String format) {
        if (id != null
                && ((id >= 14 && id <= 22)
                        || (id >= 27 && id <= 36)
                        || (id >= 45 && id <= 47)
                        || (id >= 50 && id <= 58))) {
            return true;
        }
        if (format == null || format.isEmpty()) {
            return false;
        }
        String section = format.split(";", 2)[0];
        boolean quoted = false;
        boolean bracket = false;
        for (int i = 0; i < section.length(); i++) {
            char c = section.charAt(i);
            if (quoted) {
                quoted = c != '"';
            } else if (bracket) {
                if (c == ']') {
                    bracket = false;
                } else if (c == 'h' || c == 'H' || c == 'm' || c == 'M' || c == 's' || c == 'S') {
                    // [h]:mm elapsed time
                    String inside = section.substring(
                            i, section.indexOf(']', i) < 0 ? section.length() : section.indexOf(']', i));
                    if (inside.chars().allMatch(ch -> "hHmMsS".indexOf(ch) >= 0)) {
                        return true;
                    }
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '[') {
                bracket = true;
            } else if (c == '\\' || c == '_' || c == '*') {
                i++;
            } else if ("yYmMdDhHsS".indexOf(c) >= 0) {
                return true;
            } else if (c == 'G' && section.regionMatches(true, i, "General", 0, 7)) {
                i += 6;
            } else if (c == 'E' || c == 'e') {
                return false;
            }
        }
        return false;
    }
}
