package rw.intake.server.internal.upload;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import rw.intake.excel.CsvFormulas;

/**
 * Writes an {@link ErrorReport} as CSV, streaming: UTF-8 with a byte order mark (so that Excel reads it as UTF-8),
 * comma-separated, CRLF line ends, RFC 4180 quoting (a field with a comma, semicolon, quote or line break is quoted,
 * its quotes doubled).
 *
 * <p>Formula injection: a value a spreadsheet would run as a formula is written with a leading apostrophe
 * ({@link CsvFormulas}), which reading the file as an upload takes off again.
 */
final class CsvReport {
    static final String CONTENT_TYPE = "text/csv; charset=utf-8";
    private static final int BUFFER = 1 << 16;
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|[\r\n]");

    private CsvReport() {}

    /** Writes the CSV to {@code out}, which is flushed, not closed. */
    static void write(ErrorReport report, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), BUFFER);
        w.write('\uFEFF');
        List<String> header = report.header();
        for (int c = 0; c < header.size(); c++) {
            // a header cell wrapped on two lines (Alt+Enter) on one: a line break would move every record a line
            // down, so the file read again would number its rows past the report's
            field(w, c, LINE_BREAK.matcher(header.get(c)).replaceAll(" "));
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
        // a NUL would make the file binary to any reader of text (and to this server's): U+FFFD stands in for it
        String v = CsvFormulas.neutralized(value.replace('\u0000', '\uFFFD'));
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
}
