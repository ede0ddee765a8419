package rw.intake.server.internal.upload;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The parts of an .xlsx that fastexcel-reader does not expose, read from the workbook's bytes: the first sheet's
 * comments, and each cell's fill colour and number format through its style. For tests.
 */
final class XlsxParts {
    private final Map<String, String> parts = new HashMap<>();
    private final Map<String, Integer> styleOf = new HashMap<>();
    private final List<Integer> fillOfStyle = new ArrayList<>();
    private final List<String> formatOfStyle = new ArrayList<>();
    private final List<String> fills = new ArrayList<>();

    private XlsxParts(byte[] xlsx) {
        // through the central directory, as Excel and fastexcel-reader do: fastexcel's zip has zip64 data descriptors
        // that java.util.zip.ZipInputStream does not expect
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(xlsx))
                .get()) {
            for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    parts.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Document styles = xml("xl/styles.xml");
        NodeList fillNodes = ((Element) styles.getElementsByTagName("fills").item(0)).getElementsByTagName("fill");
        for (int i = 0; i < fillNodes.getLength(); i++) {
            NodeList fg = ((Element) fillNodes.item(i)).getElementsByTagName("fgColor");
            fills.add(fg.getLength() == 0 ? null : ((Element) fg.item(0)).getAttribute("rgb"));
        }
        Map<String, String> formats = new HashMap<>();
        NodeList numFmts = styles.getElementsByTagName("numFmt");
        for (int i = 0; i < numFmts.getLength(); i++) {
            Element f = (Element) numFmts.item(i);
            formats.put(f.getAttribute("numFmtId"), f.getAttribute("formatCode"));
        }
        NodeList xfs = ((Element) styles.getElementsByTagName("cellXfs").item(0)).getElementsByTagName("xf");
        for (int i = 0; i < xfs.getLength(); i++) {
            Element xf = (Element) xfs.item(i);
            fillOfStyle.add(Integer.parseInt(xf.getAttribute("fillId")));
            formatOfStyle.add(formats.get(xf.getAttribute("numFmtId")));
        }
        NodeList cells = xml("xl/worksheets/sheet1.xml").getElementsByTagName("c");
        for (int i = 0; i < cells.getLength(); i++) {
            Element c = (Element) cells.item(i);
            if (!c.getAttribute("s").isEmpty()) {
                styleOf.put(c.getAttribute("r"), Integer.parseInt(c.getAttribute("s")));
            }
        }
    }

    static XlsxParts of(byte[] xlsx) {
        return new XlsxParts(xlsx);
    }

    /** A part's text, or null. */
    String part(String name) {
        return parts.get(name);
    }

    /** The first sheet's comments by cell reference ({@code B3}), in reference order. */
    Map<String, String> comments() {
        Map<String, String> out = new TreeMap<>();
        if (!parts.containsKey("xl/comments1.xml")) {
            return out;
        }
        NodeList list = xml("xl/comments1.xml").getElementsByTagName("comment");
        for (int i = 0; i < list.getLength(); i++) {
            Element c = (Element) list.item(i);
            out.put(c.getAttribute("ref"), c.getTextContent());
        }
        return out;
    }

    /** The solid fill colour of a cell ({@code FFFFC7CE}), or null when it has none. */
    String fill(String ref) {
        Integer style = styleOf.get(ref);
        return style == null ? null : fills.get(fillOfStyle.get(style));
    }

    /** The custom number format of a cell ({@code @} for text), or null when it has the general format. */
    String format(String ref) {
        Integer style = styleOf.get(ref);
        return style == null ? null : formatOfStyle.get(style);
    }

    private Document xml(String name) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder()
                    .parse(new ByteArrayInputStream(parts.get(name).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception ex) {
            throw new IllegalStateException("cannot parse " + name, ex);
        }
    }
}
