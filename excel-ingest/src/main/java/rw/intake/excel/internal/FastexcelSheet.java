package rw.intake.excel.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import rw.intake.excel.IngestException;
import rw.intake.excel.ReadLimits;
import rw.intake.excel.SheetHeader;
import rw.intake.excel.SheetRecords;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Text;

/**
 * A sheet opened with fastexcel-reader from bytes in memory. {@link #open} reads up to the first record, so the
 * format, the sheet, the header and "no data" are all known before the caller starts the stream.
 *
 * <p>Counting: a data row is a row present in the sheet XML below the header, up to the last row with a mapped
 * value. Rows missing from the XML are not counted; blank rows after the last record are not counted.
 */
public final class FastexcelSheet implements SheetRecords {

    private static final ReadingOptions WITH_FORMATS = new ReadingOptions(true, true);
    private static final ReadingOptions WITHOUT_FORMATS = new ReadingOptions(false, true);

    private final ReadableWorkbook workbook;
    private final Stream<Row> rowStream;
    private final Spliterator<Row> rows;
    private final CellValues cells;
    private final ReadLimits limits;
    private final SheetHeader header;
    private final int names;
    private final int nid;
    private final int phone;
    private final int gender;
    private final int email;
    private Row current;
    private int lastRowNum;
    private RawRecord peeked;
    private long blankRows;
    private long pendingBlankRows;
    private long records;
    private boolean streamed;
    private boolean closed;

    private FastexcelSheet(ReadableWorkbook workbook, Stream<Row> rowStream, String sheetName, ReadLimits limits) {
        this.workbook = workbook;
        this.rowStream = rowStream;
        this.rows = rowStream.spliterator();
        this.cells = new CellValues(workbook.isDate1904());
        this.limits = limits;
        Row headerRow = nextRow();
        while (headerRow != null && HeaderMapper.isBlank(headerRow, cells)) {
            headerRow = nextRow();
        }
        if (headerRow == null) {
            throw Rejections.noHeader(sheetName);
        }
        this.header = HeaderMapper.map(headerRow, cells, sheetName);
        this.names = header.columns().get(Field.NAMES);
        this.nid = header.columns().get(Field.NID);
        this.phone = header.columns().get(Field.PHONE_NUMBER);
        this.gender = header.columns().get(Field.GENDER);
        this.email = header.columns().get(Field.EMAIL);
        this.peeked = nextRecord();
        if (peeked == null) {
            throw Rejections.noData(sheetName, header.row());
        }
    }

    /**
     * Opens the named sheet (the first when {@code sheet} is null) of a workbook that passed {@link PackageCheck}.
     *
     * @throws IngestException with a {@code file.*} code
     */
    public static FastexcelSheet open(byte[] bytes, String sheet, ReadLimits limits) {
        boolean hasStyles = PackageCheck.check(bytes, limits);
        ReadableWorkbook workbook = null;
        Stream<Row> rowStream = null;
        try {
            workbook = new ReadableWorkbook(new ByteArrayInputStream(bytes), hasStyles ? WITH_FORMATS : WITHOUT_FORMATS);
            Sheet chosen = choose(workbook, sheet);
            rowStream = chosen.openStream();
            return new FastexcelSheet(workbook, rowStream, chosen.getName(), limits);
        } catch (IOException | RuntimeException e) {
            closeQuietly(rowStream, workbook);
            throw translate(e);
        }
    }

    private static Sheet choose(ReadableWorkbook workbook, String name) {
        List<Sheet> sheets = workbook.getSheets().collect(Collectors.toList());
        if (sheets.isEmpty()) {
            throw Rejections.noHeader("(none)");
        }
        if (name == null) {
            return sheets.get(0);
        }
        Optional<Sheet> exact = sheets.stream().filter(s -> name.equals(s.getName())).findFirst();
        return exact.or(() -> sheets.stream().filter(s -> Text.strip(name).equalsIgnoreCase(Text.strip(s.getName())))
                        .findFirst())
                .orElseThrow(() -> Rejections.sheetNotFound(name, sheets.stream().map(Sheet::getName).toList()));
    }

    /** Any failure of the library while reading becomes {@code file.corrupt}; our own refusals pass through. */
    static IngestException translate(Exception e) {
        if (e instanceof IngestException ie) {
            return ie;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return Rejections.corrupt("a part of the workbook is damaged or missing", e);
        }
        return Rejections.corrupt("its XML is broken or it holds content that is not allowed", e);
    }

    /** The next row of the XML; rows must come in ascending order (validation's cross-row rules rely on it). */
    private Row nextRow() {
        current = null;
        try {
            if (!rows.tryAdvance(this::setCurrent)) {
                return null;
            }
        } catch (RuntimeException e) {
            throw translate(e);
        }
        if (current.getRowNum() <= lastRowNum) {
            throw Rejections.corrupt("row " + current.getRowNum() + " comes after row " + lastRowNum
                    + " in the sheet's XML", null);
        }
        lastRowNum = current.getRowNum();
        return current;
    }

    private void setCurrent(Row row) {
        current = row;
    }

    private RawRecord nextRecord() {
        for (Row row = nextRow(); row != null; row = nextRow()) {
            String n = cells.text(CellValues.cell(row, names));
            String i = cells.text(CellValues.cell(row, nid));
            String p = cells.text(CellValues.cell(row, phone));
            String g = cells.text(CellValues.cell(row, gender));
            String m = cells.text(CellValues.cell(row, email));
            if (n.isEmpty() && i.isEmpty() && p.isEmpty() && g.isEmpty() && m.isEmpty()) {
                pendingBlankRows++;
                continue;
            }
            if (records + blankRows + pendingBlankRows + 1 > limits.maxRows()) {
                throw Rejections.tooManyRows(limits.maxRows(), row.getRowNum());
            }
            blankRows += pendingBlankRows;
            pendingBlankRows = 0;
            records++;
            return new RawRecord(row.getRowNum(), n, i, p, g, m, CellValues.isNumeric(CellValues.cell(row, nid)),
                    CellValues.isNumeric(CellValues.cell(row, phone)));
        }
        return null;
    }

    @Override
    public SheetHeader header() {
        return header;
    }

    @Override
    public Stream<RawRecord> records() {
        if (streamed) {
            throw new IllegalStateException("records() may be called once");
        }
        if (closed) {
            throw new IllegalStateException("the sheet is closed");
        }
        streamed = true;
        Spliterator<RawRecord> spliterator = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE) {
            @Override
            public boolean tryAdvance(Consumer<? super RawRecord> action) {
                RawRecord next = peeked != null ? peeked : nextRecord();
                peeked = null;
                if (next == null) {
                    return false;
                }
                action.accept(next);
                return true;
            }
        };
        return StreamSupport.stream(spliterator, false).onClose(this::close);
    }

    @Override
    public long blankRows() {
        return blankRows;
    }

    @Override
    public long rowsRead() {
        return blankRows + records;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(rowStream, workbook);
        }
    }

    private static void closeQuietly(Stream<Row> rowStream, ReadableWorkbook workbook) {
        try {
            if (rowStream != null) {
                rowStream.close();
            }
        } catch (RuntimeException ignored) {
            // closing in-memory streams cannot lose data; the first failure is what the caller needs to see
        }
        try {
            if (workbook != null) {
                workbook.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // as above
        }
    }
}
