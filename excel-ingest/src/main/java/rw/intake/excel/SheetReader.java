package rw.intake.excel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import rw.intake.excel.internal.CsvSheet;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.excel.internal.Rejections;

/**
 * Reads .xlsx workbooks and CSV files held in memory into raw records. Immutable and thread-safe; never touches disk.
 * The format is decided by the content, not a file name: a zip is read as a workbook, text as CSV (UTF-8, or UTF-16
 * with a byte order mark, or Windows-1252; comma, semicolon or tab; RFC 4180 quoting; one sheet named
 * {@value CsvSheet#SHEET_NAME}, row numbers are its lines).
 *
 * <pre>{@code
 * SheetReader reader = SheetReader.builder().limits(ReadLimits.defaults()).build();
 * try (SheetRecords sheet = reader.open(bytes)) {       // format, header and sheet checked here
 *     sheet.records().forEach(validator::next);
 * }
 * }</pre>
 */
public final class SheetReader {

    private final ReadLimits limits;
    private final String sheetName;

    private SheetReader(Builder b) {
        this.limits = b.limits;
        this.sheetName = b.sheetName;
    }

    public static SheetReader defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the workbook and checks, before any record is handed out: its format (by content, not name), the zip and
     * its inflate limit, the sheet, the header, and that there is at least one record (the first record is read
     * here). The bytes are read where they lie, not copied (fastexcel-reader's workbook is opened over them), and
     * must not change while the sheet is open. Nothing is written to disk.
     *
     * @throws IngestException with a {@code file.*} code if the workbook is refused ({@code file.unsupported_format},
     *                         {@code file.corrupt}, {@code file.too_large}, {@code file.too_many_rows},
     *                         {@code file.empty}, {@code file.missing_columns}, {@code file.duplicate_columns}, or
     *                         {@link IngestException#SHEET_NOT_FOUND} for a named sheet that does not exist)
     */
    public SheetRecords open(byte[] workbook) {
        return open(workbook, sheetName);
    }

    /**
     * As {@link #open(byte[])}, reading the named sheet; if {@code sheet} is null, the first worksheet whose header
     * maps all five fields (if none does, the first worksheet decides the refusal). The name is matched exactly first,
     * then ignoring case and surrounding spaces. A CSV file is one sheet: the name is not used.
     */
    public SheetRecords open(byte[] workbook, String sheet) {
        Objects.requireNonNull(workbook, "workbook");
        if (PackageCheck.isText(workbook)) {
            return CsvSheet.open(workbook, limits);
        }
        return FastexcelSheet.open(workbook, sheet, limits);
    }

    /**
     * Reads the stream into memory (at most {@link ReadLimits#maxBytes()} bytes, else {@code file.too_large})
     * and opens it. The stream is not closed.
     *
     * @throws IngestException         as {@link #open(byte[])}
     * @throws java.io.UncheckedIOException if reading the stream fails
     */
    public SheetRecords open(InputStream workbook) {
        Objects.requireNonNull(workbook, "workbook");
        return open(readAll(workbook, limits.maxBytes()));
    }

    private static byte[] readAll(InputStream in, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw Rejections.tooLarge(total, maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the upload failed", e);
        }
        return out.toByteArray();
    }

    public ReadLimits limits() {
        return limits;
    }

    public static final class Builder {
        private ReadLimits limits = ReadLimits.defaults();
        private String sheetName;

        private Builder() {}

        public Builder limits(ReadLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The sheet to read by name. Default: the first worksheet whose header maps all five fields. */
        public Builder sheetName(String name) {
            this.sheetName = name;
            return this;
        }

        public SheetReader build() {
            return new SheetReader(this);
        }
    }
}
