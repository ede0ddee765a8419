package rw.intake.excel.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import rw.intake.excel.CsvFormulas;
import rw.intake.excel.IngestException;
import rw.intake.excel.ReadLimits;
import rw.intake.excel.SheetHeader;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

/**
 * A CSV file in memory, read like one sheet with Jackson's CSV parser: UTF-8 with or without a byte order mark (or
 * UTF-16 with one, or Windows-1252: {@link CsvText}), comma, semicolon or tab separated (whichever finds the header),
 * or separated by the character that Excel's {@code sep=} line names first in the file; quoting per RFC 4180 (a quoted
 * field may hold the separator, doubled quotes and line breaks). A row number is the file's line on which the record
 * starts, as Excel shows the file (without a {@code sep=} line); a blank line is a blank row. Every value is text.
 *
 * <p>Refused as {@code file.corrupt}, with the line: bytes in none of those encodings, a quote that is never closed, a
 * row with more fields than the header, one of them holding a value past the header's last column. Blank fields past
 * it (a trailing separator) are ignored, as a sheet's blank cells right of its header are.
 *
 * <p>Refused as {@code file.too_large}: a record of more fields than a spreadsheet's {@value
 * HeaderMapper#MAX_COLUMNS} columns, blank or not, as soon as its field past them is read.
 *
 * <p>A value written with the apostrophe against formula injection ({@link CsvFormulas}) reads without it.
 */
public final class CsvSheet extends AbstractSheet {

    /** The sheet name a CSV file's header and refusals carry. */
    public static final String SHEET_NAME = "CSV";

    /**
     * The most characters a value of the file may hold, as a workbook's row or text may hold 16 MiB of XML
     * ({@link PartScan#MAX_ELEMENT_BYTES}); past it the file is {@code file.too_large}. A mapped cell is refused far
     * below it ({@code file.cell_too_long}, past 32,767 characters).
     */
    static final int MAX_VALUE_CHARS = (int) PartScan.MAX_ELEMENT_BYTES;

