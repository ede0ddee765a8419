package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import rw.intake.excel.IngestException;
import rw.intake.excel.ReadLimits;

/**
 * Judges a workbook by its content, not its name, before fastexcel sees it: the magic bytes, then one pass over the
 * zip's central directory (the same directory fastexcel reads, through the same commons-compress {@code ZipFile})
 * that inflates every entry through a counter and stops as soon as the inflate limit is passed. Entry sizes in the
 * directory can lie, so the counter, not the header, decides. The pass also finds truncated entries and bad CRCs
 * before any record is read. Everything stays in memory. While inflating, it scans every XML part ({@link PartScan}):
 * it counts the {@code row} elements, so that the rows a sheet holds are known before it is read, refuses cell
 * references that would make fastexcel allocate without bound, and refuses a row, a shared string or a text too large
 * for a reader to hold.
 *
 * <p>A large part the content types declare as a worksheet or the shared strings ({@link #sheetParts}), of plain
 * proportions (by its directory entry at most {@link #READ_ONCE_RATIO} times its compressed
 * size inflated, and its first {@link #PROBE} bytes inflated from at least a {@link #READ_ONCE_RATIO}th as many) is
 * not inflated by the pass when it is at least {@link #READ_ONCE_FROM} compressed bytes and its start declares the
 * sheet's range of rows ({@code <dimension ref="A1:E50001"/>}, which then sizes the upload's reservation), or at
 * least {@link #UNDECLARED_READ_ONCE_FROM} without one: it is left to be read once, by the
 * plain reader, which counts what it inflates against what is left of the inflate limit ({@link Result#readOnce}) and
 * refuses a sheet past the row limit as it reads. Its rows are then not known before reading ({@link
 * Result#mostRows} is -1). Before fastexcel-reader reads any row of such a workbook (a sheet the plain reader does not
 * support), {@link #checkLate} makes the pass over those parts after all, so that fastexcel never meets a cell
 * reference past XFD. A part that claims or shows a ratio of a zip bomb is inflated by the pass, as before.
 */
