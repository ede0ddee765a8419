package rw.intake.server.internal.upload;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * An upload's error report: the records a commit would save (all of them, or those with an error and the records
 * these name) in sheet order, each with its five cells as the sheet had them under the sheet's own header names, then
 * its source row and its error and warning messages, and for each cell the mark (error or warning) and the messages
 * behind it. {@link XlsxReport} and {@link CsvReport} write it line by line, so a report holds no more than one line
 * at a time (and, for a report of errors, the rows its records name).
 *
 * <p>The cells are the raw texts, not the normalized values: the report goes back to whoever filled in the sheet, and
 * a report uploaded again reads back to the same records and verdicts.
 */
final class ErrorReport {
    /** The columns after the five fields. */
    static final List<String> EXTRA_COLUMNS = List.of("Row", "Errors", "Warnings");
    /** Between two messages in the Errors and Warnings columns. */
    static final String SEPARATOR = "; ";

    private static final Field[] FIELDS = Field.values();
    private static final String FALLBACK_NAME = "upload";

    private final String fileName;
    /** The worksheet read, named in the download's name when the workbook holds other lists; else null. */
    private final String sheet;

    private final List<String> header;
    private final Iterable<ValidatedRecord> records;
    /** The records whose violations name other rows (for a report of errors); null for a report of all records. */
    private final Supplier<List<ValidatedRecord>> naming;

    /**
     * @param fileName     the upload's file name as the client gave it (may be empty)
     * @param sheet        the worksheet read, when the workbook holds lists on other sheets too (so that the reports
     *                     of its lists are told apart); else null
     * @param fieldHeaders the header text of each field's column, in {@link Field} order
     * @param records      the staged records in sheet order
     * @param naming       for a report of the records with an error (and those they name), the records whose
     *                     violations name other rows, in any order; null for a report of every record
     */
    ErrorReport(
            String fileName,
            String sheet,
            List<String> fieldHeaders,
            Iterable<ValidatedRecord> records,
            Supplier<List<ValidatedRecord>> naming) {
        if (fieldHeaders.size() != FIELDS.length) {
            throw new IllegalArgumentException("one header per field expected: " + fieldHeaders);
        }
        this.fileName = fileName == null ? "" : fileName;
        this.sheet = sheet;
        List<String> h = new ArrayList<>(fieldHeaders);
        h.addAll(EXTRA_COLUMNS);
        this.header = List.copyOf(h);
        this.records = records;
        this.naming = naming;
    }

    /** The column names: the five field headers, then {@code Row}, {@code Errors}, {@code Warnings}. */
    List<String> header() {
        return header;
    }

    /** Column index of the field. */
    static int column(Field field) {
        return field.ordinal();
    }

    /** Column index of {@code Row}; {@code Errors} and {@code Warnings} follow. */
    static int rowColumn() {
        return FIELDS.length;
    }

    /** A receiver of lines that may fail writing. */
    @FunctionalInterface
    interface LineSink {
        void accept(Line line) throws IOException;
    }

    /**
     * Hands every reported line to {@code sink}, in sheet order: every record, or those with an error and the records
     * their violations name ({@link #namedByInvalid}).
     */
    void forEachLine(LineSink sink) throws IOException {
        BitSet named = naming != null ? namedByInvalid() : null;
        for (ValidatedRecord r : records) {
            if (named == null || !r.valid() || named.get(r.row())) {
                sink.accept(Line.of(r));
            }
        }
    }

    /**
     * The rows of the records that the violations of the records with an error name (the first record of a duplicated
     * value), and those that these name in turn: with them, the report of errors uploaded again gives its records the
     * same verdicts (without the first record, a duplicate would read as valid).
     */
    private BitSet namedByInvalid() {
        Map<Integer, Set<Integer>> names = new HashMap<>();
        Deque<Integer> pending = new ArrayDeque<>();
        for (ValidatedRecord r : naming.get()) {
            for (Violation v : r.violations()) {
                if (v.relatedRow() != null) {
                    names.computeIfAbsent(r.row(), k -> new HashSet<>(2)).add(v.relatedRow());
                    if (!r.valid()) {
                        pending.add(v.relatedRow());
                    }
                }
            }
        }
        BitSet named = new BitSet();
        while (!pending.isEmpty()) {
            int row = pending.pop();
            if (!named.get(row)) {
                named.set(row);
                pending.addAll(names.getOrDefault(row, Set.of()));
            }
        }
        return named;
    }

