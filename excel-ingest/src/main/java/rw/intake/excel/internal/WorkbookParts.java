package rw.intake.excel.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Where the plain reader finds a workbook's worksheets and shared strings: the parts fastexcel-reader reads, found as
 * it finds them (the workbook and shared-strings parts named in {@code [Content_Types].xml}, a sheet's part by its
 * relationship id in the workbook part's relationships, an entry's name matched exactly, then ignoring case). Whatever
 * it cannot find so is left to fastexcel-reader: {@link #open} answers null, {@link #sheet} null. What the parts that
 * {@link PackageCheck} left to be read once inflate is counted against the inflate limit left to them.
 */
final class WorkbookParts implements AutoCloseable {

    private static final String WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
    private static final String WORKBOOK_MACROS = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";
    private static final String SHARED_STRINGS =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml";
    private static final String STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
    private static final String RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static final String STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships";
    private static final Pattern FILE_NAME = Pattern.compile("^(.*/)([^/]+)$");
    /** An XML declaration's encoding, its name in group 2. */
    private static final Pattern ENCODING =
            Pattern.compile("[ \\t\\r\\n]encoding[ \\t\\r\\n]*=[ \\t\\r\\n]*([\"'])([^\"']*)\\1");

    private static final XMLInputFactory XML = xmlFactory();

    /** What fastexcel-reader's shared strings may take, at most, per byte of their XML ({@link #checkStringsForFastexcel}). */
    private static final int FASTEXCEL_STRING_COST = 4;

    private final ZipFile zip;
    private final String sharedStringsPart;
    /** {@link rw.intake.excel.ReadLimits#maxSharedStringsBytes}. */
    private final long maxStringsBytes;

    private final Map<String, String> partsById;
    private final PackageCheck.ReadOnce readOnce;
    /** What the parts read once may still inflate to. */
    private final AtomicLong inflateLeft;

    private SharedStringTable strings;
    private boolean stringsRead;
    /** Whether {@link #checkStringsForFastexcel} has passed. */
    private boolean stringsCheckedForFastexcel;
    /** The parts {@link #checkUtf8ForFastexcel} has checked. */
    private final Set<String> utf8Checked = new HashSet<>();

    private WorkbookParts(
            ZipFile zip,
            String sharedStringsPart,
            Map<String, String> partsById,
            PackageCheck.ReadOnce readOnce,
            long maxStringsBytes) {
        this.zip = zip;
        this.sharedStringsPart = sharedStringsPart;
        this.maxStringsBytes = maxStringsBytes;
        this.partsById = partsById;
        this.readOnce = readOnce;
        this.inflateLeft = new AtomicLong(readOnce.inflateBudget());
    }

    private static XMLInputFactory xmlFactory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    /**
     * The parts of a workbook that passed {@link PackageCheck} (which left {@code readOnce} to the reader), or null if
     * they are not where fastexcel finds them.
     */
    static WorkbookParts open(byte[] bytes, PackageCheck.ReadOnce readOnce, long maxStringsBytes) {
        ZipFile zip = null;
        try {
            zip = ZipFile.builder()
                    .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                    .get();
            ContentTypes types = ContentTypes.read(zip);
            if (types == null) {
                return closed(zip);
            }
            String workbook = types.workbook();
            String sharedStrings = types.sharedStrings();
            Matcher m = FILE_NAME.matcher(workbook);
            if (!m.matches()) {
                return closed(zip);
            }
            String rels = m.replaceFirst("$1_rels/$2.rels");
            String folder = rels.substring(0, rels.indexOf("_rel"));
            Map<String, String> partsById = new HashMap<>();
            try (InputStream in = entry(zip, rels)) {
                if (in == null) {
                    return closed(zip);
                }
                XMLStreamReader r = XML.createXMLStreamReader(in);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamReader.START_ELEMENT
                            && r.getLocalName().equals("Relationship")) {
                        String id = r.getAttributeValue(null, "Id");
                        String target = r.getAttributeValue(null, "Target");
                        if (target == null) {
                            return closed(zip);
                        }
                        partsById.put(id, target.startsWith("/") ? target : folder + target);
                    }
                }
                r.close();
            }
            return new WorkbookParts(zip, sharedStrings, partsById, readOnce, maxStringsBytes);
        } catch (IOException | XMLStreamException | RuntimeException e) {
            return closed(zip);
        }
    }

    /**
     * The relationship ids of the workbook's sheets, in order, whichever namespace they are in: the transitional
     * format's, or the Strict format's ({@value #STRICT_RELATIONSHIPS}, Excel's "Strict Open XML Spreadsheet"), which
     * fastexcel-reader does not read. A sheet without one has null; an empty list if the workbook part is not found.
     */
    static List<String> sheetIds(byte[] bytes) throws IOException {
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .get()) {
            ContentTypes types = ContentTypes.read(zip);
            List<String> ids = new ArrayList<>();
            try (InputStream in = types == null ? null : entry(zip, types.workbook())) {
                if (in == null) {
                    return ids;
                }
                XMLStreamReader r = XML.createXMLStreamReader(in);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamReader.START_ELEMENT
                            && r.getLocalName().equals("sheet")) {
                        String id = r.getAttributeValue(STRICT_RELATIONSHIPS, "id");
                        ids.add(id != null ? id : r.getAttributeValue(RELATIONSHIPS, "id"));
                    }
                }
                r.close();
            }
            return ids;
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }

    /**
     * The sheets of the workbook that are not worksheets, by relationship id, each with what it is ("a chart sheet",
     * "a dialog sheet", "a macro sheet"): the workbook lists them among its sheets, but they hold no list. Found by
     * the type of the workbook part's relationship to each (in either format's namespace); a sheet whose relationship
     * is not found is taken for a worksheet.
     */
    static Map<String, String> otherSheets(byte[] bytes) throws IOException {
        Map<String, String> others = new HashMap<>();
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .get()) {
            ContentTypes types = ContentTypes.read(zip);
            Matcher m = types == null ? null : FILE_NAME.matcher(types.workbook());
            if (m == null || !m.matches()) {
                return others;
            }
            try (InputStream in = entry(zip, m.replaceFirst("$1_rels/$2.rels"))) {
                if (in == null) {
                    return others;
                }
                XMLStreamReader r = XML.createXMLStreamReader(in);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamReader.START_ELEMENT
                            && r.getLocalName().equals("Relationship")) {
                        String id = r.getAttributeValue(null, "Id");
                        String type = r.getAttributeValue(null, "Type");
                        String kind = type == null ? null : OTHER_SHEETS.get(type.substring(type.lastIndexOf('/') + 1));
                        if (id != null && kind != null) {
                            others.put(id, kind);
                        }
                    }
                }
                r.close();
            }
            return others;
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }

    /** The last segment of the relationship types of sheets that are not worksheets, and what each is. */
    private static final Map<String, String> OTHER_SHEETS = Map.of(
            "chartsheet", "a chart sheet",
            "dialogsheet", "a dialog sheet",
            "xlMacrosheet", "a macro sheet",
            "xlIntlMacrosheet", "a macro sheet");

    /** The parts named in {@code [Content_Types].xml} that the reader needs; the workbook's by default. */
    private record ContentTypes(String workbook, String sharedStrings, String styles) {

        /** Null if the package has no content types, or an override without its type or part name. */
        static ContentTypes read(ZipFile zip) throws IOException, XMLStreamException {
            String workbook = null;
            String sharedStrings = null;
            String styles = null;
            try (InputStream in = entry(zip, "[Content_Types].xml")) {
                if (in == null) {
                    return null;
                }
                XMLStreamReader r = XML.createXMLStreamReader(in);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamReader.START_ELEMENT
                            && r.getLocalName().equals("Override")) {
                        String type = r.getAttributeValue(null, "ContentType");
                        String name = r.getAttributeValue(null, "PartName");
                        if (type == null || name == null) {
                            return null;
                        }
                        if (type.equals(WORKBOOK) || type.equals(WORKBOOK_MACROS)) {
                            workbook = name;
                        } else if (type.equals(SHARED_STRINGS)) {
                            sharedStrings = name;
                        } else if (type.equals(STYLES)) {
                            styles = name;
                        }
                        if (workbook != null && sharedStrings != null && styles != null) {
                            break;
                        }
                    }
                }
                r.close();
            }
            return new ContentTypes(workbook == null ? "/xl/workbook.xml" : workbook, sharedStrings, styles);
        }
    }

    private static WorkbookParts closed(ZipFile zip) {
        try {
            if (zip != null) {
                zip.close();
            }
        } catch (IOException ignored) {
            // an in-memory zip: nothing to lose
        }
        return null;
    }

    /** The name of the sheet part with this relationship id as the zip names it (no leading '/'), or null. */
    String sheetName(String id) {
        String name = partsById.get(id);
        return name == null ? null : zipName(name);
    }

    /** A part name as the zip names its entry: without the leading '/'. */
    static String zipName(String partName) {
        return partName.startsWith("/") ? partName.substring(1) : partName;
    }

    /** The inflated bytes of the sheet with this relationship id, or null if it has no part. */
    InputStream sheet(String id) throws IOException {
        String name = partsById.get(id);
        return name == null ? null : part(name);
    }

    /**
     * The shared strings, opened once (their items are read as cells ask for them); null when the workbook has none.
     *
     * @throws XmlBytes.Unsupported if they do not start as plain shared strings (then no sheet of the workbook is read
     *                              by the plain reader)
     */
    SharedStringTable strings() throws IOException {
        if (!stringsRead) {
            stringsRead = true;
            if (sharedStringsPart != null) {
                InputStream in = part(sharedStringsPart);
                strings = in == null ? null : SharedStringTable.open(in, zipName(sharedStringsPart), maxStringsBytes);
            }
        }
        return strings;
    }

    /**
     * Refuses shared strings that fastexcel-reader would hold in more than {@code maxStringsBytes}: it keeps each item
     * it reads as a {@code String}, about three and a half times the bytes of the item's XML for the shortest items,
     * and reads them as far as a cell asks (to the last, if a cell names it), within no bound of its own. So their XML
     * may be at most a quarter of {@code maxStringsBytes}; it is inflated and counted, not kept, before fastexcel-reader
     * reads a row (once), and no further than that.
     *
     * @throws IngestException {@code file.too_large} ({@code maxSharedStringsBytes}) for more
     */
    void checkStringsForFastexcel() throws IOException {
        if (stringsCheckedForFastexcel || sharedStringsPart == null) {
            return;
        }
        long most = maxStringsBytes / FASTEXCEL_STRING_COST;
        try (InputStream in = entry(zip, sharedStringsPart)) {
            if (in != null) {
                byte[] buf = new byte[64 * 1024];
                long read = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    read += n;
                    if (read > most) {
                        throw Rejections.sharedStringsTooLarge(zipName(sharedStringsPart), maxStringsBytes);
                    }
                }
            }
        }
        stringsCheckedForFastexcel = true;
    }

    /**
     * Refuses a sheet (by relationship id) or shared strings that fastexcel-reader is to read and that are not UTF-8
     * throughout, where their declaration says UTF-8 or nothing (which means UTF-8): its XML parser (Aalto) reads an overlong
     * form as the character it spells ({@code C0 B1} as {@code 1}), which the plain reader refuses
     * ({@link XmlBytes}). Each part is inflated once more and decoded, not kept; a part in another encoding (a byte
     * order mark of UTF-16 or UTF-32, or a declaration naming another) is left to fastexcel-reader.
     *
     * @throws IngestException {@code file.corrupt} at the first byte that is not part of a UTF-8 character
     */
    void checkUtf8ForFastexcel(String sheetId) throws IOException {
        String sheetPart = partsById.get(sheetId);
        for (String name : new String[] {sheetPart, sharedStringsPart}) {
            if (name != null && utf8Checked.add(name)) {
                try (InputStream in = entry(zip, name)) {
                    if (in != null) {
                        checkUtf8(in, zipName(name));
                    }
                }
            }
        }
    }

    private static void checkUtf8(InputStream in, String part) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n = in.readNBytes(buf, 0, buf.length);
        if (!declaresUtf8(buf, n)) {
            return;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.allocate(buf.length + 4);
        CharBuffer chars = CharBuffer.allocate(buf.length);
        long offset = 0;
        while (true) {
            bytes.put(buf, 0, n);
            bytes.flip();
            boolean end = n < buf.length;
            CoderResult r = decoder.decode(bytes, chars, end);
            if (r.isError()) {
                throw Rejections.corrupt(
                        "the part " + part + " is not UTF-8 text as it declares: the bytes at offset "
                                + (offset + bytes.position()) + " spell no character",
                        null);
            }
            chars.clear();
            offset += bytes.position();
            bytes.compact();
            if (end) {
                return;
            }
            n = in.readNBytes(buf, 0, buf.length);
        }
    }

    /**
     * Whether a part starting with {@code head} (its first {@code n} bytes) is UTF-8 by XML's rules: no byte order mark
     * of UTF-16 or UTF-32, no zero byte in its first four, and no declaration naming another encoding.
     */
    private static boolean declaresUtf8(byte[] head, int n) {
        if (n >= 2
                && ((head[0] == (byte) 0xFE && head[1] == (byte) 0xFF)
                        || (head[0] == (byte) 0xFF && head[1] == (byte) 0xFE))) {
            return false;
        }
        for (int i = 0; i < Math.min(n, 4); i++) {
            if (head[i] == 0) {
                return false;
            }
        }
        String start = new String(head, 0, Math.min(n, 256), StandardCharsets.ISO_8859_1);
        int bom = start.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
        if (!start.startsWith("<?xml", bom)) {
            return true;
        }
        int close = start.indexOf("?>");
        Matcher m = ENCODING.matcher(close < 0 ? start : start.substring(0, close));
        return !m.find() || m.group(2).equalsIgnoreCase("utf-8");
    }

    /**
     * Reads what is left of the shared strings, if they were opened, to their end (their CRC checked, when they were
     * left to be read once); called when the sheet's last row has been read.
     */
    void finishStrings() {
        if (strings != null) {
            strings.drain();
        }
    }

    /** A part's inflated bytes ({@link #entry}), counted against the inflate limit if the pass left it to be read. */
    private InputStream part(String partName) throws IOException {
        return entry(zip, partName, readOnce, inflateLeft);
    }

    private static InputStream entry(ZipFile zip, String partName) throws IOException {
        return entry(zip, partName, PackageCheck.ReadOnce.NONE, null);
    }

    /** The entry's inflated bytes by its part name (a leading '/' dropped; exact, then ignoring case), or null. */
    private static InputStream entry(ZipFile zip, String partName, PackageCheck.ReadOnce readOnce, AtomicLong left)
            throws IOException {
        String name = zipName(partName);
        ZipArchiveEntry entry = zip.getEntry(name);
        if (entry == null) {
            Enumeration<ZipArchiveEntry> entries = zip.getEntries();
            while (entries.hasMoreElements() && entry == null) {
                ZipArchiveEntry e = entries.nextElement();
                if (e.getName().equalsIgnoreCase(name)) {
                    entry = e;
                }
            }
        }
        if (entry == null) {
            return null;
        }
        if (entry.getMethod() != ZipEntry.DEFLATED) {
            return zip.getInputStream(entry);
        }
        InputStream inflating;
        if (readOnce.entries().contains(entry.getName())) {
            // not checked by the zip pass: its CRC is checked at its end (the plain reader reads a sheet to its end)
            inflating = new Counted(
                    new InflatingStream(zip.getRawInputStream(entry), entry.getCrc()), left, readOnce.inflateLimit());
        } else {
            inflating = new InflatingStream(zip.getRawInputStream(entry));
        }
        return entry.getCompressedSize() >= PackageCheck.PREFETCH_FROM
                ? new PrefetchStream(inflating, PackageCheck.BUFFER)
                : inflating;
    }

    /**
     * A part read once, counted against what is left of the inflate limit: past it, reading fails with
     * {@code file.too_large} (thrown on the thread that inflates; {@link FastexcelSheet#translate} finds it in the
     * cause of the failure that reaches the reader).
     */
    private static final class Counted extends FilterInputStream {
        private final AtomicLong left;
        private final long limit;

        Counted(InputStream in, AtomicLong left, long limit) {
            super(in);
            this.left = left;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                count(1);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            if (left.addAndGet(-n) < 0) {
                throw Rejections.inflatesTooLarge(limit);
            }
        }
    }

    @Override
    public void close() {
        if (strings != null) {
            strings.close();
        }
        closed(zip);
    }
}
