package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plain reader against fastexcel-reader on random sheets made from a grammar of what writers put in a sheet:
 * every cell type, shared strings (rich text too), shared and array formulas, styles with date formats, elements with
 * the {@code x:} prefix, the Strict namespace, rows out of order or repeated, cells without references, columns
 * past the five, elements before and after {@code <sheetData>}, processing instructions, and odd values (a
 * shared-string index that is not a number, a number with spaces, character references). Both readers must give the
 * same outcome for every sheet, as in {@link PlainReaderTest}; where the Jazzer target mutates bytes, these sheets
 * reach deep into well-formed XML at once.
 *
 * <p>Each sheet is made from its seed, so a failure names the seed that makes it again. {@code -Dgrammar.sheets=N}
 * reads more of them (a search for new disagreements: {@code mvn -pl excel-ingest -am test
 * -Dtest=PlainReaderGrammarTest -Dgrammar.sheets=200000 -Dsurefire.failIfNoSpecifiedTests=false}).
 */
final class PlainReaderGrammarTest {

    private static final ReadLimits LIMITS = ReadLimits.defaults();
    private static final String[] HEADER = {"names", "nid", "phone_number", "gender", "email"};
    private static final String[] TEXTS = {
        "Mukamana Jeanne",
        "1199880012345678",
        "0788123456",
        "F",
        "M",
        "a@b.rw",
        "",
        " ",
        "x &amp; y",
        "&lt;tag&gt;",
        "Espérance",
        "名前",
        "2024-01-02",
        "1.5E+15",
        "TRUE",
        "  spaced  ",
        "a\tb",
        "&#10;",
        "line\nbreak"
    };
    private static final String[] NUMBERS = {
        "1199880012345678",
        "1.199880012345678E15",
        "788123456",
        "45292",
        "45292.5",
        "0",
        "-1",
        "1E+308",
        "3.14",
        "250788123456",
        "1e3",
        " 12 ",
        "1E-5",
        "0.1",
        "-0",
        "1.7976931348623157E308",
        "4.9E-324",
        "NaN",
        "Infinity",
        "1,5",
        ".5",
        "5.",
        "+5",
        "0x10",
        "2958465.9999999",
        "-45292",
        "00012",
        "1E+999999999",
        "-2.5e-99999"
    };
    /** Format codes, of dates and of numbers, as spreadsheet programs write them. */
    private static final String[] FORMAT_CODES = {
        "yyyy-mm-dd",
        "[$-409]d/m/yyyy",
        "&quot;Date: &quot;0",
        "0.00E+00",
        "[h]:mm",
        "yyyy&quot;年&quot;m&quot;月&quot;",
        "0000000000000000",
        "@",
        "dd/mm/yyyy\\ hh:mm",
        "[Red]0.00",
        "General"
    };
    /** Values that are not what their cell's type says. */
    private static final String[] ODD_VALUES = {" 0 ", "99", "x", "-1", "1.0", ""};

    private static final String[] ODD_TYPES = {"s", "b", "n", "e", "str"};

    @Test
    void randomSheets_sameOutcome() {
        int sheets = Integer.getInteger("grammar.sheets", 3_000);
        List<Long> disagreeing = new ArrayList<>();
        String first = null;
        for (long seed = 1; seed <= sheets; seed++) {
            Sheet sheet = new Sheet(new Random(seed));
            byte[] bytes = sheet.workbook();
            String plain = ReaderFuzzTest.outcome(bytes, true, LIMITS);
            String fastexcel = ReaderFuzzTest.outcome(bytes, false, LIMITS);
            if (!plain.equals(fastexcel)) {
                disagreeing.add(seed);
                if (first == null) {
                    first = "seed " + seed + "\nplain:     " + plain + "\nfastexcel: " + fastexcel + "\nsheet: "
                            + sheet.xml + "\nshared strings: " + sheet.sharedStrings;
                }
            }
        }
        assertThat(disagreeing)
                .as("seeds whose sheets the readers read differently; the first:\n%s", first)
                .isEmpty();
    }

    /** One random sheet, its shared strings and styles, written as a workbook. */
    private static final class Sheet {
        private final Random r;
        /** The prefix of every element: none, or {@code x:} bound by the root. */
        private final String p;

        private final boolean strict;
        private final List<String> strings = new ArrayList<>();
        /** Whether the first cell of each of two shared formulas ({@code si} 0 and 1) has been written. */
        private final boolean[] sharedBase = new boolean[2];

        private String xml;
        private String sharedStrings;

        Sheet(Random r) {
            this.r = r;
            this.p = r.nextInt(4) == 0 ? "x:" : "";
            this.strict = r.nextInt(8) == 0;
        }

