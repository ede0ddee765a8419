package rw.intake.excel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Hand-written OOXML for tests: the parts of a minimal workbook, zipped with java.util.zip, all in memory. */
final class Xlsx {

    static final String SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private final Map<String, byte[]> parts = new LinkedHashMap<>();
    private final StringBuilder sheets = new StringBuilder();
    private final StringBuilder rels = new StringBuilder();
    private final StringBuilder overrides = new StringBuilder();
    private int sheetCount;
    private String workbookPr = "";

    private Xlsx() {}

    static Xlsx workbook() {
        return new Xlsx();
    }

    /** Dates counted in the 1904 date system ({@code <workbookPr date1904="1"/>}), as Excel for Mac once wrote them. */
    Xlsx date1904() {
        workbookPr = "<workbookPr date1904=\"1\"/>";
        return this;
    }

    /** A workbook of one sheet whose {@code <sheetData>} content is given. */
    static byte[] ofSheetData(String sheetData) {
        return workbook().sheet("Sheet1", sheetData).bytes();
    }

    /** A row of inline-string cells, starting at column A. */
    static String row(int r, String... values) {
        StringBuilder sb = new StringBuilder("<row r=\"" + r + "\">");
        for (int c = 0; c < values.length; c++) {
            if (values[c] != null) {
                sb.append("<c r=\"")
                        .append((char) ('A' + c))
                        .append(r)
                        .append("\" t=\"inlineStr\"><is><t>")
                        .append(values[c])
                        .append("</t></is></c>");
            }
        }
        return sb.append("</row>").toString();
    }

    static String header(int r) {
        return row(r, "names", "nid", "phone_number", "gender", "email");
    }

    Xlsx sheet(String name, String sheetData) {
        return sheetXml(
                name,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"" + SHEET_NS + "\"><sheetData>"
                        + sheetData + "</sheetData></worksheet>");
    }

