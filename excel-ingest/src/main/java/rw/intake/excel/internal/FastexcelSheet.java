package rw.intake.excel.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import rw.intake.excel.IngestException;
import rw.intake.excel.ReadLimits;
import rw.intake.excel.SheetHeader;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Text;

/**
 * A sheet opened with fastexcel-reader from bytes in memory. {@link #open} reads up to the first record, so the
 * format, the sheet, the header and "no data" are all known before the caller starts the stream.
 *
 * <p>Hidden rows, columns and sheets are read like any other (their cells are in the XML like any other); a merged
 * range keeps its value in its top-left cell, the others read blank. Rows missing from the XML are not counted.
 */
public final class FastexcelSheet extends AbstractSheet {

    private static final ReadingOptions WITH_FORMATS = new ReadingOptions(true, true);
    private static final ReadingOptions WITHOUT_FORMATS = new ReadingOptions(false, true);

    private final ReadableWorkbook workbook;
    private final SheetRows rows;
    private final CellValues cells;
    private final int names;
    private final int nid;
    private final int phone;
    private final int gender;
    private final int email;

    private FastexcelSheet(
            ReadableWorkbook workbook, SheetRows rows, SheetHeader header, ReadLimits limits, long mostRows) {
        super(limits.maxRows());
        // the rows read so far (the header and those above it) are not data; mostRows is the most of any part
        maxDataRows(Math.max(0, mostRows - rows.consumed));
        this.workbook = workbook;
        this.rows = rows;
        this.cells = rows.cells;
        this.names = header.columns().get(Field.NAMES);
        this.nid = header.columns().get(Field.NID);
        this.phone = header.columns().get(Field.PHONE_NUMBER);
        this.gender = header.columns().get(Field.GENDER);
        this.email = header.columns().get(Field.EMAIL);
        start(header);
    }

    /**
     * Opens the named sheet of a workbook that passes {@link PackageCheck}; when {@code sheet} is null, the first
     * worksheet whose header maps all five fields (hidden sheets included), and if none does, the first worksheet
     * decides the refusal.
     *
     * @throws IngestException with a {@code file.*} code
     */
    public static FastexcelSheet open(byte[] bytes, String sheet, ReadLimits limits) {
        PackageCheck.Result checked = PackageCheck.inspect(bytes, limits);
        boolean hasStyles = checked.hasStyles();
        ReadableWorkbook workbook = null;
        SheetRows rows = null;
        try {
            workbook =
                    new ReadableWorkbook(new ByteArrayInputStream(bytes), hasStyles ? WITH_FORMATS : WITHOUT_FORMATS);
            CellValues cells = new CellValues(workbook.isDate1904());
            List<Sheet> candidates = candidates(workbook, sheet);
            IngestException firstRefusal = null;
            for (Sheet s : candidates) {
                rows = new SheetRows(s.openStream(), cells);
                SheetHeader header;
                try {
                    header = HeaderMapper.find(rows, s.getName());
                } catch (IngestException e) {
                    if (sheet != null
                            || (!e.code().equals(IngestException.MISSING_COLUMNS)
                                    && !e.code().equals(IngestException.EMPTY))) {
                        throw e;
                    }
                    firstRefusal = firstRefusal == null ? e : firstRefusal;
                    rows.close();
                    rows = null;
                    continue;
                }
                return new FastexcelSheet(workbook, rows, header, limits, checked.mostRows());
            }
            throw firstRefusal;
        } catch (IOException | RuntimeException e) {
            closeQuietly(rows, workbook);
            throw translate(e);
        }
    }

    /** The named sheet (matched exactly, then ignoring case and surrounding spaces), or all sheets in order. */
    private static List<Sheet> candidates(ReadableWorkbook workbook, String name) {
        List<Sheet> sheets = workbook.getSheets().toList();
        if (sheets.isEmpty()) {
            throw Rejections.noHeader("(none)");
        }
        if (name == null) {
            return sheets;
        }
        Optional<Sheet> exact =
                sheets.stream().filter(s -> name.equals(s.getName())).findFirst();
        return List.of(exact.or(() -> sheets.stream()
                        .filter(s -> Text.strip(name).equalsIgnoreCase(Text.strip(s.getName())))
                        .findFirst())
                .orElseThrow(() -> Rejections.sheetNotFound(
                        name, sheets.stream().map(Sheet::getName).toList())));
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

    @Override
    RawRecord nextRecord() {
        for (Row row = rows.next(); row != null; row = rows.next()) {
            String n = cells.text(CellValues.cell(row, names));
            String i = cells.text(CellValues.cell(row, nid));
            String p = cells.text(CellValues.cell(row, phone));
            String g = cells.text(CellValues.cell(row, gender));
            String m = cells.text(CellValues.cell(row, email));
            if (blank(n, i, p, g, m)) {
                blank();
                continue;
            }
            record(row.getRowNum(), n, i, p, g, m);
            return new RawRecord(
                    row.getRowNum(),
                    n,
                    i,
                    p,
                    g,
                    m,
                    CellValues.isNumeric(CellValues.cell(row, nid)),
                    CellValues.isNumeric(CellValues.cell(row, phone)));
        }
        return null;
    }

    @Override
    void release() {
        closeQuietly(rows, workbook);
    }

    private static void closeQuietly(SheetRows rows, ReadableWorkbook workbook) {
        if (rows != null) {
            rows.close();
        }
        try {
            if (workbook != null) {
                workbook.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing an in-memory workbook cannot lose data; the first failure is what the caller needs to see
        }
    }

    /** One worksheet's rows in XML order, which must be ascending (validation's cross-row rules rely on it). */
    private static final class SheetRows implements HeaderMapper.Rows<Row> {
        private final Stream<Row> stream;
        private final Spliterator<Row> rows;
        private final CellValues cells;
        private Row current;
        private int lastRowNum;
        /** Rows returned by {@link #next()} so far. */
        private long consumed;

        SheetRows(Stream<Row> stream, CellValues cells) {
            this.stream = stream;
            this.rows = stream.spliterator();
            this.cells = cells;
        }

        @Override
        public Row next() {
            current = null;
            try {
                if (!rows.tryAdvance(this::setCurrent)) {
                    return null;
                }
            } catch (RuntimeException e) {
                throw translate(e);
            }
            if (current.getRowNum() <= lastRowNum) {
                throw Rejections.corrupt(
                        "row " + current.getRowNum() + " comes after row " + lastRowNum + " in the sheet's XML", null);
            }
            lastRowNum = current.getRowNum();
            consumed++;
            return current;
        }

        private void setCurrent(Row row) {
            current = row;
        }

        @Override
        public int rowNum(Row row) {
            return row.getRowNum();
        }

        @Override
        public List<String> texts(Row row) {
            List<String> texts = new ArrayList<>(row.getCellCount());
            for (int c = 0; c < row.getCellCount(); c++) {
                texts.add(cells.text(row.getCell(c)));
            }
            return texts;
        }

        void close() {
            try {
                stream.close();
            } catch (RuntimeException ignored) {
                // closing an in-memory stream cannot lose data; the first failure is what the caller needs to see
            }
        }
    }
}
