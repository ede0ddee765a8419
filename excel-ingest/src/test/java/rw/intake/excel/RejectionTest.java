package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.validation.RawRecord;

final class RejectionTest {

    private static final byte[] VALID = Xlsx.ofSheetData(header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw"));

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] bytes, String code) {
        return assertRejected(SheetReader.defaults(), bytes, code);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
            SheetReader reader, byte[] bytes, String code) {
        return assertThatThrownBy(() -> {
                    try (SheetRecords sheet = reader.open(bytes);
                            Stream<RawRecord> records = sheet.records()) {
                        records.forEach(r -> {});
                    }
                })
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", code);
    }

    @Test
    void open_utf16Text() {
        assertRejected(
                        "names,nid,phone_number,gender,email\n".getBytes(StandardCharsets.UTF_16LE),
                        IngestException.UNSUPPORTED_FORMAT)
                .hasMessageContaining("an unknown binary file");
    }

    @Test
    void open_pdf() {
        assertRejected(
                        "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n".getBytes(StandardCharsets.ISO_8859_1),
                        IngestException.UNSUPPORTED_FORMAT)
                .hasMessageContaining("PDF");
    }

    @Test
    void open_randomBytes() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[0] = 0;
        assertRejected(random, IngestException.UNSUPPORTED_FORMAT).hasMessageContaining("unknown binary");
    }

    @Test
    void open_legacyXls() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (HSSFWorkbook xls = new HSSFWorkbook()) {
            xls.createSheet("People").createRow(0).createCell(0).setCellValue("names");
            xls.write(out);
        }
        assertRejected(out.toByteArray(), IngestException.UNSUPPORTED_FORMAT).hasMessageContaining(".xls");
    }

    /** The same sheet saved by LibreOffice Calc as OpenDocument, Excel 97-2003 and PDF. */
    @ParameterizedTest
    @CsvSource({
        "libreoffice-not-xlsx.ods, OpenDocument",
        "libreoffice-not-xlsx.xls, .xls",
        "libreoffice-not-xlsx.pdf, PDF",
    })
    void open_otherFormatsFromLibreOffice(String fixture, String detected) {
        assertRejected(Xlsx.resource(fixture), IngestException.UNSUPPORTED_FORMAT)
                .hasMessageContaining(detected);
    }

    @Test
    void open_zipThatIsNoWorkbook() {
        byte[] zip = Xlsx.zip(Map.of("hello.txt", "hello".getBytes(StandardCharsets.UTF_8)));
        assertRejected(zip, IngestException.UNSUPPORTED_FORMAT).hasMessageContaining("zip archive");
    }

    @Test
    void open_openDocumentSpreadsheet() {
        byte[] ods = Xlsx.zip(Map.of(
                "mimetype",
                "application/vnd.oasis.opendocument.spreadsheet".getBytes(StandardCharsets.US_ASCII),
                "content.xml",
                "<office:document-content/>".getBytes(StandardCharsets.UTF_8)));
        assertRejected(ods, IngestException.UNSUPPORTED_FORMAT);
    }

    /** An Office package of one part, {@code part}, which its content types declare as {@code contentType}. */
    private static byte[] officePackage(String part, String contentType, byte[] content) {
        return Xlsx.zip(Map.of(
                "[Content_Types].xml",
                ("<Types><Override PartName=\"/" + part + "\" ContentType=\"" + contentType + "\"/></Types>")
                        .getBytes(StandardCharsets.UTF_8),
                part,
                content));
    }

    @Test
    void open_wordDocument() {
        byte[] docx = officePackage(
                "word/document.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "<w/>".getBytes(StandardCharsets.UTF_8));
        assertRejected(docx, IngestException.UNSUPPORTED_FORMAT).hasMessageContaining("not an Excel workbook");
    }

    @Test
    void open_excelBinaryWorkbook_namedSo() {
        byte[] xlsb = officePackage(
                "xl/workbook.bin", "application/vnd.ms-excel.sheet.binary.macroEnabled.main", new byte[] {1, 2, 3});
        assertRejected(xlsb, IngestException.UNSUPPORTED_FORMAT)
                .hasMessageContaining("it looks like an Excel Binary Workbook (.xlsb), which is not read. Save it");
    }

    @Test
    void open_truncatedZip() {
        assertRejected(Arrays.copyOf(VALID, VALID.length / 2), IngestException.CORRUPT)
                .hasMessageContaining("damaged or truncated");
    }

    @Test
    void open_damagedDeflateData() {
        byte[] damaged = VALID.clone();
        for (int i = 60; i < 90; i++) {
            damaged[i] ^= 0x5A;
        }
        assertRejected(damaged, IngestException.CORRUPT);
    }

    /** A stored (not deflated) part whose bytes no longer match its CRC: refused, as a deflated one is. */
    @Test
    void open_storedPartNotMatchingItsCrc() throws IOException {
        byte[] stored = Xlsx.stored(VALID);
        try (SheetRecords sheet = SheetReader.defaults().open(stored);
                Stream<RawRecord> records = sheet.records()) {
            assertThat(records.count()).isEqualTo(1);
        }
        byte[] name = "Alice".getBytes(StandardCharsets.UTF_8);
        int at = indexOf(stored, name);
        assertThat(at).isPositive();
        byte[] changed = stored.clone();
        changed[at + 4] = 'a'; // "Alica": still well-formed XML, a record like any other

        assertRejected(changed, IngestException.CORRUPT).hasMessageContaining("damaged or truncated");
    }

    private static int indexOf(byte[] bytes, byte[] needle) {
        for (int i = 0; i <= bytes.length - needle.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void open_brokenXmlInHeader() {
        assertRejected(
                        Xlsx.ofSheetData("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>names</is></t></c></row>"),
                        IngestException.CORRUPT)
                .hasMessageContaining("XML is broken")
                .extracting(e -> ((IngestException) e).details().get("error"))
                .asString()
                .isNotEmpty();
    }

    @Test
    void records_brokenXmlAfterFirstRecordThrownFromStream() {
        byte[] xlsx = Xlsx.ofSheetData(
                header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw") + row(3, "Bob", "1", "2", "M", "b@b.rw")
                        + "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>x</is></t></c></row>");

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            assertThatThrownBy(() -> sheet.records().forEach(r -> {}))
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT);
        }
    }

    /** A worksheet cut short or damaged after its rows, in an intact zip entry. */
    @ParameterizedTest
    @MethodSource("rw.intake.excel.Xlsx#brokenWorksheetEnds")
    void records_worksheetBrokenAfterItsRows(String tail) {
        assertRejected(Xlsx.sheetEndingWith(tail), IngestException.CORRUPT);
    }

    /** Cut short in its rows: refused by the pass, before any record is handed out. */
    @Test
    void open_worksheetCutShortInItsRows() {
        byte[] xlsx = Xlsx.ofSheetData(header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw"));
        byte[] cut = Xlsx.withPart(xlsx, "xl/worksheets/sheet1.xml", sheet -> sheet.substring(0, sheet.length() - 60));

        assertThatThrownBy(() -> SheetReader.defaults().open(cut).close())
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                .hasMessageContaining("does not close every element it opens");
    }

    @Test
    void records_worksheetWholeAfterItsRows_read() {
        byte[] xlsx = Xlsx.sheetEndingWith("<!-- c --><pageMargins left=\"0.7\" footer=\"a>b\"/>"
                + "<extLst><ext uri=\"{78C0D931}\" xmlns:x14=\"urn:x14\"><x14:dataValidations count=\"1\">"
                + "<x14:dataValidation><x14:formula1><xm:f><![CDATA[<a>]]></xm:f></x14:formula1>"
                + "</x14:dataValidation></x14:dataValidations></ext></extLst><?pi x?></worksheet>\n<!-- end -->\n");

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx);
                Stream<RawRecord> records = sheet.records()) {
            assertThat(records.map(RawRecord::names)).containsExactly("Alice");
        }
    }

    @Test
    void records_rowsOutOfOrder() {
        byte[] xlsx = Xlsx.ofSheetData(
                header(1) + row(3, "A", "1", "2", "F", "a@b.rw") + row(2, "B", "1", "2", "F", "a@b.rw"));

        try (SheetRecords sheet = SheetReader.defaults().open(xlsx)) {
            assertThatThrownBy(() -> sheet.records().forEach(r -> {}))
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.CORRUPT)
                    .hasMessageContaining("row 2 comes after row 3");
        }
    }

    @Test
    void open_missingSheetPart() {
        byte[] xlsx = Xlsx.workbook().sheet("S", header(1)).bytes();
        byte[] renamed = new String(xlsx, StandardCharsets.ISO_8859_1)
                .replace("worksheets/sheet1.xml", "worksheets/sheetX.xml")
                .getBytes(StandardCharsets.ISO_8859_1);
        // the renamed entry no longer matches its CRC-free name lookup: the rels point to a part that is missing
        assertRejected(renamed, IngestException.CORRUPT);
    }

    @Test
    void open_passwordProtected() throws IOException, GeneralSecurityException {
        POIFSFileSystem fs = new POIFSFileSystem();
        EncryptionInfo info = new EncryptionInfo(EncryptionMode.agile);
        Encryptor encryptor = info.getEncryptor();
        encryptor.confirmPassword("secret");
        try (OutputStream os = encryptor.getDataStream(fs)) {
            os.write(VALID);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fs.writeFilesystem(out);
        fs.close();

        assertRejected(out.toByteArray(), IngestException.CORRUPT).hasMessageContaining("password");
    }

    @Test
    void open_overByteLimit() {
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(VALID.length - 1, 1 << 20, 10))
                .build();
        assertRejected(reader, VALID, IngestException.TOO_LARGE)
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(
                        Map.of("size", (long) VALID.length, "limit", (long) VALID.length - 1, "limitName", "maxBytes"));
    }

    @Test
    void open_inputStreamOverByteLimit() {
        SheetReader reader =
                SheetReader.builder().limits(new ReadLimits(100, 1 << 20, 10)).build();
        assertThatThrownBy(() -> reader.open(new ByteArrayInputStream(VALID)))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE);
    }

    @Test
    void open_zipBomb() {
        byte[] bomb = bomb(8 << 20);
        assertThat(bomb.length).isLessThan(64 * 1024);
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 10))
                .build();

        assertRejected(reader, bomb, IngestException.TOO_LARGE)
                .hasMessageContaining("1.0 MiB")
                .extracting(e -> ((IngestException) e).details().get("limitName"))
                .isEqualTo("maxInflatedBytes");
    }

    @Test
    void open_zipBombWithLyingSizes() {
        byte[] bomb = bomb(8 << 20);
        // Claim in the central directory that every entry inflates to 100 bytes.
        for (int i = 0; i + 46 < bomb.length; i++) {
            if (bomb[i] == 'P' && bomb[i + 1] == 'K' && bomb[i + 2] == 1 && bomb[i + 3] == 2) {
                bomb[i + 24] = 100;
                bomb[i + 25] = 0;
                bomb[i + 26] = 0;
                bomb[i + 27] = 0;
            }
        }
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 10))
                .build();

        assertRejected(reader, bomb, IngestException.TOO_LARGE);
    }

    /**
     * A zip holding two parts of one name, exactly or but for case (a package holds each part once), is corrupt:
     * readers differ on which copy they take, and the one read here held fewer rows than a spreadsheet program showed.
     */
    @Test
    void open_twoPartsOfOneName_corrupt() {
        String sheet = "xl/worksheets/sheet1.xml";
        byte[] byCase = Xlsx.withCopyFirst(VALID, sheet, "XL/Worksheets/Sheet1.xml");
        // the JDK's zip writer takes no name twice: a name of the same length, renamed in the bytes
        String latin1 =
                new String(Xlsx.withCopyFirst(VALID, sheet, "xl/worksheets/sheet1.xm_"), StandardCharsets.ISO_8859_1);
        byte[] exactly = latin1.replace("xl/worksheets/sheet1.xm_", sheet).getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(SheetReader.defaults(), byCase, IngestException.CORRUPT)
                .hasMessageContaining("two parts of the zip have the same name, " + sheet);
        assertRejected(SheetReader.defaults(), exactly, IngestException.CORRUPT)
                .hasMessageContaining("two parts of the zip have the same name, " + sheet);
    }

    /** A zip of more entries than a workbook has is refused before the zip reader builds an object for each. */
    @Test
    void open_zipOfTooManyEntries() {
        int parts = PackageCheck.centralDirectoryEntries(VALID, 100);
        assertThat(parts).isBetween(4, 20);
        byte[] most = Xlsx.withEmptyEntries(VALID, PackageCheck.MAX_ENTRIES - parts);
        byte[] over = Xlsx.withEmptyEntries(VALID, PackageCheck.MAX_ENTRIES - parts + 1);

        try (SheetRecords sheet = SheetReader.defaults().open(most)) {
            assertThat(sheet.records()).hasSize(1);
        }
        assertRejected(SheetReader.defaults(), over, IngestException.TOO_LARGE)
                .hasMessageContaining("more than 10000 entries")
                .extracting(e -> ((IngestException) e).details().get("limitName"))
                .isEqualTo("maxZipEntries");
    }

    /** A workbook whose sheet is a header, a record and {@code padding} bytes of white space between rows. */
    private static byte[] bomb(int padding) {
        return Xlsx.ofSheetData(header(1) + row(2, "Alice", "1", "2", "F", "a@b.rw") + " ".repeat(padding));
    }

    /**
     * A shared-string bomb: one long shared string in every cell of every row. The file is small and inflates to
     * little, but its records would hold gigabytes of text; reading stops once they hold far more than a list's.
     */
    @Test
    void records_sharedStringRepeatedInEveryCell_tooLarge() {
        StringBuilder rows = new StringBuilder(header(1));
        int count = 20_000;
        for (int r = 2; r <= count + 1; r++) {
            rows.append("<row r=\"").append(r).append("\">");
            for (char c = 'A'; c <= 'E'; c++) {
                rows.append("<c r=\"").append(c).append(r).append("\" t=\"s\"><v>0</v></c>");
            }
            rows.append("</row>");
        }
        byte[] bomb = Xlsx.workbook()
                .sharedStrings("x".repeat(30_000))
                .sheet("Sheet1", rows.toString())
                .bytes();
        assertThat(bomb.length).isLessThan(512 * 1024);

        try (SheetRecords sheet = SheetReader.defaults().open(bomb)) {
            assertThatThrownBy(() -> sheet.records().forEach(r -> {}))
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE)
                    .hasMessageContaining("repeats long texts")
                    .extracting(e -> ((IngestException) e).details().get("limitName"))
                    .isEqualTo("maxAverageChars");
            // stopped near 16 Mi characters (112 records of 150,000), not at the sheet's 3 billion
            assertThat(sheet.rowsRead()).isLessThan(200);
        }
    }

    /**
     * A header cell that names the last of many shared strings (a few MB of zip can hold hundreds of MB of them: read
     * all, they ran the heap out): refused as {@code file.too_large} ({@code maxSharedStringsBytes}) once their text and
     * offsets pass the bound, for items of text (plain, and with an entity the full reading reads) and for empty items,
     * whose 4 bytes of offset each are the cost. With a comment in an item, the strings are not plain, and
     * fastexcel-reader would read them, as Strings: their XML may be a quarter of the bound. Under a bound that holds
     * them, the same workbook reads.
     */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "entity", "empty", "comment"})
    void open_headerNamesTheLastOfManySharedStrings_tooLargeForTheBound(String kind) {
        int items = 200_000;
        String[] strings = new String[items];
        for (int i = 0; i < items; i++) {
            strings[i] = switch (kind) {
                case "plain", "comment" -> String.format(Locale.ROOT, "%010d", i) + "x".repeat(40);
                case "entity" -> String.format(Locale.ROOT, "%010d", i) + "&amp;" + "x".repeat(40);
                default -> "";
            };
        }
        strings[items - 1] = "names";
        if (kind.equals("comment")) {
            strings[0] = "a<!-- not plain -->";
        }
        String sheetData = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>" + (items - 1) + "</v></c>"
                + header(1).substring(header(1).indexOf("<c r=\"B1\""))
                + row(2, "Alice Uwase", "1199880012345678", "0788123456", "F", "alice@example.rw");
        byte[] workbook = Xlsx.workbook()
                .sharedStrings(strings)
                .sheet("Sheet1", sheetData)
                .bytes();
        long bound = 512 * 1024;

        assertThatThrownBy(() -> SheetReader.builder()
                        .limits(new ReadLimits(
                                ReadLimits.DEFAULT_MAX_BYTES,
                                ReadLimits.DEFAULT_MAX_INFLATED_BYTES,
                                ReadLimits.DEFAULT_MAX_ROWS,
                                bound))
                        .build()
                        .open(workbook))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", IngestException.TOO_LARGE)
                .extracting(e -> ((IngestException) e).details())
                .satisfies(d -> assertThat(d)
                        .containsEntry("limitName", "maxSharedStringsBytes")
                        .containsEntry("limit", bound)
                        .containsEntry("part", "xl/sharedStrings.xml"));
        try (SheetRecords sheet = SheetReader.defaults().open(workbook)) {
            assertThat(sheet.records().count()).isEqualTo(1);
        }
    }

    /** Long cells now and then, as real lists have them, stay within the text a list may hold. */
    @Test
    void records_someCellsAsLongAsACellHolds_read() {
        StringBuilder rows = new StringBuilder(header(1));
        for (int r = 2; r <= 5_001; r++) {
            String names = r % 100 == 0 ? "n".repeat(IngestException.MAX_CELL_CHARS) : "Alice Uwase";
            rows.append(row(r, names, "1199880012345678", "0788123456", "F", "alice.uwase" + r + "@example.rw"));
        }

        try (SheetRecords sheet = SheetReader.defaults().open(Xlsx.ofSheetData(rows.toString()))) {
            assertThat(sheet.records().count()).isEqualTo(5_000);
        }
    }

    /**
     * Past the row limit (3) at row 5, thrown from the stream; rows the sheet does not write between records are data
     * rows too (records on rows 2 and 5 are 4 data rows).
     */
    @Test
    void records_overRowLimitThrownFromStream() {
        byte[] written = Xlsx.ofSheetData(header(1)
                + row(2, "A", "1", "2", "F", "a@b.rw")
                + row(3, "", "", "", "", "")
                + row(4, "B", "1", "2", "F", "a@b.rw")
                + row(5, "C", "1", "2", "F", "a@b.rw"));
        byte[] notWritten = Xlsx.ofSheetData(
                header(1) + row(2, "A", "1", "2", "F", "a@b.rw") + row(5, "B", "1", "2", "F", "a@b.rw"));
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 3))
                .build();

        for (byte[] xlsx : List.of(written, notWritten)) {
            try (SheetRecords sheet = reader.open(xlsx)) {
                assertThatThrownBy(() -> sheet.records().forEach(r -> {}))
                        .isInstanceOf(IngestException.class)
                        .hasFieldOrPropertyWithValue("code", IngestException.TOO_MANY_ROWS)
                        .hasMessageContaining("more than 3 data rows")
                        .extracting(e -> ((IngestException) e).details())
                        .isEqualTo(Map.of("limit", 3, "limitName", "maxRows", "row", 5));
            }
        }
    }

    /** A value far below a short list passes the row limit: the message says what to delete, not to split the list. */
    @Test
    void records_strayValueFarBelowAShortList_messageSaysDeleteIt() {
        byte[] xlsx = Xlsx.ofSheetData(header(1)
                + row(2, "A", "1", "2", "F", "a@b.rw")
                + row(3, "B", "1", "2", "F", "a@b.rw")
                + row(40, "checked", "", "", "", ""));
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 20))
                .build();

        assertRejected(reader, xlsx, IngestException.TOO_MANY_ROWS)
                .hasMessage("The sheet has more than 20 data rows, the most accepted in one file (row 40 is over"
                        + " the limit; blank rows between the header and the last value count). Only 2 of the rows"
                        + " above it hold records, the others are blank: if the list is not that long, delete what"
                        + " is written on row 40 and below, and upload the file again.");
    }

    @Test
    void records_atRowLimit() {
        byte[] xlsx = Xlsx.ofSheetData(header(1)
                + row(2, "A", "1", "2", "F", "a@b.rw")
                + row(3, "", "", "", "", "")
                + row(4, "B", "1", "2", "F", "a@b.rw")
                + row(5, "", "", "", "", "")
                + row(6, "", "", "", "", ""));
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 3))
                .build();

        try (SheetRecords sheet = reader.open(xlsx)) {
            assertThat(sheet.records().count()).isEqualTo(2);
            assertThat(sheet.rowsRead()).isEqualTo(3);
        }
    }

    @Test
    void open_emptyFile() {
        assertRejected(new byte[0], IngestException.EMPTY);
    }

    @Test
    void open_noRows() {
        assertRejected(Xlsx.ofSheetData(""), IngestException.EMPTY).hasMessageContaining("no header row");
    }

    @Test
    void open_headerOnly() {
        assertRejected(Xlsx.ofSheetData(header(1)), IngestException.EMPTY)
                .hasMessage("The sheet \"Sheet1\" has a header in row 1 but no data rows below it.");
    }

    @Test
    void open_headerAndBlankRowsOnly() {
        assertRejected(
                        Xlsx.ofSheetData(header(2) + row(3, "", "") + row(4, null, null, null, null, null, "note")),
                        IngestException.EMPTY)
                .hasMessageContaining("row 2");
    }

    /** A header below the rows searched: the first row that is not blank is taken, and the message says why. */
    @Test
    void open_headerBelowTheRowsSearched_messageSaysSo() {
        StringBuilder notes = new StringBuilder();
        for (int r = 1; r <= 21; r++) {
            notes.append(row(r, "Note " + r));
        }
        byte[] xlsx = Xlsx.ofSheetData(notes + header(22) + row(23, "A", "1", "2", "F", "a@b.rw"));

        assertRejected(xlsx, IngestException.MISSING_COLUMNS)
                .hasMessageStartingWith("The sheet \"Sheet1\" has no column for names, nid, phone_number, gender,"
                        + " email. Headers found in row 1: Note 1.")
                .hasMessageEndingWith(" No row among the sheet's first 20 names 3 of the five fields, so its first"
                        + " row that is not blank was taken as the header: a header further down is not looked for"
                        + " (delete the rows above it).");
    }

    @Test
    void open_missingColumns() {
        byte[] xlsx = Xlsx.ofSheetData(row(1, "Full Name", "ID", "Tel:", "Gender") + row(2, "A", "1", "2", "F"));

        assertRejected(xlsx, IngestException.MISSING_COLUMNS)
                .hasMessage("The sheet \"Sheet1\" has no column for nid, email. Headers found in row 1:"
                        + " Full Name, ID, Tel:, Gender. Header names accepted (case, spaces, underscores, hyphens"
                        + " and dots aside): nid: nid, national id, national id number, id number."
                        + " email: email, e-mail, email address.")
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(Map.of(
                        "sheet",
                        "Sheet1",
                        "headerRow",
                        1,
                        "missing",
                        List.of("nid", "email"),
                        "headersFound",
                        List.of("Full Name", "ID", "Tel:", "Gender"),
                        "accepted",
                        Map.of(
                                "nid",
                                List.of("nid", "national id", "national id number", "id number"),
                                "email",
                                List.of("email", "e-mail", "email address"))));
    }

    @Test
    void open_duplicateColumns() {
        byte[] xlsx = Xlsx.ofSheetData(row(1, "Name", "nid", "phone", "gender", "email", "Full names")
                + row(2, "A", "1", "2", "F", "a@b.rw", "A"));

        assertRejected(xlsx, IngestException.DUPLICATE_COLUMNS)
                .hasMessage("In the sheet \"Sheet1\", the columns \"Name\" (column A) and \"Full names\" (column F)"
                        + " (row 1) both mean names. Keep one of them and upload again.");
    }

    /** A chart sheet is no worksheet: placed first, it is passed over, and the first worksheet decides the error. */
    @Test
    void open_chartSheetFirst_theWorksheetDecides() {
        assertRejected(Xlsx.resource("openpyxl-chart-sheet-first.xlsx"), IngestException.MISSING_COLUMNS)
                .hasMessageStartingWith("The sheet \"Data\" has no column for email.");
    }

    @Test
    void open_chartSheetNamed_isNotAWorksheet() {
        byte[] bytes = Xlsx.resource("openpyxl-chart-sheet-first.xlsx");
        assertRejected(SheetReader.builder().sheetName("chart").build(), bytes, IngestException.SHEET_NOT_FOUND)
                .hasMessage("The sheet \"Chart\" is a chart sheet, not a worksheet: it holds no list. The workbook's"
                        + " worksheets are: Data.")
                .extracting(e -> ((IngestException) e).details().get("sheetsFound"))
                .isEqualTo(List.of("Data"));
        assertRejected(SheetReader.builder().sheetName("Staff").build(), bytes, IngestException.SHEET_NOT_FOUND)
                .hasMessage("The workbook has no sheet named \"Staff\". Its sheets are: Data.");
    }

    /** A cell that refers to a shared string the workbook does not have is broken, not blank. */
    @Test
    void read_sharedStringIndexPastTheTable_isCorrupt() {
        byte[] bytes = Xlsx.workbook()
                .sharedStrings("Jean")
                .sheet(
                        "Sheet1",
                        header(1)
                                + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>"
                                + row(3, null, "1199570012345679", "0788123457", "F", "a@x.rw")
                                        .replace("<c r=\"B3\"", "<c r=\"A3\" t=\"s\"><v>99</v></c><c r=\"B3\""))
                .bytes();
        assertRejected(bytes, IngestException.CORRUPT)
                .hasMessageContaining(
                        "row 3 refers to shared string 99, but the workbook's shared strings hold only 1");
    }

    @Test
    void open_sharedStringsPartMissing_isCorrupt() {
        byte[] bytes = Xlsx.withoutPart(Xlsx.resource("xlsxwriter-escapes.xlsx"), "xl/sharedStrings.xml");
        assertRejected(bytes, IngestException.CORRUPT)
                .hasMessageContaining("row 1 refers to shared string 0, but the workbook's shared strings hold none");
    }

    /** fastexcel-reader makes such a cell an error cell without a value; it is broken, not blank. */
    @Test
    void read_numberCellThatIsNoNumber_isCorrupt() {
        byte[] bytes = Xlsx.ofSheetData(header(1)
                + row(2, "Jean", "1199880012345678", "0788123456", "M", "j@x.rw")
                + row(3, "Ann", null, "0788123457", "F", "a@x.rw")
                        .replace("<c r=\"C3\"", "<c r=\"B3\" t=\"n\"><v>12abc</v></c><c r=\"C3\""));
        assertRejected(bytes, IngestException.CORRUPT)
                .hasMessageContaining("the cell B3 holds a value its type does not allow");
    }

    @Test
    void open_sheetNotFound() {
        assertRejected(SheetReader.builder().sheetName("Staff").build(), VALID, IngestException.SHEET_NOT_FOUND)
                .hasMessage("The workbook has no sheet named \"Staff\". Its sheets are: Sheet1.");
    }
}