public final class PackageCheck {

    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    private static final byte[] OLE2 = {
        (byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1
    };
    private static final byte[] PDF = "%PDF".getBytes(StandardCharsets.US_ASCII);
    private static final int TEXT_SNIFF = 4096;
    /** Text holds at most one control character (but tab, line feed and carriage return) in this many bytes. */
    private static final int CONTROLS_PER_TEXT = 32;

    private static final byte[] ENCRYPTED_PACKAGE = "EncryptedPackage".getBytes(StandardCharsets.UTF_16LE);
    private static final int CONTENT_TYPES_KEEP = 64 * 1024;
    /** The inflate buffers, in and out: the scans see a part in pieces of at most this many bytes. */
    public static final int BUFFER = 256 * 1024;
    /** Compressed bytes from which an entry is inflated on a thread of its own ({@link PrefetchStream}), here and
     * when a reader reads it ({@link WorkbookParts}). */
    static final long PREFETCH_FROM = 1024 * 1024;
    /**
     * Compressed bytes from which a part of plain proportions whose start declares its range of rows is read once, by
     * the reader, not by the pass.
     */
    public static final long READ_ONCE_FROM = 1024 * 1024;
    /**
     * The same for a part whose start declares no range of rows (shared strings; a sheet of a streaming writer, whose
     * dimension is {@code A1}): as the pass counts its rows, what the upload reserves is known only from its size.
     */
    public static final long UNDECLARED_READ_ONCE_FROM = 4 * READ_ONCE_FROM;
    /** {@link #UNDECLARED_READ_ONCE_FROM} in times {@link #READ_ONCE_FROM} (also for a threshold a test sets). */
    private static final long UNDECLARED_FACTOR = UNDECLARED_READ_ONCE_FROM / READ_ONCE_FROM;

    private static final String CONTENT_TYPES = "[Content_Types].xml";
    /**
     * The most zip entries a workbook may have: a workbook holds tens of parts, a few more for each sheet, drawing or
     * comment. The zip reader keeps an object for every entry of the central directory, a million empty ones (94 MB)
     * hundreds of megabytes of them.
     */
    public static final int MAX_ENTRIES = 10_000;

    private static final Pattern OVERRIDE = Pattern.compile("<(?:[A-Za-z_][\\w.-]*:)?Override\\b([^>]*)>");
    private static final Pattern PART_NAME = Pattern.compile("\\sPartName\\s*=\\s*[\"']([^\"']*)[\"']");
    private static final Pattern CONTENT_TYPE = Pattern.compile("\\sContentType\\s*=\\s*[\"']([^\"']*)[\"']");
    private static final String WORKSHEET_TYPE =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
    private static final String SHARED_STRINGS_TYPE =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml";
    /** The start of a part searched for its dimension, in inflated bytes. */
    private static final int DIMENSION_WITHIN = 64 * 1024;
    /** A sheet's declared range of rows, in the first bytes of its part: its last row. */
    private static final Pattern DIMENSION = Pattern.compile(
            "<(?:[A-Za-z_][\\w.-]*:)?dimension\\s+ref\\s*=\\s*[\"'][A-Z]{1,3}[0-9]+:[A-Z]{1,3}([0-9]{1,7})[\"']");

    /**
     * The most a part read once may inflate to, in times its compressed size, by its directory entry: sheets compress
     * 5 to 15 times, a zip bomb hundreds of times.
     */
    public static final long READ_ONCE_RATIO = 64;
    /** The bytes of a part's start inflated to see whether it packs as a sheet or as a zip bomb. */
    static final int PROBE = 1024 * 1024;

    private PackageCheck() {}

    /**
     * Checks the bytes and tells whether fastexcel may read cell formats (it fails on a workbook without a styles
     * part when asked to, and a few writers leave that part out).
     *
     * @throws IngestException {@code file.empty}, {@code file.too_large}, {@code file.unsupported_format} or
     *                         {@code file.corrupt}
     */
    public static boolean check(byte[] bytes, ReadLimits limits) {
        return inspect(bytes, limits).hasStyles();
    }

    /**
     * What the pre-pass found in a workbook it let through.
     *
     * @param hasStyles whether fastexcel may read cell formats
     * @param mostRows  the most {@code row} elements any part holds: no sheet of the workbook has more rows; -1 when a
     *                  part is read once (not known before reading)
     * @param readOnce  the parts left to the reader
     */
    public record Result(boolean hasStyles, long mostRows, ReadOnce readOnce) {}

    /**
     * The parts the pass left to be read once, and the inflate limit left to them all together.
     *
     * @param entries       their zip entry names
     * @param inflateBudget the bytes they may inflate to, all together
     * @param inflateLimit  the inflate limit of the whole workbook, which a refusal names
     */
    public record ReadOnce(Set<String> entries, long inflateBudget, long inflateLimit) {
        static final ReadOnce NONE = new ReadOnce(Set.of(), 0, 0);

        public ReadOnce {
            entries = Set.copyOf(entries);
        }
    }

    /**
     * As {@link #check}, and counts the rows of the workbook's parts.
     *
     * @throws IngestException as {@link #check}
     */
    public static Result inspect(byte[] bytes, ReadLimits limits) {
        return inspect(bytes, limits, READ_ONCE_FROM);
    }

    /**
     * As {@link #inspect(byte[], ReadLimits)}, leaving to the reader the parts of plain proportions of at least
     * {@code readOnceFrom} compressed bytes that declare their range of rows, and of four times that without (tests;
     * {@link #READ_ONCE_FROM} otherwise).
     */
    public static Result inspect(byte[] bytes, ReadLimits limits, long readOnceFrom) {
        checkSize(bytes, limits);
        if (startsWith(bytes, OLE2)) {
            // An encrypted .xlsx is an OLE2 compound file holding an "EncryptedPackage" stream; the directory
            // stores stream names in UTF-16LE.
            if (indexOf(bytes, ENCRYPTED_PACKAGE) >= 0) {
                throw Rejections.passwordProtected();
            }
            throw Rejections.unsupported("a legacy Excel 97-2003 (.xls) or other Office 97 file");
        }
        if (startsWith(bytes, ZIP_EMPTY)) {
            throw Rejections.unsupported("an empty zip archive");
        }
        if (!startsWith(bytes, ZIP)) {
            throw Rejections.unsupported(guess(bytes));
        }
        Directory directory = centralDirectory(bytes, MAX_ENTRIES + 1);
        if (directory.entries() > MAX_ENTRIES) {
            throw Rejections.tooManyEntries(MAX_ENTRIES);
        }
        if (directory.twice() != null) {
            // a package holds each part once (OPC: names compared without case); readers differ on which copy they
            // take, so the rows read here might not be those a spreadsheet program shows
            throw Rejections.corrupt("two parts of the zip have the same name, " + directory.twice(), null);
        }
        return inflateAll(bytes, limits.maxInflatedBytes(), readOnceFrom);
    }

    /**
     * The entries of the zip's central directory, counted up to {@code most} as the zip reader reads them: from the
     * offset the end-of-central-directory record gives (its ZIP64 record's when it has one), header after header while
     * the signature holds. 0 if there is no such record (the zip reader then refuses the file).
     */
    public static int centralDirectoryEntries(byte[] b, int most) {
        return centralDirectory(b, most).entries();
    }

    /**
     * The zip's central directory as the zip reader reads it ({@link #centralDirectoryEntries}): its entries counted up
     * to {@code most}, and the first name that two of them hold, ASCII letters compared without case, or null.
     */
    record Directory(int entries, String twice) {}

    static Directory centralDirectory(byte[] b, int most) {
        int end = -1;
        for (int i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xFFFF) && end < 0; i--) {
            if (signature(b, i, 0x06054b50)) {
                end = i;
            }
        }
        if (end < 0) {
            return new Directory(0, null);
        }
        long offset = le(b, end + 16, 4);
        int locator = end - 20;
        if (offset == 0xFFFFFFFFL && locator >= 0 && signature(b, locator, 0x07064b50)) {
            long zip64 = le(b, locator + 8, 8);
            offset = zip64 >= 0 && zip64 <= b.length - 56 && signature(b, (int) zip64, 0x06064b50)
                    ? le(b, (int) zip64 + 48, 8)
                    : -1;
        }
        int count = 0;
        Set<String> names = new HashSet<>();
        String twice = null;
        for (long at = offset; at >= 0 && at <= b.length - 46 && signature(b, (int) at, 0x02014b50) && count < most; ) {
            count++;
            int header = (int) at;
            int nameLength = (int) le(b, header + 28, 2);
            if (twice == null && header + 46 + nameLength <= b.length) {
                // byte for byte (ISO-8859-1 keeps every byte), ASCII letters folded
                String name = new String(b, header + 46, nameLength, StandardCharsets.ISO_8859_1);
                if (!names.add(asciiLowerCase(name))) {
                    twice = new String(b, header + 46, nameLength, StandardCharsets.UTF_8);
                }
            }
            at += 46 + nameLength + le(b, header + 30, 2) + le(b, header + 32, 2);
        }
        return new Directory(count, twice);
    }

