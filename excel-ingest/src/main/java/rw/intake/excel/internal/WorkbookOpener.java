package rw.intake.excel.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Sheet;
import org.dhatim.fastexcel.reader.SheetVisibility;

/**
 * Opens fastexcel-reader's {@link ReadableWorkbook} over the workbook's bytes as they are. Its public constructors take
 * a file (never: nothing uploaded touches disk) or a stream, which it first copies whole into an array of its own
 * through a growing buffer: two more copies of the workbook per upload (104 MB for a 52 MB workbook, the array kept for
 * as long as the sheet is read), made before the 202. Its package class opens a zip over a
 * {@link SeekableInMemoryByteChannel}, which reads the array in place; its constructors are private, so they are called
 * by reflection (the classpath grants it). If a version of the library does not have them, or refuses the call, the
 * workbook is opened through the stream constructor, as before: the same workbook, read the same way, with the copies.
 * {@link #inPlace()} says which (a test pins it for the version the build uses).
 *
 * <p>fastexcel-reader reads a sheet's relationship id in the transitional namespace only, so the sheets of a workbook
 * in the Strict format (ISO/IEC 29500 Strict, Excel's "Strict Open XML Spreadsheet") come without one, and cannot be
 * opened. Such sheets are made again, by reflection too, with the ids read in either namespace
 * ({@link WorkbookParts#sheetIds}), in their place in the workbook's list; if that cannot be done, they stay as they
 * are, and such a workbook is refused as corrupt (a test pins that they can be, for the version the build uses).
 */
final class WorkbookOpener {

    private static final String PACKAGE_CLASS = "org.dhatim.fastexcel.reader.OPCPackage";
    /** {@code OPCPackage(SeekableInMemoryByteChannel, boolean withFormat)}, or null if not to be had. */
    private static final Constructor<?> PACKAGE;
    /** {@code ReadableWorkbook(OPCPackage, ReadingOptions)}, or null if not to be had. */
    private static final Constructor<ReadableWorkbook> WORKBOOK;
    /** {@code Sheet(ReadableWorkbook, int index, String id, String stableId, String name, SheetVisibility)}. */
    private static final Constructor<Sheet> SHEET;
    /** {@code ReadableWorkbook.sheets}, the list its sheets are found in. */
    private static final Field SHEETS;

    static {
        Constructor<?> pkg = null;
        Constructor<ReadableWorkbook> workbook = null;
        try {
            Class<?> type = Class.forName(PACKAGE_CLASS, false, ReadableWorkbook.class.getClassLoader());
            Constructor<?> p = type.getDeclaredConstructor(SeekableInMemoryByteChannel.class, boolean.class);
            Constructor<ReadableWorkbook> w = ReadableWorkbook.class.getDeclaredConstructor(type, ReadingOptions.class);
            p.setAccessible(true);
            w.setAccessible(true);
            pkg = p;
            workbook = w;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another version of the library, or a security policy: the stream constructor
        }
        PACKAGE = pkg;
        WORKBOOK = workbook;
        Constructor<Sheet> sheet = null;
        Field sheets = null;
        try {
            Constructor<Sheet> c = Sheet.class.getDeclaredConstructor(
                    ReadableWorkbook.class, int.class, String.class, String.class, String.class, SheetVisibility.class);
            Field f = ReadableWorkbook.class.getDeclaredField("sheets");
            if (f.getType() == List.class) {
                c.setAccessible(true);
                f.setAccessible(true);
                sheet = c;
                sheets = f;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another version of the library, or a security policy: Strict workbooks are refused
        }
        SHEET = sheet;
        SHEETS = sheets;
    }

    private WorkbookOpener() {}

    /** Whether workbooks are opened over their bytes in place (else through the stream constructor, copied). */
    static boolean inPlace() {
        return WORKBOOK != null;
    }

    /** The workbook over {@code bytes}, which it reads and never changes; opened as {@code options} say. */
    static ReadableWorkbook open(byte[] bytes, ReadingOptions options) throws IOException {
        ReadableWorkbook workbook = opened(bytes, options);
        FastexcelEvents.watchStrings(workbook);
        try {
            if (SHEETS != null && workbook.getSheets().anyMatch(s -> s.getId() == null)) {
                withSheetIds(workbook, WorkbookParts.sheetIds(bytes));
            }
        } catch (IOException | RuntimeException e) {
            workbook.close();
            throw e;
        }
        return workbook;
    }

    /** The sheets without a relationship id made again with the one at their index in {@code ids}, if any. */
    @SuppressWarnings("unchecked")
    private static void withSheetIds(ReadableWorkbook workbook, List<String> ids) {
        try {
            List<Sheet> sheets = (List<Sheet>) SHEETS.get(workbook);
            for (int i = 0; i < sheets.size() && i < ids.size(); i++) {
                Sheet s = sheets.get(i);
                if (s.getId() == null && ids.get(i) != null) {
                    sheets.set(
                            i,
                            SHEET.newInstance(
                                    workbook,
                                    s.getIndex(),
                                    ids.get(i),
                                    s.getStableId(),
                                    s.getName(),
                                    s.getVisibility()));
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not callable after all, or a list that cannot be changed: the sheets stay as the library made them
        }
    }

    private static ReadableWorkbook opened(byte[] bytes, ReadingOptions options) throws IOException {
        if (WORKBOOK != null) {
            Object pkg = null;
            try {
                pkg = PACKAGE.newInstance(new SeekableInMemoryByteChannel(bytes), options.isWithCellFormat());
                return WORKBOOK.newInstance(pkg, options);
            } catch (InvocationTargetException e) {
                close(pkg);
                throw rethrown(e.getCause());
            } catch (ReflectiveOperationException e) {
                close(pkg);
                // not callable after all: as the library's public constructor does it
            }
        }
        return new ReadableWorkbook(new ByteArrayInputStream(bytes), options);
    }

    /** The library's own failure, as its public constructor would have thrown it. */
    private static IOException rethrown(Throwable failure) {
        if (failure instanceof IOException e) {
            return e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return new IOException(failure);
    }

    /** Closes a package whose workbook could not be made (its zip over the array holds nothing else). */
    private static void close(Object pkg) {
        if (pkg instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing to give back: the zip reads an array in memory
            }
        }
    }
}