    /** A sheet whose whole XML is given (for DOCTYPEs and other hostile content). */
    Xlsx sheetXml(String name, String xml) {
        sheetCount++;
        sheets.append("<sheet name=\"")
                .append(name)
                .append("\" sheetId=\"")
                .append(sheetCount)
                .append("\" r:id=\"rId")
                .append(sheetCount)
                .append("\"/>");
        rels.append("<Relationship Id=\"rId")
                .append(sheetCount)
                .append("\" Type=\"http://schemas.openxmlformats.org/")
                .append("officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet")
                .append(sheetCount)
                .append(".xml\"/>");
        overrides
                .append("<Override PartName=\"/xl/worksheets/sheet")
                .append(sheetCount)
                .append(".xml\" ContentType=")
                .append("\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
        parts.put("xl/worksheets/sheet" + sheetCount + ".xml", xml.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Any extra part (styles, shared strings, ...) with its content type override. */
    Xlsx part(String name, String contentType, String xml) {
        overrides
                .append("<Override PartName=\"/")
                .append(name)
                .append("\" ContentType=\"")
                .append(contentType)
                .append("\"/>");
        parts.put(name, xml.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    Xlsx sharedStrings(String... strings) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"" + SHEET_NS
                + "\" count=\"" + strings.length + "\" uniqueCount=\"" + strings.length + "\">");
        for (String s : strings) {
            sb.append("<si><t>").append(s).append("</t></si>");
        }
        return part(
                "xl/sharedStrings.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                sb.append("</sst>").toString());
    }

    /** Styles whose cellXfs are the given numFmtIds, so {@code s="i"} gives a cell the i-th format. */
    Xlsx styles(String numFmts, int... cellXfFormats) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"" + SHEET_NS
                + "\">" + numFmts + "<cellXfs count=\"" + cellXfFormats.length + "\">");
        for (int f : cellXfFormats) {
            sb.append("<xf numFmtId=\"").append(f).append("\"/>");
        }
        return part(
                "xl/styles.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
                sb.append("</cellXfs></styleSheet>").toString());
    }

    /**
     * The same workbook in the Strict format (ISO/IEC 29500 Strict), as Excel's "Strict Open XML Spreadsheet" writes
     * it: every part's SpreadsheetML and relationship namespaces, and the relationship types, are the Strict ones; the
     * package's own (content types, the relationships part) stay.
     */
    static byte[] strict(byte[] zip) {
        Map<String, byte[]> parts = entries(zip);
        parts.replaceAll((name, data) -> new String(data, StandardCharsets.UTF_8)
                .replace(SHEET_NS, "http://purl.oclc.org/ooxml/spreadsheetml/main")
                .replace(
                        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                        "http://purl.oclc.org/ooxml/officeDocument/relationships")
                .getBytes(StandardCharsets.UTF_8));
        return zip(parts);
    }

    /** A workbook of one sheet whose rows are whole, followed by {@code tail} where {@code </worksheet>} would stand. */
    static byte[] sheetEndingWith(String tail) {
        return workbook()
                .sheetXml(
                        "Sheet1",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"" + SHEET_NS + "\"><sheetData>"
                                + header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw") + "</sheetData>" + tail)
                .bytes();
    }

    /** Ends of a worksheet after {@code </sheetData>} that are cut short or do not nest. */
    static Stream<String> brokenWorksheetEnds() {
        return Stream.of(
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\"/>",
                "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\"",
                "<pageMargins left=\"0.7\"/></worksh",
                "<headerFooter><oddHeader>x</oddHeader></worksheet>",
                "<headerFooter><oddHeader>x</headerFooter></oddHeader></worksheet>",
                "<pageMargins/></worksheet><pageMargins/>",
                "<pageMargins/></worksheet>text",
                "<pageMargins/><!-- a comment that never ends",
                "</worksheet></worksheet>");
    }

    /** The same zip with one part's text changed. */
    static byte[] withPart(byte[] zip, String name, UnaryOperator<String> change) {
        Map<String, byte[]> parts = entries(zip);
        parts.computeIfPresent(
                name,
                (n, data) ->
                        change.apply(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        return zip(parts);
    }

    /** The same zip with the first {@code marker} (ASCII) in part {@code name} replaced by {@code bytes} as they are. */
    static byte[] withBytes(byte[] zip, String name, String marker, byte[] bytes) {
        Map<String, byte[]> parts = entries(zip);
        byte[] data = parts.get(name);
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new IllegalArgumentException(marker + " is not in " + name);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, at);
        out.writeBytes(bytes);
        out.write(data, at + marker.length(), data.length - at - marker.length());
        parts.put(name, out.toByteArray());
        return zip(parts);
    }

    /** The same zip without one entry (its relationship and content type left as they are). */
    static byte[] withoutPart(byte[] zip, String name) {
        Map<String, byte[]> parts = entries(zip);
        parts.remove(name);
        return zip(parts);
    }

    /** The same zip with {@code count} more empty entries, {@code customXml/itemN.xml}. */
    static byte[] withEmptyEntries(byte[] zip, int count) {
        Map<String, byte[]> parts = entries(zip);
        for (int i = 1; i <= count; i++) {
            parts.put("customXml/item" + i + ".xml", new byte[0]);
        }
        return zip(parts);
    }

    /** The same zip with a copy of part {@code name}, named {@code copyName}, as its first entry. */
    static byte[] withCopyFirst(byte[] zip, String name, String copyName) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put(copyName, entries(zip).get(name));
        parts.putAll(entries(zip));
        return zip(parts);
    }

    /** The entries of a zip, in order. */
    private static Map<String, byte[]> entries(byte[] zip) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** The same zip with every entry stored rather than deflated. */
    static byte[] stored(byte[] zip) {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(stored)) {
            for (Map.Entry<String, byte[]> e : entries(zip).entrySet()) {
                byte[] data = e.getValue();
                CRC32 crc = new CRC32();
                crc.update(data);
                ZipEntry copy = new ZipEntry(e.getKey());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                copy.setCrc(crc.getValue());
                out.putNextEntry(copy);
                out.write(data);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stored.toByteArray();
    }

    byte[] bytes() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(
                "[Content_Types].xml",
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas."
                                + "openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/"
                                + "vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/"
                                + "xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-"
                                + "officedocument.spreadsheetml.sheet.main+xml\"/>" + overrides + "</Types>")
                        .getBytes(StandardCharsets.UTF_8));
        all.put(
                "_rels/.rels",
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas."
                                + "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
                                + "openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
                                + "</Relationships>")
                        .getBytes(StandardCharsets.UTF_8));
        all.put(
                "xl/workbook.xml",
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"" + SHEET_NS
                                + "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                                + workbookPr
                                + "<sheets>"
                                + sheets
                                + "</sheets></workbook>")
                        .getBytes(StandardCharsets.UTF_8));
        all.put(
                "xl/_rels/workbook.xml.rels",
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\""
                                + "http://schemas.openxmlformats.org/package/2006/relationships\">" + rels
                                + "</Relationships>")
                        .getBytes(StandardCharsets.UTF_8));
        all.putAll(parts);
        return zip(all);
    }

    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] resource(String name) {
        try (InputStream in = Xlsx.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
