package rw.intake.excel.internal;

import java.lang.reflect.Field;
import java.util.Spliterator;
import java.util.function.IntSupplier;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;

/**
 * What fastexcel-reader's rows do not tell, seen in the XML events it reads a sheet by: a watcher put between its
 * parser and its row reader (by reflection, as {@link WorkbookOpener} opens workbooks in place).
 *
 * <ul>
 *   <li>A row's number. fastexcel-reader numbers a row written without its {@code r} by its place among the sheet's
 *       rows counted from 0; the number is the row after the one before it, as spreadsheet programs number it and
 *       the plain reader does ({@link Watcher#rowNum()}).
 *   <li>Phonetic runs ({@code <rPh>}, Excel's furigana) in an inline string: fastexcel-reader joins all the text of
 *       an {@code <is>}, theirs too; the watcher hides them from it, as fastexcel-reader leaves them out of shared
 *       strings.
 *   <li>A cell that refers to a shared string the workbook does not have (an index past its shared strings, or a
 *       workbook without them): fastexcel-reader reads it as blank; the watcher refuses it as {@code file.corrupt}
 *       when fastexcel-reader has read that far into the shared strings ({@link #watchStrings}).
 * </ul>
 *
 * If a version of the library does not have the fields this takes, nothing is watched: rows are numbered and read as
 * the library reads them ({@link #available()}, which a test pins for the version the build uses).
 */
final class FastexcelEvents {

    /** {@code RowSpliterator.r}, its {@code SimpleXmlReader}. */
    private static final Field ROW_READER;
    /** {@code SimpleXmlReader.reader}, the parser. */
    private static final Field PARSER;
    /** {@code ReadableWorkbook.sst}. */
    private static final Field STRINGS;
    /** {@code SST.reader}, null when the workbook has no shared strings. */
    private static final Field STRINGS_READER;