        byte[] workbook() {
            StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
            sb.append(root("worksheet"));
            int rows = 2 + r.nextInt(8);
            if (r.nextBoolean()) {
                sb.append(empty("dimension", " ref=\"A1:E" + rows + "\""));
            }
            if (r.nextInt(3) == 0) {
                sb.append(open("sheetPr", "")).append(empty("outlinePr", " summaryBelow=\"0\""));
                sb.append(close("sheetPr"));
            }
            if (r.nextInt(3) == 0) {
                sb.append(open("sheetViews", "")).append(open("sheetView", " workbookViewId=\"0\""));
                sb.append(empty("selection", " activeCell=\"A1\" sqref=\"A1\""));
                sb.append(close("sheetView")).append(close("sheetViews"));
            }
            if (r.nextInt(3) == 0) {
                sb.append(open("cols", "")).append(empty("col", " min=\"1\" max=\"5\" width=\"20\" customWidth=\"1\""));
                sb.append(close("cols"));
            }
            sb.append(space()).append(open("sheetData", "")).append(headerRow());
            for (int row = 2; row <= rows; row++) {
                sb.append(space()).append(row(row));
            }
            sb.append(close("sheetData"));
            if (r.nextInt(5) == 0) {
                sb.append(empty("autoFilter", " ref=\"A1:E" + rows + "\""));
            }
            if (r.nextInt(4) == 0) {
                sb.append(open("mergeCells", " count=\"1\"")).append(empty("mergeCell", " ref=\"A1:B1\""));
                sb.append(close("mergeCells"));
            }
            xml = sb.append(close("worksheet")).toString();

            Xlsx book = Xlsx.workbook();
            if (!strings.isEmpty() || r.nextInt(5) == 0) {
                sharedStrings = sharedStringsXml();
                book.part(
                        "xl/sharedStrings.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                        sharedStrings);
            }
            if (r.nextBoolean()) {
                book.styles(
                        "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"" + pick(FORMAT_CODES)
                                + "\"/></numFmts>",
                        0,
                        r.nextBoolean() ? 14 : 22,
                        r.nextBoolean() ? 49 : 164);
            }
            byte[] bytes = book.sheetXml("Sheet1", xml).bytes();
            return strict ? Xlsx.strict(bytes) : bytes;
        }

        private String headerRow() {
            StringBuilder sb = new StringBuilder(open("row", " r=\"1\""));
            for (int c = 0; c < HEADER.length; c++) {
                String ref = " r=\"" + column(c) + "1\"";
                sb.append(r.nextInt(3) == 0 ? sharedString(ref, HEADER[c]) : inline(ref, HEADER[c]));
            }
            return sb.append(close("row")).toString();
        }

        private String row(int row) {
            int k = r.nextInt(30);
            // every row has its number: a row without one is read by the plain reader alone (fastexcel-reader numbers
            // it
            // by its place among the rows from 0), in PlainReaderTest#rowsWithoutTheirNumbers_followTheLastRow
            String ref = " r=\"" + (k == 3 ? row - 1 : k == 4 ? row + 1000 : k == 5 ? 1 : row) + "\"";
            if (r.nextInt(15) == 0) {
                return empty("row", ref);
            }
            StringBuilder sb = new StringBuilder(open("row", ref + (r.nextInt(3) == 0 ? " spans=\"1:5\"" : "")));
            int cells = r.nextInt(7);
            boolean backwards = r.nextInt(12) == 0;
            for (int i = 0; i < cells; i++) {
                int c = backwards ? cells - 1 - i : i;
                String cellRef = r.nextInt(12) == 0
                        ? ""
                        : " r=\"" + (r.nextInt(40) == 0 ? column(c).toLowerCase(Locale.ROOT) : column(c)) + row + "\"";
                sb.append(cell(cellRef, c, row));
            }
            return sb.append(close("row")).toString();
        }

        private String cell(String ref, int c, int row) {
            String at = ref + (r.nextInt(4) == 0 ? " s=\"" + r.nextInt(3) + "\"" : "");
            return switch (r.nextInt(14)) {
                case 0 -> empty("c", at);
                case 1 -> inline(at, pick(TEXTS));
                case 2 -> sharedString(at, pick(TEXTS));
                case 3 -> valued(at + (r.nextBoolean() ? " t=\"n\"" : ""), "", pick(NUMBERS));
                case 4 -> valued(at + " t=\"str\"", text("f", "", "A1&amp;\"x\""), pick(TEXTS));
                case 5 -> sharedFormula(at, c, row);
                case 6 ->
                    valued(at, text("f", " t=\"array\" ref=\"" + range(c, row, 1) + "\"", "SUM(A1:A2)"), pick(NUMBERS));
                case 7 -> valued(at + " t=\"b\"", "", String.valueOf(r.nextInt(2)));
                case 8 -> valued(at + " t=\"e\"", "", "#N/A");
                case 9 -> valued(at, text("f", "", "1+1"), "2");
                case 10 -> valued(at + " t=\"str\"", text("f", " aca=\"false\"", "A1"), "");
                case 11 -> odd(at);
                case 12 -> valued(at + " t=\"" + pick(ODD_TYPES) + "\"", "", pick(ODD_VALUES));
                default -> open("c", at) + close("c");
            };
        }

        /** The first cell of a shared formula's range holds its text; the later ones only its {@code si}. */
        private String sharedFormula(String at, int c, int row) {
            int si = r.nextInt(2);
            boolean text = r.nextBoolean();
            String type = text ? " t=\"str\"" : "";
            String value = text ? pick(TEXTS) : pick(NUMBERS);
            if (!sharedBase[si] || r.nextInt(5) == 0) {
                sharedBase[si] = true;
                String f = text("f", " t=\"shared\" ref=\"" + range(c, row, 9) + "\" si=\"" + si + "\"", "LEN(A1)");
                return valued(at + type, f, value);
            }
            return valued(at + type, empty("f", " t=\"shared\" si=\"" + si + "\""), value);
        }

        /** Cells as some writers write them: rich inline text, phonetic runs, attributes in single quotes. */
        private String odd(String at) {
            return switch (r.nextInt(6)) {
                case 0 -> open("c", at) + empty("v", "") + close("c");
                case 1 ->
                    open("c", at.replace('"', '\'') + "  t='inlineStr' ") + open("is", "")
                            + open("r", "") + text("t", "", pick(TEXTS)) + close("r")
                            + open("r", "") + text("t", " xml:space=\"preserve\"", " " + pick(TEXTS)) + close("r")
                            + close("is") + "</" + p + "c >";
                case 2 -> valued(at + " cm=\"1\" vm=\"1\"", "", pick(NUMBERS));
                case 3 ->
                    open("c", at + " t=\"inlineStr\"")
                            + open("is", "")
                            + text("t", "", pick(TEXTS))
                            + open("rPh", " sb=\"0\" eb=\"1\"")
                            + text("t", "", "ふり")
                            + close("rPh")
                            + close("is")
                            + close("c");
                case 4 -> valued(at + " t=\"str\"", "", "&#x41;&#66;&quot;&apos;");
                default -> valued(at + " t=\"n\"", "", "\t" + pick(NUMBERS) + "\n");
            };
        }

        private String inline(String at, String text) {
            String space = r.nextInt(6) == 0 ? " xml:space=\"preserve\"" : "";
            return open("c", at + " t=\"inlineStr\"")
                    + open("is", "")
                    + text("t", space, text)
                    + close("is")
                    + close("c");
        }

        private String sharedString(String at, String text) {
            strings.add(text);
            return valued(at + " t=\"s\"", "", String.valueOf(strings.size() - 1));
        }

        private String valued(String at, String formula, String value) {
            return open("c", at) + formula + text("v", "", value) + close("c");
        }

        private String sharedStringsXml() {
            StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            sb.append(root("sst").replace(">", " count=\"" + strings.size() + "\">"));
            for (String s : strings) {
                sb.append(open("si", ""));
                if (r.nextInt(6) == 0) {
                    sb.append(open("r", "")).append(text("t", "", s)).append(close("r"));
                    sb.append(open("r", ""))
                            .append(open("rPr", ""))
                            .append(empty("b", ""))
                            .append(close("rPr"));
                    sb.append(text("t", " xml:space=\"preserve\"", " x")).append(close("r"));
                } else {
                    sb.append(text("t", "", s));
                }
                sb.append(close("si"));
            }
            return sb.append(close("sst")).toString();
        }

        private String root(String name) {
            String ns = strict ? "http://purl.oclc.org/ooxml/spreadsheetml/main" : Xlsx.SHEET_NS;
            String mc = r.nextInt(5) == 0
                    ? " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
                    : "";
            return "<" + p + name + (p.isEmpty() ? " xmlns=\"" : " xmlns:x=\"") + ns + "\"" + mc + ">";
        }

        private String space() {
            int k = r.nextInt(40);
            return k < 4 ? "\n  " : k < 8 ? " " : k == 8 ? "<?pi x?>" : "";
        }

        private String open(String name, String attributes) {
            return "<" + p + name + attributes + ">";
        }

        private String close(String name) {
            return "</" + p + name + ">";
        }

        private String empty(String name, String attributes) {
            return "<" + p + name + attributes + "/>";
        }

        private String text(String name, String attributes, String content) {
            return open(name, attributes) + content + close(name);
        }

        private String pick(String[] values) {
            return values[r.nextInt(values.length)];
        }

        private static String column(int c) {
            return String.valueOf((char) ('A' + c));
        }

        private static String range(int c, int row, int more) {
            return column(c) + row + ":" + column(c) + (row + more);
        }
    }
}
