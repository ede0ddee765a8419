package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.Test;
import rw.intake.excel.IngestException;

/**
 * {@link PartScan} on random well-formed XML whose markup the generator knows (where every {@code <} of markup is,
 * where each outermost {@code row} and {@code si} element starts and ends), with comments, CDATA and processing
 * instructions that hold markup-like text: the rows a parser counts, and a refusal exactly when an element or a run
 * without markup passes the bound, fed in random pieces, in UTF-8 and UTF-16.
 */
final class PartScanTest {

    private static final String[] NAMES = {"row", "si", "c", "t", "v", "is", "x:row", "x:si", "x:c", "rowBreaks"};

    @Test
    void randomXml_rowsAsAParserCountsThem_refusedExactlyPastTheBound() throws XMLStreamException {
        Random random = new Random(11);
        int refused = 0;
        for (int run = 0; run < 20_000; run++) {
            Document d = new Document(random);
            String xml = d.xml();
            long max = 8L + random.nextInt(400);
            long rows = parserRows(xml);
            // UTF-8 is measured in bytes, UTF-16 in characters
            long utf8 = d.longest(true);
            assertThat(outcome(xml.getBytes(StandardCharsets.UTF_8), max, random))
                    .as("%s (bound %d)", xml, max)
                    .isEqualTo(utf8 > max ? "too large" : "rows " + rows);
            long chars = d.longest(false);
            Charset utf16 = random.nextBoolean() ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
            assertThat(outcome(xml.getBytes(utf16), max, random))
                    .as("%s in %s (bound %d)", xml, utf16, max)
                    .isEqualTo(chars > max ? "too large" : "rows " + rows);
            refused += utf8 > max ? 1 : 0;
        }
        assertThat(refused).isBetween(2_000, 18_000);
    }

    @Test
    void randomBytes_sameOutcomeInAnyPieces() {
        byte[] alphabet = "<>/!-[]CDAT?\"' \nrowsi=&x1:".getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(7);
        for (int run = 0; run < 100_000; run++) {
            byte[] bytes = new byte[1 + random.nextInt(80)];
            bytes[0] = '<';
            for (int i = 1; i < bytes.length; i++) {
                bytes[i] = random.nextInt(20) == 0 ? (byte) 0xC3 : alphabet[random.nextInt(alphabet.length)];
            }
            long max = 4L + random.nextInt(40);
            // a file with two faults may be refused for either, by where the pieces end
            String whole = outcome(bytes, max, null).replace("too large", "refused");
            assertThat(outcome(bytes, max, random).replace("too large", "refused"))
                    .as("%s", new String(bytes, StandardCharsets.ISO_8859_1))
                    .isEqualTo(whole);
        }
    }

    @Test
    void cellReferences_refusedInTagsOnly() {
        assertThatThrownBy(() -> scan("<row r=\"1\"><c r=\"NAMESE1\"/></row>", 1_000))
                .isInstanceOfSatisfying(
                        IngestException.class, e -> assertThat(e.code()).isEqualTo(IngestException.CORRUPT));
        assertThatThrownBy(() -> scan("<row r=\"1\"><c r='&#65;1'/></row>", 1_000))
                .isInstanceOf(IngestException.class);
        assertThat(scan("<row r=\"1\"><c r=\"XFD1\" t=\"inlineStr\"><is><t> r=\"ABCDE\"</t></is></c></row>", 1_000)
                        .rows())
                .isEqualTo(1);
        assertThat(scan("<x:row r=\"1\"><!-- <row> --><![CDATA[<row>]]><?pi <row>?></x:row><row/>", 1_000)
                        .rows())
                .isEqualTo(2);
    }

