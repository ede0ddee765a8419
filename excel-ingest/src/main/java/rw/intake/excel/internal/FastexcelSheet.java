package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Spliterator;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.Cell;
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
 * A sheet opened with fastexcel-reader from bytes in memory, its rows read by the plain reader with fastexcel-reader
 * behind it ({@link #source}). {@link #open} reads up to the first record, so the format, the sheet, the header and
 * "no data" are all known before the caller starts the stream.
 *
 * <p>Hidden rows, columns and sheets are read like any other (their cells are in the XML like any other); a merged
 * range keeps its value in its top-left cell, the others read blank. Rows missing from the XML between the header and
 * a record are blank rows, as in the spreadsheet program.
 */
public final class FastexcelSheet extends AbstractSheet {

    private static final ReadingOptions WITH_FORMATS = new ReadingOptions(true, true);
    private static final ReadingOptions WITHOUT_FORMATS = new ReadingOptions(false, true);

    private final ReadableWorkbook workbook;
    private final WorkbookParts parts;
    private final SheetRows rows;
    private final int names;
    private final int nid;
    private final int phone;
    private final int gender;
    private final int email;
    /** The header row's columns: a column past them has no header text. */
    private final int headerWidth;
    /** The columns of the header row with no header text. */
    private final int[] unnamed;
    /** The number of the last row read: rows between it and the next one read are absent from the XML. */
    private int lastRow;
    /** {@link #otherLists()}. */
    private List<String> otherLists = List.of();

    private FastexcelSheet(
            ReadableWorkbook workbook,
            WorkbookParts parts,
            SheetRows rows,
            SheetHeader header,
            ReadLimits limits,
            long mostRows) {
        super(limits.maxRows());
        // the rows read so far (the header and those above it) are not data; mostRows is the most of any part
        // -1 when a part was left to be read once: not known before reading, but the sheet's dimension hints at it
        maxDataRows(mostRows < 0 ? -1 : Math.max(0, mostRows - rows.consumed));
        int lastRow = rows.source.dimensionLastRow();
        // a range that ends at the header or above it (a streaming writer's A1) says nothing of the data: not known
        expectedDataRows(mostRows >= 0 || lastRow <= header.row() ? maxDataRows() : lastRow - header.row());
        this.workbook = workbook;
        this.parts = parts;
        this.rows = rows;
        this.names = header.columns().get(Field.NAMES);
        this.nid = header.columns().get(Field.NID);
        this.phone = header.columns().get(Field.PHONE_NUMBER);
        this.gender = header.columns().get(Field.GENDER);
        this.email = header.columns().get(Field.EMAIL);
        this.headerWidth = rows.headerTexts.size();
        this.unnamed = unnamedColumns(rows.headerTexts);
        this.lastRow = header.row();
        rows.source.wanted(new int[] {names, nid, phone, gender, email});
        start(header);
    }

    /**
     * Opens the named sheet of a workbook that passes {@link PackageCheck}; when {@code sheet} is null, the first
     * worksheet whose header maps all five fields and has a record below it (hidden sheets included). If none has,
     * the first whose header maps all five is refused as {@code file.empty}; if none maps all five, the first
     * worksheet decides the refusal.
     *
     * @throws IngestException with a {@code file.*} code
     */
    public static FastexcelSheet open(byte[] bytes, String sheet, ReadLimits limits) {
        return open(bytes, sheet, limits, true);
    }

    /** As {@link #open}, every row read by fastexcel-reader: tests compare the two readers with it. */
    public static FastexcelSheet openWithFastexcelOnly(byte[] bytes, String sheet, ReadLimits limits) {
        return open(bytes, sheet, limits, false);
    }

    /** Whether every row read so far was read by the plain reader ({@link PlainSheetRows}). */
    public boolean readPlainly() {
        return rows.source instanceof FallbackRows f && f.plain();
    }

    private static FastexcelSheet open(byte[] bytes, String sheet, ReadLimits limits, boolean plain) {
        return open(bytes, sheet, limits, plain, PackageCheck.READ_ONCE_FROM);
    }

    /**
     * As {@link #open(byte[], String, ReadLimits)}, the parts of plain proportions of at least {@code readOnceFrom}
     * compressed bytes read once (tests; {@link PackageCheck#READ_ONCE_FROM} otherwise).
     */
    public static FastexcelSheet open(byte[] bytes, String sheet, ReadLimits limits, long readOnceFrom) {
        return open(bytes, sheet, limits, true, readOnceFrom);
    }

    private static FastexcelSheet open(
            byte[] bytes, String sheet, ReadLimits limits, boolean plain, long readOnceFrom) {
        PackageCheck.Result checked = PackageCheck.inspect(bytes, limits, readOnceFrom);
        boolean hasStyles = checked.hasStyles();
        ReadableWorkbook workbook = null;
        WorkbookParts parts = null;
        SheetRows rows = null;
        try {
            workbook = WorkbookOpener.open(bytes, hasStyles ? WITH_FORMATS : WITHOUT_FORMATS);
            CellValues cells = new CellValues(workbook.isDate1904());
            Map<String, String> otherSheets = WorkbookParts.otherSheets(bytes);
            List<Sheet> candidates = candidates(workbook, sheet, otherSheets);
            parts = plain ? WorkbookParts.open(bytes, checked.readOnce(), limits.maxSharedStringsBytes()) : null;
            LateCheck late = new LateCheck(bytes, checked.readOnce());
            IngestException firstRefusal = null;
            IngestException headerOnly = null;
            for (Sheet s : candidates) {
                rows = new SheetRows(source(workbook, parts, s, cells, late));
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
                FastexcelSheet opened;
                try {
                    opened = new FastexcelSheet(workbook, parts, rows, header, limits, checked.mostRows());
                } catch (IngestException e) {
                    if (sheet != null || !e.code().equals(IngestException.EMPTY)) {
                        throw e;
                    }
                    // a template or example sheet with the header and no list: a later sheet may hold the list
                    headerOnly = headerOnly == null ? e : headerOnly;
                    rows.close();
                    rows = null;
                    continue;
                }
                List<Sheet> others = sheet == null
                        ? candidates.subList(candidates.indexOf(s) + 1, candidates.size())
                        : worksheets(workbook, otherSheets).stream()
                                .filter(o -> o != s)
                                .toList();
                opened.otherLists = lists(workbook, parts, others, cells, late, limits);
                return opened;
            }
            throw headerOnly != null ? headerOnly : firstRefusal;
        } catch (IOException | RuntimeException e) {
            closeQuietly(rows, workbook, parts);
            throw translate(e);
        }
    }

    /**
     * The sheet's rows: read by the plain reader ({@link PlainSheetRows}) from its bytes, and by fastexcel-reader from
     * the first row that reader does not support; by fastexcel-reader alone when the sheet's part, or the workbook's
     * shared strings, are not plain. fastexcel-reader reads no row before the pass over the parts left to be read once.
     */
    private static SheetRowSource source(
            ReadableWorkbook workbook, WorkbookParts parts, Sheet sheet, CellValues cells, LateCheck late)
            throws IOException {
        FallbackRows.Opener fastexcel = () -> {
            late.run();
            if (parts != null) {
                parts.checkStringsForFastexcel();
                parts.checkUtf8ForFastexcel(sheet.getId());
            }
            return new FastexcelRows(sheet.openStream(), cells, workbook);
        };
        InputStream part = parts == null ? null : parts.sheet(sheet.getId());
        if (part == null) {
            return fastexcel.open();
        }
        try {
            Map<String, String> codes = workbook.getNumFmtIdToFormat();
            return new FallbackRows(
                    new PlainSheetRows(
                            part,
                            parts.sheetName(sheet.getId()),
                            parts.strings(),
                            cells,
                            workbook.getFormats(),
                            codes == null ? Map.of() : codes),
                    fastexcel);
        } catch (XmlBytes.Unsupported e) {
            part.close();
            return fastexcel.open();
        }
    }

    /**
     * The named sheet (matched exactly, then ignoring case, surrounding spaces and
     * how accented letters are composed), or all worksheets in order. A
     * sheet that is not a worksheet ({@code others}, by relationship id: a chart sheet) holds no list: it is passed
     * over, and naming it is {@code file.sheet_not_found}, which lists the worksheets.
     */
    private static List<Sheet> candidates(ReadableWorkbook workbook, String name, Map<String, String> others) {
        List<Sheet> sheets = worksheets(workbook, others);
        if (name == null) {
            if (sheets.isEmpty()) {
                throw Rejections.noHeader("(none)");
            }
            return sheets;
        }
        List<String> names = sheets.stream().map(Sheet::getName).toList();
        List<Sheet> all = workbook.getSheets().toList();
        Optional<Sheet> exact =
                all.stream().filter(s -> name.equals(s.getName())).findFirst();
        String loose = loose(name);
        Sheet named = exact.or(() -> all.stream()
                        .filter(s -> loose.equalsIgnoreCase(loose(s.getName())))
                        .findFirst())
                .orElseThrow(() -> Rejections.sheetNotFound(name, names));
        String other = named.getId() == null ? null : others.get(named.getId());
        if (other != null) {
            throw Rejections.notAWorksheet(named.getName(), other, names);
        }
        return List.of(named);
    }

    /**
     * A sheet's name as the loose match compares it: without surrounding spaces, in Unicode's composed form (a name
     * typed on one system and stored on another may spell an accented letter as two code points).
     */
    private static String loose(String name) {
        return Normalizer.normalize(Text.strip(name), Normalizer.Form.NFC);
    }

    /** The workbook's worksheets in order: its sheets but those of {@code others} (chart sheets, by relationship id). */
    private static List<Sheet> worksheets(ReadableWorkbook workbook, Map<String, String> others) {
        return workbook.getSheets()
                .filter(s -> s.getId() == null || !others.containsKey(s.getId()))
                .toList();
    }

    /**
     * The names of the sheets of {@code others} that hold a list: read as the sheet read was, up to its first record,
     * then closed. A sheet that holds no list, or none that can be read so far, is left out; nothing here refuses the
     * upload.
     */
    private static List<String> lists(
            ReadableWorkbook workbook,
            WorkbookParts parts,
            List<Sheet> others,
            CellValues cells,
            LateCheck late,
            ReadLimits limits) {
        List<String> lists = new ArrayList<>();
        for (Sheet s : others) {
            SheetRows rows = null;
            try {
                rows = new SheetRows(source(workbook, parts, s, cells, late));
                // a header that maps all five fields, or file.missing_columns; then a record below it, or file.empty
                SheetHeader header = HeaderMapper.find(rows, s.getName());
                new FastexcelSheet(workbook, parts, rows, header, limits, -1);
                lists.add(s.getName());
            } catch (IOException | RuntimeException e) {
                // no list (no header, a header without all five fields, no record), or none that can be read
            } finally {
                if (rows != null) {
                    rows.close();
                }
            }
        }
        return List.copyOf(lists);
    }

    @Override
    public List<String> otherLists() {
        return otherLists;
    }

    /**
     * Any failure of the library while reading becomes {@code file.corrupt}; our own refusals pass through, also as the
     * cause of another failure (a limit passed on the thread that inflates a part).
     */
    static IngestException translate(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IngestException ie) {
                return ie;
            }
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return Rejections.corrupt("a part of the workbook is damaged or missing", e);
        }
        return Rejections.corrupt("its XML is broken or it holds content that is not allowed", e);
    }

    @Override
    RawRecord nextRecord() {
        for (SheetRowSource row = rows.next(); row != null; row = rows.next()) {
            blank(row.rowNum() - lastRow - 1L);
            lastRow = row.rowNum();
            noteUnnamedValues(row);
            String n = row.text(names);
            String i = row.text(nid);
            String p = row.text(phone);
            String g = row.text(gender);
            String m = row.text(email);
            if (blank(n, i, p, g, m)) {
                blank();
                continue;
            }
            record(row.rowNum(), n, i, p, g, m);
            return new RawRecord(row.rowNum(), n, i, p, g, m, row.numeric(nid), row.numeric(phone));
        }
        // a sheet with no record is refused, and a later sheet may still need the shared strings
        if (parts != null && anyRecord()) {
            try {
                parts.finishStrings();
            } catch (RuntimeException e) {
                throw translate(e);
            }
        }
        return null;
    }

    /** Notes the values of the row under no header text, in columns not noted yet. */
    private void noteUnnamedValues(SheetRowSource row) {
        int count = row.cellCount();
        for (int c : unnamed) {
            if (c < count && !unnamedNoted(c) && row.hasValue(c)) {
                unnamedValue(c);
            }
        }
        for (int c = headerWidth; c < count; c++) {
            if (!unnamedNoted(c) && row.hasValue(c)) {
                unnamedValue(c);
            }
        }
    }

    @Override
    void release() {
        closeQuietly(rows, workbook, parts);
    }

    private static void closeQuietly(SheetRows rows, ReadableWorkbook workbook, WorkbookParts parts) {
        if (rows != null) {
            rows.close();
        }
        if (parts != null) {
            parts.close();
        }
        try {
            if (workbook != null) {
                workbook.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing an in-memory workbook cannot lose data; the first failure is what the caller needs to see
        }
    }

    /** {@link PackageCheck#checkLate}, made once. */
    private static final class LateCheck {
        private final byte[] bytes;
        private final PackageCheck.ReadOnce readOnce;
        private boolean done;

        LateCheck(byte[] bytes, PackageCheck.ReadOnce readOnce) {
            this.bytes = bytes;
            this.readOnce = readOnce;
        }

        void run() {
            if (!done) {
                PackageCheck.checkLate(bytes, readOnce);
                done = true;
            }
        }
    }

    /** One worksheet's rows in XML order, which must be ascending (validation's cross-row rules rely on it). */
    private static final class SheetRows implements HeaderMapper.Rows<SheetRowSource> {
        private final SheetRowSource source;
        private int lastRowNum;
        /** Rows returned by {@link #next()} so far. */
        private long consumed;
        /** The texts of the last row the header search read: the header's, once it is found. */
        private List<String> headerTexts = List.of();

        SheetRows(SheetRowSource source) {
            this.source = source;
        }

        @Override
        public SheetRowSource next() {
            try {
                if (!source.advance()) {
                    return null;
                }
            } catch (RuntimeException e) {
                throw translate(e);
            }
            if (source.rowNum() <= lastRowNum) {
                throw Rejections.corrupt(
                        "row " + source.rowNum() + " comes after row " + lastRowNum + " in the sheet's XML", null);
            }
            lastRowNum = source.rowNum();
            consumed++;
            return source;
        }

        @Override
        public int rowNum(SheetRowSource row) {
            return row.rowNum();
        }

        /**
         * @throws rw.intake.excel.IngestException {@code file.too_large} when the row's cells hold more than
         *                         {@link PlainSheetRows#MAX_ROW_CHARS} characters in all
         */
        @Override
        public List<String> texts(SheetRowSource row) {
            List<String> texts = new ArrayList<>(row.cellCount());
            long chars = 0;
            for (int c = 0; c < row.cellCount(); c++) {
                String text = row.text(c);
                chars += text.length();
                if (chars > PlainSheetRows.MAX_ROW_CHARS) {
                    throw Rejections.rowTextTooLarge(row.rowNum(), PlainSheetRows.MAX_ROW_CHARS);
                }
                texts.add(text);
            }
            headerTexts = texts;
            return texts;
        }

        void close() {
            try {
                source.close();
            } catch (RuntimeException ignored) {
                // closing an in-memory stream cannot lose data; the first failure is what the caller needs to see
            }
        }
    }

    /**
     * fastexcel-reader's rows, read through {@link CellValues}, numbered and checked as {@link FastexcelEvents} sees
     * them.
     */
    static final class FastexcelRows implements SheetRowSource {
        private final Stream<Row> stream;
        private final Spliterator<Row> rows;
        private final CellValues cells;
        private final FastexcelEvents.Watcher events;
        private Row current;
        private int rowNum;

        FastexcelRows(Stream<Row> stream, CellValues cells, ReadableWorkbook workbook) {
            this.stream = stream;
            this.rows = stream.spliterator();
            this.cells = cells;
            this.events = FastexcelEvents.watch(rows, workbook);
        }

        @Override
        public boolean advance() {
            current = null;
            if (!rows.tryAdvance(this::setCurrent)) {
                return false;
            }
            rowNum = events != null ? events.rowNum() : current.getRowNum();
            return true;
        }

        private void setCurrent(Row row) {
            current = row;
        }

        @Override
        public int rowNum() {
            return rowNum;
        }

        @Override
        public int cellCount() {
            return current.getCellCount();
        }

        /**
         * @throws IngestException {@code file.corrupt} for a number or boolean cell whose value is not one
         */
        @Override
        public String text(int column) {
            Cell cell = CellValues.cell(current, column);
            if (CellValues.valueNotOfItsType(cell)) {
                throw Rejections.valueNotOfItsType(rowNum, column);
            }
            return cells.text(cell);
        }

        @Override
        public boolean numeric(int column) {
            return cells.isNumeric(CellValues.cell(current, column));
        }

        @Override
        public boolean hasValue(int column) {
            Cell cell = CellValues.cell(current, column);
            return CellValues.valueNotOfItsType(cell) || !cells.text(cell).isEmpty();
        }

        @Override
        public void wanted(int[] columns) {
            // fastexcel-reader reads every cell anyway
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
