package rw.intake.excel.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;

/**
 * Opens fastexcel-reader's {@link ReadableWorkbook} over the workbook's bytes as they are. Its public constructors take
 * a file (never: nothing uploaded touches disk) or a stream, which it first copies whole into an array of its own
 * through a growing buffer: two more copies of the workbook per upload (104 MB for a 52 MB workbook, the array kept for
 * as long as the sheet is read), made before the 202. Its package class opens a zip over a
 * {@link SeekableInMemoryByteChannel}, which reads the array in place; its constructors are private, so they are called
 * by reflection (the classpath grants it). If a version of the library does not have them, or refuses the call, the
 * workbook is opened through the stream constructor, as before: the same workbook, read the same way, with the copies.
 * {@link #inPlace()} says which (a test pins it for the version the build uses).
 */
final class WorkbookOpener {

    private static final String PACKAGE_CLASS = "org.dhatim.fastexcel.reader.OPCPackage";
    /** {@code OPCPackage(SeekableInMemoryByteChannel, boolean withFormat)}, or null if not to be had. */
    private static final Constructor<?> PACKAGE;
    /** {@code ReadableWorkbook(OPCPackage, ReadingOptions)}, or null if not to be had. */
    private static final Constructor<ReadableWorkbook> WORKBOOK;

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
    }

    private WorkbookOpener() {}

    /** Whether workbooks are opened over their bytes in place (else through the stream constructor, copied). */
    static boolean inPlace() {
        return WORKBOOK != null;
    }

    /** The workbook over {@code bytes}, which it reads and never changes; opened as {@code options} say. */
    static ReadableWorkbook open(byte[] bytes, ReadingOptions options) throws IOException {
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