    static {
        Field rowReader = null;
        Field parser = null;
        Field strings = null;
        Field stringsReader = null;
        try {
            ClassLoader loader = ReadableWorkbook.class.getClassLoader();
            Class<?> spliterator = Class.forName("org.dhatim.fastexcel.reader.RowSpliterator", false, loader);
            Class<?> simple = Class.forName("org.dhatim.fastexcel.reader.SimpleXmlReader", false, loader);
            Class<?> sst = Class.forName("org.dhatim.fastexcel.reader.SST", false, loader);
            Field r = spliterator.getDeclaredField("r");
            Field p = simple.getDeclaredField("reader");
            Field s = ReadableWorkbook.class.getDeclaredField("sst");
            Field sr = sst.getDeclaredField("reader");
            if (r.getType() == simple
                    && p.getType() == XMLStreamReader.class
                    && s.getType() == sst
                    && sr.getType() == simple) {
                r.setAccessible(true);
                p.setAccessible(true);
                s.setAccessible(true);
                sr.setAccessible(true);
                rowReader = r;
                parser = p;
                strings = s;
                stringsReader = sr;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another version of the library, or a security policy: nothing is watched
        }
        ROW_READER = rowReader;
        PARSER = parser;
        STRINGS = strings;
        STRINGS_READER = stringsReader;
    }

    private FastexcelEvents() {}

    /** Whether the library's rows can be watched. */
    static boolean available() {
        return ROW_READER != null;
    }

    /**
     * Counts the items fastexcel-reader reads of the workbook's shared strings; called when the workbook is opened,
     * before any of them is read.
     */
    static void watchStrings(ReadableWorkbook workbook) {
        if (!available()) {
            return;
        }
        try {
            Object sst = STRINGS.get(workbook);
            Object reader = sst == null ? null : STRINGS_READER.get(sst);
            if (reader != null && !(PARSER.get(reader) instanceof ItemCounter)) {
                PARSER.set(reader, new ItemCounter((XMLStreamReader) PARSER.get(reader)));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not settable after all: shared strings are read as the library reads them
        }
    }

    /**
     * Watches the rows of a sheet opened by fastexcel-reader ({@code rows}, its stream's spliterator, before any row
     * is read); null if they cannot be watched.
     */
    static Watcher watch(Spliterator<Row> rows, ReadableWorkbook workbook) {
        if (!available() || !ROW_READER.getDeclaringClass().isInstance(rows)) {
            return null;
        }
        try {
            Object reader = ROW_READER.get(rows);
            Object sst = STRINGS.get(workbook);
            Object stringsReader = sst == null ? null : STRINGS_READER.get(sst);
            IntSupplier items = null;
            if (stringsReader == null) {
                items = () -> 0;
            } else if (PARSER.get(stringsReader) instanceof ItemCounter counter) {
                items = counter::items;
            }
            Watcher watcher = new Watcher((XMLStreamReader) PARSER.get(reader), items);
            PARSER.set(reader, watcher);
            return watcher;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Counts the {@code <si>} items of the shared strings as the library reads them. */
    private static final class ItemCounter extends StreamReaderDelegate {
        private int items;

        ItemCounter(XMLStreamReader parser) {
            super(parser);
        }

        @Override
        public int next() throws XMLStreamException {
            int event = super.next();
            if (event == XMLStreamConstants.START_ELEMENT && getLocalName().equals("si")) {
                items++;
            }
            return event;
        }

        int items() {
            return items;
        }
    }

    /** The events of a sheet, as fastexcel-reader's row reader reads them. */
    static final class Watcher extends StreamReaderDelegate {
        /** The shared strings read so far, or null if not known. */
        private final IntSupplier items;

        private int rowNum;
        private boolean sharedCell;
        private boolean valueSeen;
        private boolean inValue;
        private int inlineDepth;
        private final StringBuilder index = new StringBuilder();
        private boolean indexPending;

        Watcher(XMLStreamReader parser, IntSupplier items) {
            super(parser);
            this.items = items;
        }

        /** The number of the row read last: its {@code r}, or the one after the row before it. */
        int rowNum() {
            return rowNum;
        }

        @Override
        public int next() throws XMLStreamException {
            if (indexPending) {
                // the library has just looked the index up: its shared strings are read up to it
                indexPending = false;
                checkIndex();
            }
            int event = super.next();
            while (event == XMLStreamConstants.START_ELEMENT
                    && inlineDepth > 0
                    && getLocalName().equals("rPh")) {
                skipElement();
                event = super.next();
            }
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> started(getLocalName());
                case XMLStreamConstants.END_ELEMENT -> ended(getLocalName());
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (inValue) {
                        index.append(getText());
                    }
                }
                default -> {
                    // nothing to note
                }
            }
            return event;
        }

        private void started(String name) {
            if (inlineDepth > 0) {
                inlineDepth++;
                return;
            }
            switch (name) {
                case "row" -> {
                    String r = getAttributeValue(null, "r");
                    int previous = rowNum;
                    rowNum = previous + 1;
                    if (r != null) {
                        try {
                            rowNum = Integer.parseInt(r);
                        } catch (NumberFormatException e) {
                            // the library refuses it
                        }
                    }
                }
                case "c" -> {
                    sharedCell = "s".equals(getAttributeValue(null, "t"));
                    valueSeen = false;
                }
                case "v" -> {
                    // the library reads the first <v> of a shared-string cell
                    inValue = sharedCell && !valueSeen;
                    valueSeen = true;
                    index.setLength(0);
                }
                case "is" -> inlineDepth = 1;
                default -> {
                    // nothing to note
                }
            }
        }

        private void ended(String name) {
            if (inlineDepth > 0) {
                inlineDepth--;
            } else if (name.equals("v") && inValue) {
                if (index.length() >= Rejections.IMPOSSIBLE_INDEX_DIGITS && isDigits(index)) {
                    // before the library looks it up, which reads the shared strings up to the index
                    throw Rejections.impossibleSharedString(rowNum, index);
                }
                inValue = false;
                indexPending = true;
            }
        }

        /** Skips the element just started, whatever it holds. */
        private void skipElement() throws XMLStreamException {
            int depth = 1;
            while (depth > 0) {
                int event = super.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
        }

        private void checkIndex() {
            if (items == null || index.length() == 0) {
                return;
            }
            int i;
            try {
                i = Integer.parseInt(index.toString());
            } catch (NumberFormatException e) {
                return; // the library refuses it
            }
            int count = items.getAsInt();
            if (i >= count) {
                throw Rejections.missingSharedString(rowNum, i, count);
            }
        }

        private static boolean isDigits(CharSequence text) {
            return text.chars().allMatch(c -> c >= '0' && c <= '9');
        }
    }
}