    @Test
    void elementsAndRuns_pastTheBound_tooLarge() {
        String cell = "<c><is>" + "<r><t>ab</t></r>".repeat(20) + "</is></c>";
        assertThat(scan("<sheetData><row>" + cell + "</row></sheetData>", 400).rows())
                .isEqualTo(1);
        assertTooLarge("<sheetData><row>" + cell + cell + "</row></sheetData>", 400);
        // an end tag in a comment or CDATA, or a nested row closing itself, does not end the row
        assertTooLarge("<row><!-- </row> -->" + cell + "<row/>" + cell + "<![CDATA[</row>]]></row>", 400);
        // a shared string
        assertTooLarge("<sst><si>" + "<r><t>ab</t></r>".repeat(60) + "</si></sst>", 400);
        // a text, an attribute, a comment, CDATA
        assertTooLarge("<a>" + "x".repeat(401) + "</a>", 400);
        assertTooLarge("<a b=\"" + "x".repeat(401) + "\"/>", 400);
        assertTooLarge("<a><!-- " + "<x>".repeat(140) + " --></a>", 400);
        assertTooLarge("<a><![CDATA[" + "<x>".repeat(140) + "]]></a>", 400);
        // rows of 300 bytes each, many of them
        assertThat(scan("<sheetData>" + ("<row>" + "x".repeat(290) + "</row>").repeat(100) + "</sheetData>", 400)
                        .rows())
                .isEqualTo(100);
    }

    /**
     * A number cell's value (no {@code t}, or {@code t="n"}) of more than 1,024 characters, as written (CDATA,
     * comments and references counted), is refused: reading it as a number would cost time growing with its square.
     */
    @Test
    void numberCellsOfMoreThan1024Characters_refused() {
        String digits = "9".repeat(CellValues.MAX_NUMBER_CHARS);
        assertThat(scan("<row><c r=\"A1\"><v>" + digits + "</v></c></row>", 1 << 20)
                        .rows())
                .isEqualTo(1);
        for (String cell : List.of(
                "<c r=\"A1\"><v>" + digits + "9</v></c>",
                "<x:c r=\"A1\" t=\"n\" s=\"1\"><x:v>" + digits + "9</x:v></x:c>",
                "<c r=\"A1\"><f>1+1</f><v><![CDATA[" + digits + "]]></v></c>",
                "<c r=\"A1\"><v>" + "&#57;".repeat(300) + "</v></c>")) {
            assertThatThrownBy(() -> scan("<row>" + cell + "</row>", 1 << 20))
                    .as(cell)
                    .isInstanceOfSatisfying(IngestException.class, e -> {
                        assertThat(e.code()).isEqualTo(IngestException.CORRUPT);
                        assertThat(e.getMessage()).contains("a number cell of");
                    });
        }
        // a formula's text result, a string, an inline string, a value outside a cell (a chart's cache): text
        String text = "x".repeat(5_000);
        assertThat(scan(
                                "<row><c r=\"A1\" t=\"str\"><f>REPT(\"x\",5000)</f><v>" + text + "</v></c>"
                                        + "<c r=\"B1\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>"
                                        + "<c r=\"C1\" t='s'><v>0</v></c><c r=\"D1\"><v>1</v></c></row>"
                                        + "<c:pt><c:v>" + text + "</c:v></c:pt>",
                                1 << 20)
                        .rows())
                .isEqualTo(1);
    }

    @Test
    void notXml_notLookedAt() {
        byte[] png = new byte[10_000];
        png[0] = (byte) 0x89;
        png[1] = 'P';
        PartScan scan = new PartScan("image", 100);
        scan.scan(png, 0, png.length);
        assertThat(scan.rows()).isZero();
    }