    private static final CsvFactory FACTORY = CsvFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(MAX_VALUE_CHARS)
                    .build())
            .build();
    private static final char[] SEPARATORS = {',', ';', '\t'};
    private static final int NOT_MAPPED = -1;
    /** The slot of a column with no header text, until a value is found in it. */
    private static final int UNNAMED = -2;

    private static final int UTF8_BOM_LENGTH = 3;

    private final Lines lines;
    /** For each column of the header, the field's index in {@link Field#values()}, or {@link #NOT_MAPPED}. */
    private final int[] slots;

    private final String[] values = new String[Field.values().length];

    private CsvSheet(Lines lines, SheetHeader header, ReadLimits limits, long lineCount) {
        super(limits.maxRows());
        // every data row starts on a line of its own below the header: at most that many, known before reading, so
        // that a CSV file reserves what it may hold rather than the row limit
        maxDataRows(Math.max(0, lineCount - header.row()));
        expectedDataRows(maxDataRows());
        this.lines = lines;
        this.slots = new int[lines.headerTexts.size()];
        Arrays.fill(slots, NOT_MAPPED);
        for (int column : unnamedColumns(lines.headerTexts)) {
            slots[column] = UNNAMED;
        }
        header.columns().forEach((field, column) -> slots[column] = field.ordinal());
        start(header);
    }

    /**
     * Opens CSV text.
     *
     * @throws IngestException with a {@code file.*} code
     */
    public static CsvSheet open(byte[] bytes, ReadLimits limits) {
        PackageCheck.checkSize(bytes, limits);
        byte[] text = CsvText.withoutEofMark(CsvText.utf8(bytes));
        String markup = CsvText.markup(text);
        if (markup != null) {
            throw Rejections.unsupported(markup);
        }
        CsvText.SeparatorLine named = CsvText.SeparatorLine.of(text);
        int from = named != null ? named.end() : CsvText.utf8Bom(text) ? UTF8_BOM_LENGTH : 0;
        Lines lines = new Lines(text, from, named != null ? named.separator() : separator(text, from));
        try {
            SheetHeader header = HeaderMapper.find(lines, SHEET_NAME);
            return new CsvSheet(lines, header, limits, lineCount(text) - (named != null ? 1 : 0));
        } catch (RuntimeException e) {
            lines.close();
            throw e;
        }
    }

    /**
     * The separator with which the header search finds the header of the most fields (comma, then semicolon, then tab
     * on a tie: a title line of commas in a semicolon file maps three fields where the real header maps five), the
     * first line with a value standing for the header when none of the lines searched has one (blank lines above it);
     * else one with which no line has a value (lines of separators alone are blank lines); else the one that splits
     * the first line with a value more.
     */
    private static char separator(byte[] bytes, int from) {
        int best = 0;
        char choice = SEPARATORS[0];
        int headerFields = 0;
        char headerChoice = SEPARATORS[0];
        for (char separator : SEPARATORS) {
            try (Lines lines = new Lines(bytes, from, separator)) {
                int firstWidth = -1;
                int fields = 0;
                for (Line line = lines.next(); line != null; line = lines.next()) {
                    if (line.number > HeaderMapper.SEARCH_ROWS) {
                        if (firstWidth >= 0) {
                            break;
                        }
                        if (line.texts.stream().allMatch(String::isEmpty)) {
                            continue;
                        }
                        // no value on the lines searched: the first line with one is the header, whatever it maps
                        fields = HeaderMapper.fieldCount(line.texts);
                        firstWidth = line.texts.size();
                        break;
                    }
                    fields = HeaderMapper.fieldCount(line.texts);
                    if (fields >= HeaderMapper.MIN_FIELDS) {
                        break;
                    }
                    if (firstWidth < 0 && line.texts.stream().anyMatch(t -> !t.isEmpty())) {
                        firstWidth = line.texts.size();
                    }
                }
                if (fields >= HeaderMapper.MIN_FIELDS) {
                    if (fields == Field.values().length) {
                        return separator;
                    }
                    if (fields > headerFields) {
                        headerFields = fields;
                        headerChoice = separator;
                    }
                    continue;
                }
                if (headerFields > 0) {
                    continue;
                }
                if (firstWidth < 0) {
                    return separator; // no line with a value: blank lines (the file has no header), or blank rows above
                }
                if (firstWidth > best) {
                    best = firstWidth;
                    choice = separator;
                }
            } catch (IngestException e) {
                if (headerFields == 0 && "maxColumns".equals(e.details().get("limitName"))) {
                    return separator; // a line of more fields than a spreadsheet's columns: the reading refuses it
                }
                // malformed within the first lines with this separator; the real reading reports it
            }
        }
        return headerFields > 0 ? headerChoice : choice;
    }

    /**
     * A field's value: without the apostrophe of a formula's escape ({@link CsvFormulas#restored}) when the field
     * starts with it (as the error report writes it: the escape stands first, before a value trimmed already), then
     * trimmed, so an escape before white space (a tab, a carriage return) leaves the value trimmed as any other. An
     * apostrophe after leading white space is no escape, and stays.
     */
    private static String value(String field) {
        return CellValues.trim(CsvFormulas.restored(field));
    }

    /** The lines of the text ({@link CsvText#lineOf}'s line ends), and one more if the last line has no end. */
    private static long lineCount(byte[] text) {
        int last = text.length - 1;
        long ends = CsvText.lineOf(text, text.length) - 1;
        return last >= 0 && text[last] != '\n' && text[last] != '\r' ? ends + 1 : ends;
    }

    @Override
    RawRecord nextRecord() {
        for (int line = lines.startRecord(); line > 0; line = lines.startRecord()) {
            Arrays.fill(values, "");
            lines.readValues(slots, values, this::unnamedValue);
            String n = values[Field.NAMES.ordinal()];
            String i = values[Field.NID.ordinal()];
            String p = values[Field.PHONE_NUMBER.ordinal()];
            String g = values[Field.GENDER.ordinal()];
            String m = values[Field.EMAIL.ordinal()];
            if (blank(n, i, p, g, m)) {
                blank();
                continue;
            }
            record(line, n, i, p, g, m);
            return RawRecord.of(line, n, i, p, g, m);
        }
        return null;
    }

    @Override
    void release() {
        lines.close();
    }

    /** A record as the header search sees it. */
    private record Line(int number, List<String> texts) {}

    /**
     * The records of the file through Jackson's token stream: each record is an array of string values. After a
     * record's end the parser stands on the line where the next one starts.
     */
    private static final class Lines implements HeaderMapper.Rows<Line>, AutoCloseable {
        private final CsvParser parser;
        private int nextStart = 1;
        /** The texts of the last line the header search read: the header's, once it is found. */
        private List<String> headerTexts = List.of();

        /**
         * The records of the text from {@code from}: after a UTF-8 byte order mark (given the mark alone, the parser
         * read one value), and after a separator line, so that the parser's first line is the one Excel shows first.
         */
        Lines(byte[] bytes, int from, char separator) {
            try {
                parser = FACTORY.createParser(bytes, from, bytes.length - from);
            } catch (IOException e) {
                throw Rejections.csvCorrupt("it cannot be parsed", 1, e);
            }
            parser.setSchema(CsvSchema.emptySchema().withColumnSeparator(separator));
        }

        /** Starts the next record and returns its first line, or 0 at the end. */
        int startRecord() {
            JsonToken token = token();
            if (token == null) {
                return 0;
            }
            if (token != JsonToken.START_ARRAY) {
                throw Rejections.csvCorrupt("unexpected content", nextStart, null);
            }
            return nextStart;
        }

        /**
         * Reads the current record's values into {@code out}, the field of column c into {@code out[slots[c]]}; a
         * value in an {@link #UNNAMED} column is given to {@code unnamed}, and the column no longer looked at.
         */
        void readValues(int[] slots, String[] out, IntConsumer unnamed) {
            int line = nextStart;
            int column = 0;
            for (JsonToken token = token(); token != JsonToken.END_ARRAY; token = token()) {
                if (token == null) {
                    throw Rejections.csvCorrupt("the file ends inside a record", line, null);
                }
                if (column >= slots.length) {
                    if (++column > HeaderMapper.MAX_COLUMNS) {
                        throw Rejections.tooManyColumns(line, HeaderMapper.MAX_COLUMNS);
                    }
                    if (CellValues.trim(text()).isEmpty()) {
                        continue;
                    }
                    throw Rejections.csvCorrupt(
                            "the row has more fields than the header's " + headerTexts.size(), line, null);
                }
                int slot = slots[column++];
                if (slot >= 0) {
                    out[slot] = value(text());
                } else if (slot == UNNAMED && !value(text()).isEmpty()) {
                    slots[column - 1] = NOT_MAPPED;
                    unnamed.accept(column - 1);
                }
            }
            endRecord();
        }

        @Override
        public Line next() {
            int line = startRecord();
            if (line == 0) {
                return null;
            }
            List<String> texts = new ArrayList<>();
            for (JsonToken token = token(); token != JsonToken.END_ARRAY && token != null; token = token()) {
                // a record of more fields than a spreadsheet's columns, blank or not, is read no further
                if (texts.size() == HeaderMapper.MAX_COLUMNS) {
                    throw Rejections.tooManyColumns(line, HeaderMapper.MAX_COLUMNS);
                }
                texts.add(value(text()));
            }
            endRecord();
            headerTexts = texts; // the header search stops on the header: the last row read is it
            return new Line(line, texts);
        }

        @Override
        public int rowNum(Line row) {
            return row.number;
        }

        @Override
        public List<String> texts(Line row) {
            return row.texts;
        }

        private void endRecord() {
            nextStart = parser.currentLocation().getLineNr();
        }

        private JsonToken token() {
            try {
                return parser.nextToken();
            } catch (StreamConstraintsException e) {
                throw Rejections.csvValueTooLarge(nextStart, MAX_VALUE_CHARS);
            } catch (JsonParseException e) {
                String what = e.getOriginalMessage().contains("closing quote")
                        ? "a quoted value that starts in this record is never closed"
                        : "it is not well-formed CSV";
                throw Rejections.csvCorrupt(what, nextStart, e);
            } catch (IOException e) {
                throw Rejections.csvCorrupt("it cannot be parsed", nextStart, e);
            }
        }

        private String text() {
            try {
                return parser.getText();
            } catch (StreamConstraintsException e) {
                throw Rejections.csvValueTooLarge(nextStart, MAX_VALUE_CHARS);
            } catch (IOException e) {
                throw Rejections.csvCorrupt("it cannot be parsed", nextStart, e);
            }
        }

        @Override
        public void close() {
            try {
                parser.close();
            } catch (IOException ignored) {
                // nothing to lose: the bytes are in memory
            }
        }
    }
}
