package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;

final class CsvReaderTest {

    private static final String HEADER = "names,nid,phone_number,gender,email\n";
    private static final RawRecord ALICE =
            RawRecord.of(2, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw");

    private record Read(SheetHeader header, List<RawRecord> records, long blankRows, long rowsRead) {}

    private static Read read(String csv) {
        return read(csv.getBytes(StandardCharsets.UTF_8), SheetReader.defaults());
    }

    private static Read read(byte[] csv, SheetReader reader) {
        try (SheetRecords s = reader.open(csv);
                Stream<RawRecord> records = s.records()) {
            List<RawRecord> list = records.toList();
            assertThat(list.size() + s.blankRows()).isEqualTo(s.rowsRead());
            return new Read(s.header(), list, s.blankRows(), s.rowsRead());
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
            byte[] csv, SheetReader reader, String code) {
        return assertThatThrownBy(() -> read(csv, reader))
                .isInstanceOf(IngestException.class)
                .hasFieldOrPropertyWithValue("code", code);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(String csv, long line) {
        AbstractThrowableAssert<?, ? extends Throwable> thrown = assertRejected(
                        csv.getBytes(StandardCharsets.UTF_8), SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageStartingWith("The CSV file cannot be read at line " + line + ": ");
        thrown.extracting(e -> ((IngestException) e).details().get("line")).isEqualTo(line);
        return thrown;
    }

    @Test
    void open_commaWithoutBom() {
        Read read = read(HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw\r\n"
                + " Jean Bosco ,1199880012345602,788123456,M,jb@example.rw");

        assertThat(read.header().sheetName()).isEqualTo("CSV");
        assertThat(read.header().row()).isEqualTo(1);
        // every value is text: no numeric flags, leading zeros kept
        assertThat(read.records())
                .containsExactly(
                        ALICE, RawRecord.of(3, "Jean Bosco", "1199880012345602", "788123456", "M", "jb@example.rw"));
    }

    /** A value under an empty header field is listed among the ignored columns; an empty column with none is not. */
    @Test
    void valueUnderAnEmptyHeaderField_listedAmongIgnoredColumns() {
        try (SheetRecords s = SheetReader.defaults().open("""
                                names,nid,phone_number,gender,email,,,Remarks
                                Ann Uwase,1199070012345601,0788123456,F,a@example.rw,, ,
                                Bo Kim,1199880012345602,0722123456,M,b@example.rw,0722123456,,x
                                """.getBytes(StandardCharsets.UTF_8));
                Stream<RawRecord> records = s.records()) {
            assertThat(records.toList()).hasSize(2);
            assertThat(s.ignoredColumns()).containsExactly("Remarks", "column F (no header)");
        }
    }

    /**
     * The escape's apostrophe before white space (a tab, a carriage return, which spreadsheets also run as formulas)
     * is taken off, and the value is then trimmed as any other: the phone is read as it would be in a workbook.
     */
    @Test
    void apostropheBeforeWhiteSpace_takenOffAndTrimmed() {
        Read read = read(HEADER + "\"'\tJean Bosco\",1199070012345601,'\t0788123401,M,\"'\rjb@example.rw\"\n");

        assertThat(read.records())
                .containsExactly(RawRecord.of(2, "Jean Bosco", "1199070012345601", "0788123401", "M", "jb@example.rw"));
    }

    /**
     * The apostrophe written against formula injection is taken off; a number's sign keeps its own. An apostrophe
     * after white space is no escape (the report writes none there): it stays, and the value is trimmed.
     */
    @Test
    void records_apostropheBeforeAFormula_takenOff() {
        Read read = read(HEADER + "'=1+2,'-x,'+250788123456,'@M,'@evil.com\n"
                + "'Neil,'1199070012345601,-0788 123 456,'+X,o'neil@example.rw\n");

        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "=1+2", "-x", "'+250788123456", "@M", "@evil.com"),
                        RawRecord.of(3, "'Neil", "'1199070012345601", "-0788 123 456", "+X", "o'neil@example.rw"));
        for (String v : new String[] {"=1+2", "'=1+2", "''@x.rw", "'-Ann", "'Neil", "-0788", "'", "", "'+250 788"}) {
            assertThat(CsvFormulas.restored(CsvFormulas.neutralized(v))).as(v).isEqualTo(v);
        }
        assertThat(CsvFormulas.neutralized("'@x.rw")).isEqualTo("''@x.rw");
        assertThat(CsvFormulas.neutralized("+250788123456")).isEqualTo("+250788123456");

        Read spaced = read(HEADER + "\" '-Jean\",1199070012345601,\u00a0'=1,\t'@M,\" '=ann@ex.com\"\n");
        assertThat(spaced.records())
                .containsExactly(RawRecord.of(2, "'-Jean", "1199070012345601", "'=1", "'@M", "'=ann@ex.com"));
    }

    /** A value may hold a control character (pasted into a cell): the file is still text. */
    @Test
    void open_controlCharacterInAValue_readAsText() {
        Read read = read(HEADER + "Ann\u0001Bee,1199070012345601,0788123456,F,l\u000b@example.rw\n");

        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "Ann\u0001Bee", "1199070012345601", "0788123456", "F", "l\u000b@example.rw"));
    }

