package rw.intake.excel;

/**
 * The escape of a CSV value that a spreadsheet would run as a formula (formula injection): a spreadsheet opening a CSV
 * file runs a cell that starts with {@code =}, {@code +}, {@code -} or {@code @} (or a tab or carriage return) as a
 * formula. Such a value is written with a leading apostrophe ({@link #neutralized}), unless it starts with {@code +}
 * or {@code -} and holds nothing else than digits, spaces, dots, hyphens and parentheses: a phone number such as
 * {@code +250788123456} stays as it is, since without letters, references or calls it cannot be a harmful formula.
 * Reading a CSV file takes the apostrophe off again ({@link #restored}), so that a file written this way (intake's
 * error report) reads back as the values it was written from; a value that starts with apostrophes of its own before
 * such a character gets one more.
 */
public final class CsvFormulas {

    private CsvFormulas() {}

    /**
     * The value, with a leading apostrophe if a spreadsheet would run it as a formula, or if it starts with apostrophes
     * before what one would (its own, which {@link #restored} would otherwise take for the escape).
     */
    public static String neutralized(String v) {
        return risky(v, apostrophes(v)) ? "'" + v : v;
    }

    /** The value without the apostrophe {@link #neutralized} puts before it; any other value as it is. */
    public static String restored(String v) {
        int n = apostrophes(v);
        return n > 0 && risky(v, n) ? v.substring(1) : v;
    }

    /** How many apostrophes the value starts with. */
    private static int apostrophes(String v) {
        int n = 0;
        while (n < v.length() && v.charAt(n) == '\'') {
            n++;
        }
        return n;
    }

    /** Whether the value from {@code from} on would run as a formula. */
    private static boolean risky(String v, int from) {
        if (v.length() <= from) {
            return false;
        }
        char first = v.charAt(from);
        return first == '='
                || first == '@'
                || first == '\t'
                || first == '\r'
                || ((first == '+' || first == '-') && !numberLike(v, from));
    }

    /** A sign followed only by digits, spaces, dots, hyphens and parentheses, with at least one digit. */
    private static boolean numberLike(String v, int from) {
        boolean digit = false;
        for (int i = from + 1; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch >= '0' && ch <= '9') {
                digit = true;
            } else if (ch != ' ' && ch != '.' && ch != '-' && ch != '(' && ch != ')') {
                return false;
            }
        }
        return digit;
    }
}