    private static void assertTooLarge(String xml, long max) {
        assertThatThrownBy(() -> scan(xml, max)).as(xml).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.code()).isEqualTo(IngestException.TOO_LARGE);
            assertThat(e.details()).containsEntry("limitName", "maxElementBytes");
        });
    }

    private static PartScan scan(String xml, long max) {
        PartScan scan = new PartScan("p", max);
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        scan.scan(bytes, 0, bytes.length);
        return scan;
    }

    /** The rows counted, or the refusal; whole, or in random pieces when {@code random} is given. */
    private static String outcome(byte[] bytes, long max, Random random) {
        PartScan scan = new PartScan("p", max);
        try {
            for (int from = 0; from < bytes.length; ) {
                int length = random == null ? bytes.length : Math.min(bytes.length - from, random.nextInt(9));
                scan.scan(bytes, from, length);
                from += length;
            }
            return "rows " + scan.rows();
        } catch (IngestException e) {
            return e.code().equals(IngestException.TOO_LARGE) ? "too large" : "refused";
        }
    }

    private static long parserRows(String xml) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(xml));
        long rows = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamReader.START_ELEMENT) {
                String name = reader.getLocalName();
                rows += name.equals("row") ? 1 : 0;
            }
        }
        return rows;
    }

    /** A random document, and what the scan must find in it. */
    private static final class Document {
        private final Random random;
        private final StringBuilder xml = new StringBuilder();
        /** Positions of the markup {@code <}s. */
        private final List<Integer> markup = new ArrayList<>();

        /** Outermost rows and shared strings: the positions of their start and end tags' {@code <}. */
        private final List<int[]> units = new ArrayList<>();

        Document(Random random) {
            this.random = random;
            if (random.nextBoolean()) {
                lt();
                xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            }
            element(0, false, "worksheet");
        }

        String xml() {
            return xml.toString();
        }

        /** The longest outermost row or shared string, or run between markup, in UTF-8 bytes or in characters. */
        long longest(boolean utf8) {
            String s = xml.toString();
            long[] at = new long[s.length() + 1];
            for (int i = 0; i < s.length(); i++) {
                at[i + 1] = at[i] + (utf8 ? s.substring(i, i + 1).getBytes(StandardCharsets.UTF_8).length : 1);
            }
            long longest = 0;
            for (int[] unit : units) {
                longest = Math.max(longest, at[unit[1]] - at[unit[0]]);
            }
            long previous = -1;
            for (int p : markup) {
                longest = Math.max(longest, at[p] - previous - 1);
                previous = at[p];
            }
            return Math.max(longest, at[s.length()] - previous - 1);
        }

        private void lt() {
            markup.add(xml.length());
        }

        private void element(int depth, boolean inUnit, String name) {
            int start = xml.length();
            lt();
            xml.append('<').append(name).append(depth == 0 ? " xmlns:x=\"urn:x\"" : "");
            int first = random.nextInt(4);
            for (int n = random.nextInt(4); n > 0; n--) {
                xml.append(random.nextBoolean() ? " " : "\n ");
                switch ((first + n) % 4) { // distinct attributes
                    case 0 ->
                        xml.append("r=\"")
                                .append(random.nextBoolean() ? "XFD" : "B")
                                .append(random.nextInt(99))
                                .append('"');
                    case 1 ->
                        xml.append("s='")
                                .append("x/>y".repeat(random.nextInt(3)))
                                .append('\'');
                    case 2 ->
                        xml.append("a = \"")
                                .append("q".repeat(random.nextInt(30)))
                                .append('"');
                    default -> xml.append("t=\"s\"");
                }
            }
            if (depth > 0 && random.nextInt(4) == 0) {
                xml.append(random.nextBoolean() ? "/>" : " />");
                return;
            }
            xml.append('>');
            String local = name.substring(name.indexOf(':') + 1);
            boolean unit = !inUnit && (local.equals("row") || local.equals("si"));
            for (int n = depth < 4 ? random.nextInt(5) : 0; n > 0; n--) {
                switch (random.nextInt(7)) {
                    case 0 -> text();
                    case 1 -> {
                        lt();
                        xml.append("<!-- <row> </si> r=\"ABCDE\" ")
                                .append("-".repeat(random.nextInt(2)))
                                .append(" -->");
                    }
                    case 2 -> {
                        lt();
                        xml.append("<![CDATA[ <row> </row> ]] > ")
                                .append("x".repeat(random.nextInt(50)))
                                .append("]]>");
                    }
                    case 3 -> {
                        lt();
                        xml.append("<?pi <row> ? > ?>");
                    }
                    default -> element(depth + 1, inUnit || unit, NAMES[random.nextInt(NAMES.length)]);
                }
            }
            int end = xml.length();
            lt();
            xml.append("</").append(name).append(random.nextBoolean() ? ">" : " >");
            if (unit) {
                units.add(new int[] {start, end});
            }
        }

        private void text() {
            switch (random.nextInt(3)) {
                case 0 -> xml.append("a > b &amp; r=\"ABCDE\" ");
                case 1 -> xml.append("\u00e9\u4e2d ".repeat(1 + random.nextInt(10)));
                default -> xml.append("x".repeat(random.nextInt(120)));
            }
        }
    }
}