    /**
     * A value full of control characters (kept in an error report) in a file that starts with a UTF-8 byte order mark,
     * as the report does: declared text. Without the mark, or with a NUL, the same bytes are a binary file.
     */
    @Test
    void open_manyControlCharactersAfterAUtf8Mark_readAsText_withoutIt_binary() {
        String names = "A\u000bB\u000bC\u000bD\u000bE\u001cF";
        byte[] text =
                (HEADER + names + ",1199070012345601,0788123456,F,alice@example.rw\n").getBytes(StandardCharsets.UTF_8);
        byte[] marked = new byte[text.length + 3];
        marked[0] = (byte) 0xEF;
        marked[1] = (byte) 0xBB;
        marked[2] = (byte) 0xBF;
        System.arraycopy(text, 0, marked, 3, text.length);

        assertThat(read(marked, SheetReader.defaults()).records())
                .containsExactly(RawRecord.of(2, names, "1199070012345601", "0788123456", "F", "alice@example.rw"));
        byte[] withNul = marked.clone();
        withNul[10] = 0;
        for (byte[] binary : new byte[][] {text, withNul}) {
            assertRejected(binary, SheetReader.defaults(), "file.unsupported_format");
        }
    }

    @Test
    void open_withBom() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = (HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] csv = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, csv, 0, bom.length);
        System.arraycopy(text, 0, csv, bom.length, text.length);

        Read read = read(csv, SheetReader.defaults());
        assertThat(read.header().headersFound()).containsExactly("names", "nid", "phone_number", "gender", "email");
        assertThat(read.records()).containsExactly(ALICE);
    }

    @Test
    void open_semicolon() {
        Read read = read("""
                Full Name;National ID;Tel:;Sex;E-mail;Remarks
                Alice Uwase;1199070012345601;0788123456;F;alice@example.rw;a, b and c
                """);

        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.records()).containsExactly(ALICE);
    }

    /**
     * A semicolon file as Excel writes it in a French locale: a title or notes line with commas, unquoted, above the
     * header. Split on commas the title maps three fields; the semicolon's header of five is the one taken. A comma
     * file whose header maps four fields is still read on commas, and refused for the missing one.
     */
    @Test
    void open_semicolonBelowATitleOfCommas_theHeaderOfMoreFieldsDecides() {
        for (String title : List.of(
                "Names, NID, phone, gender and email of members",
                "Required: names, nid, phone, gender, email",
                "Remplir toutes les colonnes (names, nid, phone, gender, email)")) {
            Read read = read(title + "\r\nGasabo;2024\r\n"
                    + "Full Name;National ID;Tel;Sex;E-mail\r\n"
                    + "Alice Uwase;1199070012345601;0788123456;F;alice@example.rw\r\n");

            assertThat(read.header().row()).as(title).isEqualTo(3);
            assertThat(read.records())
                    .as(title)
                    .containsExactly(
                            RawRecord.of(4, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"));
        }
        // below more blank lines than the header search reads, the first line with a value is the header, on each
        // separator
        for (String separator : List.of(",", ";", "\t")) {
            Read late = read("\r\n".repeat(20)
                    + String.join(separator, "Names", "NID", "Phone Number", "Gender", "Email") + "\r\n"
                    + String.join(separator, "Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw")
                    + "\r\n");
            assertThat(late.header().row()).as(separator).isEqualTo(21);
            assertThat(late.records()).extracting(RawRecord::row).as(separator).containsExactly(22);
        }
        assertRejected(
                        "Notes; see below\nnames,nid,phone_number,gender\nAlice,1199070012345601,0788123456,F\n"
                                .getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.MISSING_COLUMNS)
                .hasMessageContaining("email");
    }

    /**
     * Excel's {@code sep=} line names the separator and is no row: rows are numbered as Excel shows the file, from the
     * line after it, in any case of its letters, after a byte order mark, with any line end.
     */
    @Test
    void open_separatorLine_namesTheSeparatorAndIsNoRow() {
        String rows = """
                Full Name;National ID;Tel;Sex;E-mail
                Alice Uwase;1199070012345601;0788123456;F;alice@example.rw

                Eric;1199980012345603;0788000111;M;eric@example.rw
                """;
        RawRecord eric = RawRecord.of(4, "Eric", "1199980012345603", "0788000111", "M", "eric@example.rw");
        for (String line : List.of("sep=;\n", "SEP=;\r\n", "\uFEFFsep=;\r", "sep=;\r\n")) {
            Read read = read(line + (line.endsWith("\r") ? rows.replace('\n', '\r') : rows));

            assertThat(read.header().row()).as(line).isEqualTo(1);
            assertThat(read.records()).as(line).containsExactly(ALICE, eric);
            assertThat(read.blankRows()).as(line).isEqualTo(1);
        }
        // a separator none of the guesses tries; a comma inside a value is then text
        Read piped = read("""
                sep=|
                names|nid|phone_number|gender|email
                Uwase, Alice|1199070012345601|0788123456|F|alice@example.rw
                """);
        assertThat(piped.records())
                .containsExactly(
                        RawRecord.of(2, "Uwase, Alice", "1199070012345601", "0788123456", "F", "alice@example.rw"));
        // Excel takes the named separator even where another would find the header: so does the reading
        assertRejected(
                        ("sep=,\n" + rows).getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.MISSING_COLUMNS)
                .hasMessageContaining(" No row among the file's first 20 names 3 of the five fields");
        // a line that only starts like one is a title line above the header, and counts as a row
        Read title = read("sep=; is the separator\n" + rows);
        assertThat(title.header().row()).isEqualTo(2);
        assertThat(title.records()).extracting(RawRecord::row).containsExactly(3, 5);
    }

    /** A byte that is not UTF-8 is refused at its line as Excel shows the file, below a separator line. */
    @Test
    void open_separatorLineAndBytesThatAreNotUtf8_refusedAtTheRowExcelShows() {
        byte[] utf8 = ("sep=,\n" + HEADER + "Jos\u00e9,1,2,M,j@b.rw\n").getBytes(StandardCharsets.UTF_8);
        byte[] windows1252 = "Th\u00e9r\u00e8se,1,2,F,t@b.rw\n".getBytes(Charset.forName("windows-1252"));

        assertRejected(joined(utf8, windows1252), SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageContaining("at line 3: the bytes are not UTF-8 text");
    }

    @Test
    void open_quotedFieldsWithSeparatorsQuotesAndLineBreaks() {
        Read read = read(HEADER
                + "\"Uwase, Alice\",1199070012345601,\"0788 123 456\",F,\"say \"\"hi\"\"@x.rw\"\n"
                + "\"Jean\nBosco\",1199880012345602,0788123456,M,jb@example.rw\n"
                + "Eric,1199980012345603,0788000111,M,eric@example.rw\n");

        // a record's row is the line it starts on
        assertThat(read.records())
                .containsExactly(
                        RawRecord.of(2, "Uwase, Alice", "1199070012345601", "0788 123 456", "F", "say \"hi\"@x.rw"),
                        RawRecord.of(3, "Jean\nBosco", "1199880012345602", "0788123456", "M", "jb@example.rw"),
                        RawRecord.of(5, "Eric", "1199980012345603", "0788000111", "M", "eric@example.rw"));
    }

    @Test
    void open_titleLinesAboveHeaderAndSynonyms() {
        Read read = read("""
                District of Gasabo;;;;
                Date:;2024-05-02;;;

                Mobile Number;E-Mail;FULL_NAME;Gender;National.ID
                0788123456;alice@example.rw;Alice Uwase;F;1199070012345601
                """);

        assertThat(read.header().row()).isEqualTo(4);
        assertThat(read.header().columns())
                .isEqualTo(
                        Map.of(Field.PHONE_NUMBER, 0, Field.EMAIL, 1, Field.NAMES, 2, Field.GENDER, 3, Field.NID, 4));
        assertThat(read.records()).containsExactly(at(5, ALICE));
    }

    private static RawRecord at(int row, RawRecord r) {
        return RawRecord.of(row, r.names(), r.nid(), r.phoneNumber(), r.gender(), r.email());
    }

    @Test
    void records_blankLinesAreBlankRows() {
        Read read = read(HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw\n"
                + "\n"
                + ",,,,\n"
                + "  ,\t, , ,\n"
                + "Jean,1,2,M,j@x.rw\n"
                + "\n\n");

        assertThat(read.records()).extracting(RawRecord::row).containsExactly(2, 6);
        assertThat(read.blankRows()).isEqualTo(3);
        assertThat(read.rowsRead()).isEqualTo(5);
    }

    @Test
    void open_sheetNameNotUsed() {
        byte[] csv = (HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw\n")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(read(csv, SheetReader.builder().sheetName("People").build()).records())
                .containsExactly(ALICE);
    }

    @Test
    void records_fewerFieldsReadBlank() {
        assertThat(read(HEADER + "Alice,1,2\n").records()).containsExactly(RawRecord.of(2, "Alice", "1", "2", "", ""));
    }

    @Test
    void open_unclosedQuote() {
        assertCorrupt(HEADER + "Alice,1,2,F,a@b.rw\n\"Jean,1,2,M,j@b.rw\nEric,1,2,M,e@b.rw\n", 3)
                .hasMessageContaining("a quoted value that starts in this record is never closed")
                // the library's words without the file's text, which its location would quote (people's data)
                .extracting(e -> ((IngestException) e).details().get("error"))
                .isEqualTo("Missing closing quote for value");
    }

    @Test
    void open_tooManyFields() {
        assertCorrupt(HEADER + "Alice,1,2,F,a@b.rw\nJean,1,2,M,j@b.rw,,extra\n", 3)
                .hasMessageContaining("more fields than the header's 5");
    }

    @Test
    void records_blankFieldsPastTheHeaderIgnored() {
        // a trailing separator, or a stray space after it, holds nothing: the row is read as a sheet's row with blank
        // cells to the right of its header would be
        Read read = read(HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw,\n"
                + ",,,,,,\n"
                + "Jean Bosco,1199880012345602,0788123457,M,jb@example.rw, ,\t\n");

        assertThat(read.records())
                .containsExactly(
                        ALICE, RawRecord.of(4, "Jean Bosco", "1199880012345602", "0788123457", "M", "jb@example.rw"));
        assertThat(read.blankRows()).isEqualTo(1);
    }

    @Test
    void open_byteOrderMarkAlone_isEmpty() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        assertRejected(bom, SheetReader.defaults(), IngestException.EMPTY);
    }

    @Test
    void open_separatorsAlone_isEmpty() {
        // lines of separators alone: no separator finds a header, and with the one they are made of no line has a value
        assertRejected(
                ",,,,\n\n,,,,\n".getBytes(StandardCharsets.UTF_8), SheetReader.defaults(), IngestException.EMPTY);
        assertRejected(
                ";;;;\r\n;;;;\r\n".getBytes(StandardCharsets.UTF_8), SheetReader.defaults(), IngestException.EMPTY);
    }

    @Test
    void open_windows1252_readAsItsCharacters() {
        // Excel's "CSV (Comma delimited)" on Windows set to French: Windows-1252, semicolons
        byte[] csv = """
                Names;NID;Phone;Gender;Email\r
                Alice Uwase;1199070012345601;0788123456;F;alice@example.rw\r
                Th\u00e9r\u00e8se Uwimana;1199870012345611;0788123457;F;therese@example.rw\r
                Jeanne d\u2019Arc Mukamana;1199870012345612;0788123458;F;jeanne@example.rw\r
                """.getBytes(Charset.forName("windows-1252"));
        assertThat(csv).contains((byte) 0x92, (byte) 0xE9); // the right single quote and é as Windows-1252 writes them

        assertThat(read(csv, SheetReader.defaults()).records())
                .containsExactly(
                        ALICE,
                        RawRecord.of(
                                3,
                                "Th\u00e9r\u00e8se Uwimana",
                                "1199870012345611",
                                "0788123457",
                                "F",
                                "therese@example.rw"),
                        RawRecord.of(
                                4,
                                "Jeanne d\u2019Arc Mukamana",
                                "1199870012345612",
                                "0788123458",
                                "F",
                                "jeanne@example.rw"));
    }

    /**
     * A capital letter followed by a dash, a curly quote or a no-break space in Windows-1252 ({@code É–}: C9 96) is
     * also a well-formed UTF-8 sequence (U+0256), which is no sign of a UTF-8 file: read as Windows-1252.
     */
    @Test
    void open_windows1252CapitalBeforeADash_readAsItsCharacters() {
        byte[] csv = (HEADER
                        + "REN\u00c9\u2013CLAUDE Aim\u00e9e,1,2,F,r@b.rw\nJOS\u00c9\u2019S \u00abREN\u00c9\u00bb,1,2,M,j@b.rw\n")
                .getBytes(Charset.forName("windows-1252"));
        assertThat(csv).contains((byte) 0xC9, (byte) 0x96);

        assertThat(read(csv, SheetReader.defaults()).records())
                .extracting(RawRecord::names)
                .containsExactly("REN\u00c9\u2013CLAUDE Aim\u00e9e", "JOS\u00c9\u2019S \u00abREN\u00c9\u00bb");
    }

    @Test
    void open_utf8AndWindows1252Mixed_refusedAtTheFirstByteThatIsNotUtf8() {
        byte[] utf8 = (HEADER + "Jos\u00e9,1,2,M,j@b.rw\n").getBytes(StandardCharsets.UTF_8);
        byte[] windows1252 = "Th\u00e9r\u00e8se,1,2,F,t@b.rw\n".getBytes(Charset.forName("windows-1252"));
        byte[] csv = joined(utf8, windows1252);

        assertRejected(csv, SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageContaining("at line 3: the bytes are not UTF-8 text")
                .extracting(e -> ((IngestException) e).details().get("line"))
                .isEqualTo(3L);
    }

    /** UTF-8 text of any script beside Windows-1252 bytes is a mixed file, whatever its two-byte sequences encode. */
    @Test
    void open_utf8OfOtherScriptsAndWindows1252Mixed_refused() {
        for (String utf8Name : List.of(
                "\u0418\u0432\u0430\u043d",
                "Ay\u015fe Y\u0131lmaz",
                "Pawe\u0142",
                "\u0218tefan",
                "\u0645\u062d\u0645\u062f")) {
            byte[] utf8 = (HEADER + utf8Name + ",1,2,M,j@b.rw\n").getBytes(StandardCharsets.UTF_8);
            byte[] windows1252 = "Ren\u00e9e Keza,1,2,F,r@b.rw\n".getBytes(Charset.forName("windows-1252"));
            byte[] csv = joined(utf8, windows1252);

            assertRejected(csv, SheetReader.defaults(), IngestException.CORRUPT)
                    .as(utf8Name)
                    .hasMessageContaining("at line 3: the bytes are not UTF-8 text");
        }
    }

    @Test
    void open_byteThatWindows1252LeavesUndefined_refused() {
        byte[] csv = (HEADER + "Alice,1,2,F,a@b.rw\nJos\u00e9,1,2,M,j@b.rw\n").getBytes(StandardCharsets.ISO_8859_1);
        csv[csv.length - 3] = (byte) 0x81;

        assertRejected(csv, SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageContaining("at line 3: the bytes are not UTF-8 text");
    }

    /**
     * Excel for Mac's "CSV (Macintosh)" and "Comma Separated Values": Mac Roman, lines ended by CR alone. Read as
     * Windows-1252, its accented letters would be other characters that pass the rules ({@code é} as {@code Ž}).
     */
    @Test
    void open_macRomanWithCrAlone_readAsItsCharacters() {
        Charset macRoman = Charset.forName("x-MacRoman");
        byte[] csv = (HEADER.replace("\n", "\r")
                        + "Ren\u00e9e Uwase,1,2,F,r@b.rw\r\u00c9ric Habimana,1,2,M,e@b.rw\r"
                        + "Jo\u00ebl Fran\u00e7ois d\u2019Arc,1,2,M,j@b.rw\r")
                .getBytes(macRoman);
        assertThat(csv).contains((byte) 0x8E, (byte) 0x83, (byte) 0xD5); // é, É and ’ as Mac Roman writes them

        assertThat(read(csv, SheetReader.defaults()).records())
                .extracting(RawRecord::row, RawRecord::names)
                .containsExactly(
                        tuple(2, "Ren\u00e9e Uwase"),
                        tuple(3, "\u00c9ric Habimana"),
                        tuple(4, "Jo\u00ebl Fran\u00e7ois d\u2019Arc"));
        // with lines ended by LF, bytes that are not UTF-8 are Windows-1252, as Excel on Windows writes them
        byte[] lf = (HEADER + "Ren\u00e9e Uwase,1,2,F,r@b.rw\n").getBytes(macRoman);
        assertThat(read(lf, SheetReader.defaults()).records())
                .extracting(RawRecord::names)
                .first()
                .isEqualTo("Ren\u017de Uwase");
    }

    /** UTF-8 beside Mac Roman, lines ended by CR alone: a mixed file, refused where the bytes stop being UTF-8. */
    @Test
    void open_utf8AndMacRomanMixed_refusedAtTheFirstByteThatIsNotUtf8() {
        for (String utf8Name : List.of("Jos\u00e9", "Pawe\u0142", "O\u2019Neil")) {
            byte[] utf8 = (HEADER.replace("\n", "\r") + utf8Name + ",1,2,M,j@b.rw\r").getBytes(StandardCharsets.UTF_8);
            byte[] macRoman = "Ren\u00e9e Keza,1,2,F,r@b.rw\r".getBytes(Charset.forName("x-MacRoman"));
            byte[] csv = joined(utf8, macRoman);

            assertRejected(csv, SheetReader.defaults(), IngestException.CORRUPT)
                    .as(utf8Name)
                    .hasMessageContaining("at line 3: the bytes are not UTF-8 text");
        }
    }

    @Test
    void open_tabSeparated() {
        Read read = read("""
                names\tnid\tphone_number\tgender\temail\tRemarks
                Alice Uwase\t1199070012345601\t0788123456\tF\talice@example.rw\ta, b; c
                """);

        assertThat(read.header().ignoredColumns()).containsExactly("Remarks");
        assertThat(read.records()).containsExactly(ALICE);
    }

    @Test
    void open_utf16WithByteOrderMark_asExcelSavesUnicodeText() {
        String text = "Names\tNID\tPhone\tGender\tEmail\r\nAlice Uwase\t1199070012345601\t0788123456\tF\t"
                + "alice@example.rw\r\nTh\u00e9r\u00e8se \u0141ucja\t1199870012345611\t0788123457\tF\tt@example.rw\r\n";
        RawRecord therese =
                RawRecord.of(3, "Th\u00e9r\u00e8se \u0141ucja", "1199870012345611", "0788123457", "F", "t@example.rw");

        for (Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            byte[] bom = "\uFEFF".getBytes(charset);
            byte[] body = text.getBytes(charset);
            byte[] csv = joined(bom, body);

            assertThat(read(csv, SheetReader.defaults()).records())
                    .as(charset.name())
                    .containsExactly(ALICE, therese);
        }
    }

    /** UTF-32 is no spreadsheet program's CSV: refused, not read as UTF-16 with a record of its zero bytes. */
    @Test
    void open_utf32_unsupported() {
        for (String charset : List.of("UTF-32LE", "UTF-32BE")) {
            byte[] csv = ("\uFEFF" + HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw\r\n")
                    .getBytes(Charset.forName(charset));

            assertRejected(csv, SheetReader.defaults(), IngestException.UNSUPPORTED_FORMAT)
                    .as(charset)
                    .hasMessageContaining("it looks like text in UTF-32.");
        }
    }

    /** A Ctrl-Z after the last line, the end-of-file mark of DOS-era programs, is no record. */
    @Test
    void records_endOfFileMarkAtTheEnd_notARecord() {
        for (String end : List.of("\r\n\u001A", "\u001A")) {
            Read read = read(HEADER + "Alice Uwase,1199070012345601,0788123456,F,alice@example.rw" + end);

            assertThat(read.records()).as(end.length() + " chars").containsExactly(ALICE);
            assertThat(read.blankRows()).isZero();
        }
    }

    /**
     * A web page or an XML file named .csv or .xls (a web application's export, Excel's "XML Spreadsheet 2003") is
     * not CSV: refused as a format, not as a header of tags.
     */
    @Test
    void open_markup_unsupported() {
        Map<String, String> files = Map.of(
                "\uFEFF<!DOCTYPE html>\n<html><body><table><tr><td>Names</td></tr></table></body></html>\n",
                        "a web page",
                "  <html>\n<table><tr><td>Names</td><td>NID</td></tr></table>", "a web page",
                "<TABLE border=1><TR><TD>Names</TD></TR></TABLE>", "a web page",
                "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">",
                        "an XML file");
        files.forEach((text, found) -> assertRejected(
                        text.getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.UNSUPPORTED_FORMAT)
                .as(text)
                .hasMessageContaining("it looks like " + found));
        // a value that starts with a tag further down is a value
        assertThat(read(HEADER + "<b>Alice</b>,1199070012345601,0788123456,F,alice@example.rw")
                        .records())
                .extracting(RawRecord::names)
                .containsExactly("<b>Alice</b>");
    }

    @Test
    void open_utf16WithALoneSurrogate_refusedAtItsLine() {
        // a high surrogate followed by a comma, written byte by byte: an encoder would not write it
        byte[] before = ("\uFEFF" + HEADER + "Alice,1,2,F,a@b.rw\nJos").getBytes(StandardCharsets.UTF_16LE);
        byte[] after = ",1,2,M,j@b.rw\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] csv = Arrays.copyOf(before, before.length + 2 + after.length);
        csv[before.length] = 0x00;
        csv[before.length + 1] = (byte) 0xD8;
        System.arraycopy(after, 0, csv, before.length + 2, after.length);

        assertRejected(csv, SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageContaining("at line 3: the bytes are not UTF-16 text");
    }

    @Test
    void open_overByteLimit() {
        byte[] csv = (HEADER + "Alice,1,2,F,a@b.rw\n").getBytes(StandardCharsets.UTF_8);
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(csv.length - 1, 1 << 20, 10))
                .build();

        assertRejected(csv, reader, IngestException.TOO_LARGE)
                .extracting(e -> ((IngestException) e).details().get("limit"))
                .isEqualTo((long) csv.length - 1);
    }

    @Test
    void records_overRowLimit() {
        byte[] csv = (HEADER + "A,1,2,F,a@b.rw\n\nB,1,2,F,b@b.rw\nC,1,2,F,c@b.rw\n").getBytes(StandardCharsets.UTF_8);
        SheetReader reader = SheetReader.builder()
                .limits(new ReadLimits(1 << 20, 1 << 20, 2))
                .build();

        assertRejected(csv, reader, IngestException.TOO_MANY_ROWS)
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(Map.of("limit", 2, "limitName", "maxRows", "row", 4));
    }

    @Test
    void open_headerOnly() {
        assertRejected(
                        (HEADER + "\n,,,,\n").getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.EMPTY)
                .hasMessage("The file has a header in row 1 but no data rows below it.");
    }

    @Test
    void open_missingColumns() {
        assertRejected(
                        "Name,Phone,Gender\nAlice,0788123456,F\n".getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.MISSING_COLUMNS)
                .hasMessageStartingWith("The file has no column for nid, email. Headers found in row 1:")
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(Map.of(
                        "sheet",
                        "CSV",
                        "headerRow",
                        1,
                        "missing",
                        List.of("nid", "email"),
                        "headersFound",
                        List.of("Name", "Phone", "Gender"),
                        "accepted",
                        Map.of(
                                "nid",
                                List.of("nid", "national id", "national id number", "id number"),
                                "email",
                                List.of("email", "e-mail", "email address"))));
    }

    @Test
    void open_duplicateColumns() {
        assertRejected(
                        "name,full name,nid,phone,gender,email\nA,B,1,2,F,a@b.rw\n".getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.DUPLICATE_COLUMNS)
                .hasMessageStartingWith(
                        "In the file, the columns \"name\" (column A) and \"full name\" (column B) (row 1) both mean"
                                + " names.");
    }

    @Test
    void open_noHeaderInTheFirstRows_messageNamesTheFile() {
        assertRejected(
                        "Registration list\nName,Phone\nAlice,0788123456\n".getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.MISSING_COLUMNS)
                .hasMessageStartingWith("The file has no column for ")
                .hasMessageContaining(" No row among the file's first 20 names 3 of the five fields");
    }

    /** The bytes of one encoding followed by those of another, as a mixed file holds them. */
    private static byte[] joined(byte[] first, byte[] then) {
        byte[] joined = Arrays.copyOf(first, first.length + then.length);
        System.arraycopy(then, 0, joined, first.length, then.length);
        return joined;
    }
}
