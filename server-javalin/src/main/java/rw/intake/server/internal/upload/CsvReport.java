package rw.intake.server.internal.upload;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes an {@link ErrorReport} as CSV, streaming: UTF-8 with a byte order mark (so that Excel reads it as UTF-8),
 * comma-separated, CRLF line ends, RFC 4180 quoting (a field with a comma, semicolon, quote or line break is quoted,
 * its quotes doubled).
 *
 * <p>Formula injection: a spreadsheet opening the file runs a cell that starts with {@code =}, {@code +}, {@code -} or
 * {@code @} (or a tab or carriage return) as a formula. Such a cell is written with a leading apostrophe, unless it
 * starts with {@code +} or {@code -} and holds nothing else than digits, spaces, dots, hyphens and parentheses: a
 * phone number such as {@code +250788123456} stays as it is, since without letters, references or calls it cannot
 * be a harmful formula.
 */
final class CsvReport {
    static final String CONTENT_TYPE = "text/csv; charset=utf-8";
    private static final int BUFFER = 1 << 16;

    private CsvReport() {}

    /** Writes the CSV to {@code out}, which is flushed, not closed. */
    static void write(ErrorReport report, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), BUFFER);
        w.write('\uFEFF');
        List<String> header = report.header();
        for (int c = 0; c < header.size(); c++) {
            field(w, c, header.get(c));
        }
        w.write("\r\n");
        report.forEachLine(line -> {
            String[] values = line.values();
            for (int c = 0; c < values.length; c++) {
                field(w, c, values[c]);
            }
            w.write(',');
            w.write(Integer.toString(line.row()));
            field(w, 1, line.errors());
            field(w, 1, line.warnings());
            w.write("\r\n");
        });
        w.flush();
    }

    private static void field(Writer w, int column, String value) throws IOException {
        if (column > 0) {
            w.write(',');
        }
        String v = neutralized(value);
        if (!needsQuotes(v)) {
            w.write(v);
            return;
        }
        w.write('"');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"') {
                w.write('"');
            }
            w.write(ch);
        }
        w.write('"');
    }

    private static boolean needsQuotes(String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == ',' || ch == ';' || ch == '"' || ch == '\r' || ch == '\n') {
                return true;
            }
        }
        return false;
    }

    /** The value, with a leading apostrophe if a spreadsheet would run it as a formula (see the class comment). */
    static String neutralized(String v) {
        if (v.isEmpty()) {
            return v;
        }
        char first = v.charAt(0);
        boolean risky = first == '='
                || first == '@'
                || first == '\t'
                || first == '\r'
                || ((first == '+' || first == '-') && !numberLike(v));
        return risky ? "'" + v : v;
    }

    /** A sign followed only by digits, spaces, dots, hyphens and parentheses, with at least one digit. */
    private static boolean numberLike(String v) {
        boolean digit = false;
        for (int i = 1; i < v.length(); i++) {
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
