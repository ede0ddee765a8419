package rw.intake.server.internal.upload;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import rw.intake.excel.CellEscapes;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;

/**
 * Writes an {@link ErrorReport} as an .xlsx workbook with fastexcel's writer, straight to a stream: each part goes
 * into the zip as it is written, with no temporary file, through {@link SheetExtentZip}, which leaves out the
 * worksheet's placeholder extent; rows are flushed every {@value #FLUSH_ROWS}, and every
 * text is an inline string (fastexcel's shared-string table would hold every distinct text until the end).
 *
 * <p>One sheet: a bold header row, frozen and filterable; then a line per record. A cell with an error is filled red, one
 * with only warnings amber, and carries a comment with its messages. fastexcel keeps comments in memory until the sheet
 * ends, so only the first {@value #MAX_COMMENTS} marked cells get one (the fills, and the Errors and Warnings columns,
 * cover every record). The NID and phone cells are text with the text format {@code @}, so Excel neither rounds
 * them nor turns an edited value into a number; a NID the uploaded cell held as a number is written as that number,
 * so that, uploaded again, it gets its {@code nid.numeric_cell} warning again, with the format {@code 0} when it is a
 * whole number of at most 16 digits, so that it shows every digit. Texts are written with the workbook
 * escapes ({@link CellEscapes}): a control character or carriage return a value holds, which XML cannot carry, reads
 * back as it was.
 */
final class XlsxReport {
    static final String CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    static final String SHEET_NAME = "Report";
    /** Marked cells that get a comment, at most: bounds what fastexcel holds until the sheet ends. */
    static final int MAX_COMMENTS = 10_000;
    /** Excel's own "Bad" (light red) and "Neutral" (light amber) fills, as ARGB. */
    static final String ERROR_FILL = "FFFFC7CE";

    static final String WARNING_FILL = "FFFFEB9C";
    static final String TEXT_FORMAT = "@";
    /**
     * The format of a NID cell that holds a whole number: every digit, where the general format shows
     * {@code 1.19988E+15} (as do LibreOffice's CSV export and readers that format the value).
     */
    static final String WHOLE_FORMAT = "0";
    /** Whole numbers of at most this many digits get {@link #WHOLE_FORMAT}; a NID has 16. */
    private static final int WHOLE_DIGITS = 16;

    private static final int FLUSH_ROWS = 1024;
    /** Deflate level 1: about a third less CPU than fastexcel's default 4, for a slightly larger file. */
    private static final int COMPRESSION = 1;

    private static final double[] WIDTHS = {28, 20, 18, 10, 30, 8, 60, 40};

    private XlsxReport() {}

    /** Writes the workbook to {@code out}, which is not closed. */
    static void write(ErrorReport report, OutputStream out) throws IOException {
        SheetExtentZip zip = new SheetExtentZip(out, COMPRESSION);
        Workbook wb = new Workbook(zip, "intake", null);
        // SheetExtentZip inflates each part and deflates it again: fastexcel's own deflate only stores
        wb.setCompressionLevel(Deflater.NO_COMPRESSION);
        Worksheet ws = wb.newWorksheet(SHEET_NAME);
        List<String> header = report.header();
        for (int c = 0; c < header.size(); c++) {
            ws.width(c, WIDTHS[c]);
            ws.inlineString(0, c, CellEscapes.escape(header.get(c)));
        }
        ws.range(0, 0, 0, header.size() - 1).style().bold().set();
        ws.freezePane(0, 1);
        Sheet sheet = new Sheet(ws);
        report.forEachLine(sheet::line);
        sheet.flush();
        ws.setAutoFilter(0, 0, sheet.next - 1, header.size() - 1);
        ws.finish();
        wb.finish();
        zip.finish();
    }

    private static boolean wholeNumber(BigDecimal n) {
        BigDecimal whole = n.stripTrailingZeros();
        return whole.scale() <= 0 && whole.precision() - whole.scale() <= WHOLE_DIGITS;
    }

    /** The writing position and the comments given so far. */
    private static final class Sheet {
        private final Worksheet ws;
        private int next = 1;
        private int flushed = 1;
        private int comments;
        /** Rows since the last flush whose NID is a whole number: shown with all its digits. */
        private final List<Integer> wholeNids = new ArrayList<>();

        Sheet(Worksheet ws) {
            this.ws = ws;
        }

        void line(ErrorReport.Line line) throws IOException {
            int r = next++;
            for (Field f : Field.values()) {
                int c = ErrorReport.column(f);
                String value = line.values()[c];
                if (f == Field.NID && line.nidNumber() != null) {
                    ws.value(r, c, line.nidNumber());
                    if (wholeNumber(line.nidNumber())) {
                        wholeNids.add(r);
                    }
                } else if (!value.isEmpty()) {
                    ws.inlineString(r, c, CellEscapes.escape(value));
                }
                Severity mark = line.marks()[c];
                if (mark != null) {
                    ws.style(r, c)
                            .fillColor(mark == Severity.ERROR ? ERROR_FILL : WARNING_FILL)
                            .set();
                    if (comments < MAX_COMMENTS) {
                        ws.comment(r, c, CellEscapes.escape(line.notes()[c]));
                        comments++;
                    }
                }
            }
            int c = ErrorReport.rowColumn();
            ws.value(r, c, line.row());
            if (!line.errors().isEmpty()) {
                ws.inlineString(r, c + 1, CellEscapes.escape(line.errors()));
            }
            if (!line.warnings().isEmpty()) {
                ws.inlineString(r, c + 2, CellEscapes.escape(line.warnings()));
            }
            if (next % FLUSH_ROWS == 0) {
                flush();
            }
        }

        /**
         * Gives the NID and phone cells of the rows since the last flush the text format (merged into their fills), by
         * one range: fastexcel's style setter costs a few microseconds a call, a range costs little more than one.
         */
        void flush() throws IOException {
            if (next > flushed) {
                ws.range(flushed, ErrorReport.column(Field.NID), next - 1, ErrorReport.column(Field.PHONE_NUMBER))
                        .style()
                        .format(TEXT_FORMAT)
                        .set();
                for (int r : wholeNids) {
                    ws.style(r, ErrorReport.column(Field.NID))
                            .format(WHOLE_FORMAT)
                            .set();
                }
                wholeNids.clear();
                flushed = next;
            }
            ws.flush();
        }
    }
}
