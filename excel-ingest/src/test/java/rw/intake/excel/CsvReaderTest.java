package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
        assertCorrupt(HEADER + "Alice,1,2,F,a@b.rw\n\"Jean,1,2,M,j@b.rw\nEric,1,2,M,e@b.rw\n", 3);
    }

    @Test
    void open_tooManyFields() {
        assertCorrupt(HEADER + "Alice,1,2,F,a@b.rw\nJean,1,2,M,j@b.rw,extra\n", 3)
                .hasMessageContaining("more fields than the header's 5");
    }

    @Test
    void open_notUtf8() {
        byte[] latin1 = (HEADER + "Alice,1,2,F,a@b.rw\nJos\u00e9,1,2,M,j@b.rw\n").getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(latin1, SheetReader.defaults(), IngestException.CORRUPT)
                .hasMessageContaining("at line 3: the bytes are not UTF-8 text")
                .extracting(e -> ((IngestException) e).details().get("line"))
                .isEqualTo(3L);
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
                (HEADER + "\n,,,,\n").getBytes(StandardCharsets.UTF_8), SheetReader.defaults(), IngestException.EMPTY);
    }

    @Test
    void open_missingColumns() {
        assertRejected(
                        "Name,Phone,Gender\nAlice,0788123456,F\n".getBytes(StandardCharsets.UTF_8),
                        SheetReader.defaults(),
                        IngestException.MISSING_COLUMNS)
                .extracting(e -> ((IngestException) e).details())
                .isEqualTo(Map.of(
                        "sheet",
                        "CSV",
                        "headerRow",
                        1,
                        "missing",
                        List.of("nid", "email"),
                        "headersFound",
                        List.of("Name", "Phone", "Gender")));
    }

    @Test
    void open_duplicateColumns() {
        assertRejected(
                "name,full name,nid,phone,gender,email\nA,B,1,2,F,a@b.rw\n".getBytes(StandardCharsets.UTF_8),
                SheetReader.defaults(),
                IngestException.DUPLICATE_COLUMNS);
    }
}