    private static String asciiLowerCase(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] = (char) (c[i] + ('a' - 'A'));
            }
        }
        return new String(c);
    }

    private static boolean signature(byte[] b, int at, int signature) {
        return le(b, at, 4) == (signature & 0xFFFFFFFFL);
    }

    /** The little-endian unsigned number of {@code length} bytes at {@code at}. */
    private static long le(byte[] b, int at, int length) {
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    /**
     * The checks of size every format shares.
     *
     * @throws IngestException {@code file.empty} for 0 bytes, {@code file.too_large} past the byte limit
     */
    public static void checkSize(byte[] bytes, ReadLimits limits) {
        if (bytes.length == 0) {
            throw Rejections.emptyFile();
        }
        if (bytes.length > limits.maxBytes()) {
            throw Rejections.tooLarge(bytes.length, limits.maxBytes());
        }
    }

    /**
     * Whether the bytes are text to be read as CSV: UTF-16 with its byte order mark (Excel's "Unicode Text"), or not a
     * PDF and, in the first {@value #TEXT_SNIFF} bytes, no NUL byte and few other control characters than tab, line
     * feed and carriage return (a zip, an Office 97 file, UTF-16 text without the mark and other binaries all have
     * NULs, a zip of stored parts only a few). A value may hold a stray control character (one pasted into a cell,
     * kept in an error report), not a NUL. Text that starts with a UTF-8 byte order mark is declared text, as UTF-16's
     * mark declares it: it may hold any number of control characters but NUL (a value full of them, kept in the error
     * report, which writes the mark). Which encoding the text is in is the CSV reader's concern.
     */
    public static boolean isText(byte[] bytes) {
        if (CsvText.utf16(bytes)) {
            return true;
        }
        if (bytes.length == 0 || startsWith(bytes, PDF)) {
            return false;
        }
        int n = Math.min(bytes.length, TEXT_SNIFF);
        int controls = 0;
        for (int i = 0; i < n; i++) {
            int c = bytes[i] & 0xFF;
            if (c == 0) {
                return false;
            }
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7F) {
                controls++;
            }
        }
        return controls * CONTROLS_PER_TEXT <= n || CsvText.utf8Bom(bytes);
    }

    private static Result inflateAll(byte[] bytes, long maxInflated, long readOnceFrom) {
        Set<String> readOnce = new LinkedHashSet<>();
        boolean contentTypes = false;
        boolean workbookPart = false;
        String types = "";
        long mostRows = 0;
        Counter counter = new Counter(maxInflated, maxInflated);
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .get()) {
            // the content types first: which parts may be read once depends on them
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            entries.sort(Comparator.comparing(e -> !CONTENT_TYPES.equalsIgnoreCase(e.getName())));
            Set<String> sheetParts = Set.of();
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName().toLowerCase(Locale.ROOT);
                if (entry.getSize() > maxInflated - counter.total) {
                    throw Rejections.inflatesTooLarge(maxInflated);
                }
                if (entry.isDirectory()) {
                    continue;
                }
                // Workbooks are stored or deflated; commons-compress would reach for an optional library (zstd,
                // xz) on some other methods and fail with an Error.
                if (!zip.canReadEntryData(entry)
                        || (entry.getMethod() != ZipEntry.STORED && entry.getMethod() != ZipEntry.DEFLATED)) {
                    throw Rejections.corrupt(
                            "the zip entry " + entry.getName() + " uses an unsupported compression" + " or encryption",
                            null);
                }
                boolean isTypes = CONTENT_TYPES.equalsIgnoreCase(name);
                contentTypes |= isTypes;
                workbookPart |= "xl/workbook.xml".equals(name);
                if (sheetParts.contains(name)
                        && readOnce(entry, readOnceFrom)
                        && packsLikeASheet(zip, entry, readOnceFrom)) {
                    readOnce.add(entry.getName());
                    continue;
                }
                counter.keep = isTypes ? new StringBuilder() : null;
                long before = counter.total;
                check(zip, entry, counter);
                if (isTypes) {
                    types = counter.keep.toString();
                    sheetParts = types.length() == counter.total - before ? sheetParts(types) : Set.of();
                }
                mostRows = Math.max(mostRows, counter.scan.rows());
            }
        } catch (IOException | RuntimeException e) {
            throw damaged(e);
        }
        if (!contentTypes
                || !(workbookPart
                        || types.contains("spreadsheetml.sheet.main")
                        || types.contains("ms-excel.sheet.macroEnabled.main")
                        || types.contains("spreadsheetml.template.main"))) {
            throw Rejections.unsupported(
                    types.contains("opendocument") || !contentTypes
                            ? "a zip archive that is not an Excel workbook (an OpenDocument file or another archive)"
                            : types.contains("ms-excel.sheet.binary.macroEnabled.main")
                                    ? "an Excel Binary Workbook (.xlsb), which is not read"
                                    : "an Office document that is not an Excel workbook");
        }
        return new Result(
                types.contains("spreadsheetml.styles+xml"),
                readOnce.isEmpty() ? mostRows : -1,
                readOnce.isEmpty() ? ReadOnce.NONE : new ReadOnce(readOnce, maxInflated - counter.total, maxInflated));
    }

    /**
     * The parts the content types declare as worksheets or shared strings and as nothing else (lower case, without
     * the leading '/'): the only parts the pass may leave to be read once. fastexcel-reader reads the workbook part,
     * its relationships and the styles when it opens a workbook, before {@link #checkLate} could make the pass over
     * them, so those are always inflated by the pass. Content types written with a reference, or an override the
     * pattern does not read, leave nothing to be read once.
     */
    static Set<String> sheetParts(String types) {
        if (types.indexOf('&') >= 0) {
            return Set.of();
        }
        Set<String> sheets = new HashSet<>();
        Set<String> others = new HashSet<>(Set.of("xl/workbook.xml"));
        Matcher override = OVERRIDE.matcher(types);
        while (override.find()) {
            Matcher part = PART_NAME.matcher(override.group(1));
            Matcher type = CONTENT_TYPE.matcher(override.group(1));
            if (!part.find() || !type.find()) {
                return Set.of();
            }
            String name = WorkbookParts.zipName(part.group(1)).toLowerCase(Locale.ROOT);
            String contentType = type.group(1);
            boolean sheet = contentType.equals(WORKSHEET_TYPE) || contentType.equals(SHARED_STRINGS_TYPE);
            (sheet ? sheets : others).add(name);
        }
        sheets.removeAll(others);
        return sheets;
    }

    /** Our own refusal as it is; any other failure of the zip as {@code file.corrupt}. */
    private static IngestException damaged(Exception e) {
        return e instanceof IngestException ie ? ie : Rejections.corrupt("the zip archive is damaged or truncated", e);
    }

    /** Whether the pass leaves the entry to the reader: large, deflated, and of a sheet's proportions. */
    private static boolean readOnce(ZipArchiveEntry entry, long readOnceFrom) {
        long packed = entry.getCompressedSize();
        long size = entry.getSize();
        return entry.getMethod() == ZipEntry.DEFLATED
                && packed >= readOnceFrom
                && size >= 0
                && size <= packed * READ_ONCE_RATIO;
    }

    /**
     * Whether the start of the entry inflates as a sheet does, not as a zip bomb: its first {@link #PROBE} bytes (or
     * all of it) from at least 1/{@link #READ_ONCE_RATIO} as many compressed bytes. The directory's sizes can lie;
     * this is what the data does. A bomb is then inflated by the pass, and refused before the 202. A part of less
     * than {@link #UNDECLARED_FACTOR} times {@code readOnceFrom} must also declare its range of rows
     * ({@link #declaresRows}).
     */
    private static boolean packsLikeASheet(ZipFile zip, ZipArchiveEntry entry, long readOnceFrom) throws IOException {
        long undeclaredFrom =
                readOnceFrom >= Long.MAX_VALUE / UNDECLARED_FACTOR ? Long.MAX_VALUE : UNDECLARED_FACTOR * readOnceFrom;
        boolean large = entry.getCompressedSize() >= undeclaredFrom;
        try (InflatingStream in = new InflatingStream(zip.getRawInputStream(entry))) {
            byte[] output = new byte[BUFFER];
            int start = 0;
            int n;
            while (start < DIMENSION_WITHIN && (n = in.read(output, start, DIMENSION_WITHIN - start)) > 0) {
                start += n;
            }
            if (!large && !declaresRows(output, start)) {
                return false;
            }
            long out = start;
            while (out < PROBE && (n = in.read(output)) > 0) {
                out += n;
            }
            return out <= Math.max(1, in.compressedRead()) * READ_ONCE_RATIO;
        }
    }

    /**
     * Whether the first {@code length} bytes of a part declare a sheet's range of rows: a {@code dimension} whose
     * reference is a range ending past the first row, as spreadsheet programs write it. A streaming writer that cannot
     * know the range when it starts the part writes {@code A1}.
     */
    static boolean declaresRows(byte[] start, int length) {
        Matcher m = DIMENSION.matcher(new String(start, 0, length, StandardCharsets.ISO_8859_1));
        return m.find() && Integer.parseInt(m.group(1)) > 1;
    }

    /** Inflates one entry through the counter, scanning it. */
    private static void check(ZipFile zip, ZipArchiveEntry entry, Counter counter) throws IOException {
        counter.scan = new PartScan(entry.getName());
        if (entry.getMethod() == ZipEntry.DEFLATED) {
            try (InputStream raw = zip.getRawInputStream(entry)) {
                counter.inflate(raw, entry.getCrc(), entry.getCompressedSize() >= PREFETCH_FROM);
            }
        } else {
            // stored: the library's stream does not check the CRC, so the pass does
            try (InputStream in = zip.getInputStream(entry)) {
                counter.read(in, entry.getCrc());
            }
        }
        counter.scan.end();
    }

    /**
     * The pass over the parts it left to be read once (their inflate limit, cell references), made before
     * fastexcel-reader reads any of their rows.
     *
     * @throws IngestException {@code file.too_large} or {@code file.corrupt}
     */
    static void checkLate(byte[] bytes, ReadOnce readOnce) {
        if (readOnce.entries().isEmpty()) {
            return;
        }
        Counter counter = new Counter(readOnce.inflateBudget(), readOnce.inflateLimit());
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .get()) {
            for (String name : readOnce.entries()) {
                check(zip, zip.getEntry(name), counter);
            }
        } catch (IOException | RuntimeException e) {
            throw damaged(e);
        }
    }

    /**
     * Counts inflated bytes over all entries and stops past the limit; keeps the start of one entry's text when asked.
     * Deflated entries are inflated from their raw bytes ({@link InflatingStream}); other methods go through the
     * library's stream.
     */
    private static final class Counter {
        private final long max;
        private final long limit;
        private final byte[] output = new byte[BUFFER];
        private long total;
        private StringBuilder keep;
        private PartScan scan;

        /** Counts up to {@code max} bytes; a refusal names {@code limit}. */
        Counter(long max, long limit) {
            this.max = max;
            this.limit = limit;
        }

        /** Reads a stored entry through the counter and checks its CRC ({@code crc}; -1 if the zip gives none). */
        void read(InputStream in, long crc) throws IOException {
            CRC32 sum = new CRC32();
            read(in, sum);
            if (crc >= 0 && sum.getValue() != crc) {
                throw new ZipException("the stored data does not match its CRC");
            }
        }

        /** Reads {@code in} to its end through the counter, and through {@code sum} if not null. */
        private void read(InputStream in, CRC32 sum) throws IOException {
            int n;
            while ((n = in.read(output)) > 0) {
                if (sum != null) {
                    sum.update(output, 0, n);
                }
                count(n);
            }
        }

        /**
         * Inflates the raw deflate data and checks its CRC; a large entry on another thread, while this one counts and
         * scans.
         */
        void inflate(InputStream raw, long crc, boolean ahead) throws IOException {
            InputStream inflating = new InflatingStream(raw, crc);
            try (InputStream in = ahead ? new PrefetchStream(inflating, BUFFER) : inflating) {
                read(in, null);
            }
        }

        private void count(int n) {
            total += n;
            if (total > max) {
                throw Rejections.inflatesTooLarge(limit);
            }
            if (scan != null) {
                scan.scan(output, 0, n);
            }
            if (keep != null && keep.length() < CONTENT_TYPES_KEEP) {
                keep.append(new String(output, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static String guess(byte[] b) {
        if (startsWith(b, PDF)) {
            return "a PDF document";
        }
        if (CsvText.utf32(b)) {
            return "text in UTF-32";
        }
        return isText(b) ? "a text file" : "an unknown binary file";
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (bytes[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte[] needle) {
        outer:
        for (int i = 0; i <= bytes.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