    /**
     * The file name of the download: the upload's name without folders and its spreadsheet extension (or
     * {@code upload} when it has none), then the sheet's name if given ({@code -Gasabo}), then {@code -errors} (only
     * records with an error) or {@code -all}, then {@code extension}.
     */
    String downloadName(String extension) {
        String base = fileName;
        base = base.substring(Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\')) + 1);
        String lower = base.toLowerCase(Locale.ROOT);
        for (String ext : List.of(".xlsx", ".xlsm", ".xls", ".csv")) {
            if (lower.endsWith(ext)) {
                base = base.substring(0, base.length() - ext.length());
                break;
            }
        }
        base = clean(base);
        return (base.isEmpty() ? FALLBACK_NAME : base)
                + (sheet == null ? "" : "-" + clean(sheet))
                + (naming != null ? "-errors" : "-all")
                + extension;
    }

    /** A part of a file name: without control characters, stripped. */
    private static String clean(String part) {
        StringBuilder clean = new StringBuilder(part.length());
        part.codePoints().filter(c -> !Character.isISOControl(c)).forEach(clean::appendCodePoint);
        return clean.toString().strip();
    }

    /**
     * The {@code Content-Disposition} of the download (RFC 6266): an attachment with an ASCII {@code filename} and, for
     * other characters, a UTF-8 {@code filename*}.
     */
    String contentDisposition(String extension) {
        String name = downloadName(extension);
        StringBuilder ascii = new StringBuilder(name.length());
        StringBuilder encoded = new StringBuilder(name.length() + 16);
        boolean plain = true;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean attrChar = c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0);
            if (attrChar) {
                encoded.append((char) c);
            } else {
                encoded.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
            if (c >= 0x80) {
                plain = false;
            }
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        String disposition = "attachment; filename=\"" + ascii + "\"";
        return plain ? disposition : disposition + "; filename*=UTF-8''" + encoded;
    }

    /**
     * One record as reported.
     *
     * @param row      the spreadsheet row the record came from
     * @param values   the five raw cell texts, in {@link Field} order
     * @param marks    per field: {@link Severity#ERROR} if it has an error, {@link Severity#WARNING} if it has only
     *                 warnings, else null
     * @param notes    per field: its messages, one a line, or null when it has none
     * @param errors   the messages of the errors, joined by {@link #SEPARATOR}
     * @param warnings the messages of the warnings, joined by {@link #SEPARATOR}
     * @param nidNumber the NID as the number the uploaded cell held, which the workbook report writes as a number so
     *                  that {@code nid.numeric_cell} is raised again; null when the cell held text
     */
    record Line(
            int row,
            String[] values,
            Severity[] marks,
            String[] notes,
            String errors,
            String warnings,
            BigDecimal nidNumber) {

        /**
         * A number as the reader writes a number cell's value out (its digits, or with an exponent past 400 places),
         * read back the same from a number cell.
         */
        private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?(E[+-]?[0-9]+)?");

        static Line of(ValidatedRecord r) {
            String[] values = new String[FIELDS.length];
            for (Field f : FIELDS) {
                values[f.ordinal()] = r.raw().value(f);
            }
            Severity[] marks = new Severity[FIELDS.length];
            String[] notes = new String[FIELDS.length];
            StringBuilder errors = new StringBuilder();
            StringBuilder warnings = new StringBuilder();
            for (Violation v : r.violations()) {
                int i = v.field().ordinal();
                marks[i] = v.isError() || marks[i] == Severity.ERROR ? Severity.ERROR : Severity.WARNING;
                notes[i] = notes[i] == null ? v.message() : notes[i] + "\n" + v.message();
                StringBuilder to = v.isError() ? errors : warnings;
                if (to.length() > 0) {
                    to.append(SEPARATOR);
                }
                to.append(v.message());
            }
            return new Line(r.row(), values, marks, notes, errors.toString(), warnings.toString(), nidNumber(r.raw()));
        }

        private static BigDecimal nidNumber(RawRecord raw) {
            return raw.nidNumeric() && PLAIN_NUMBER.matcher(raw.nid()).matches() ? new BigDecimal(raw.nid()) : null;
        }
    }
}
