package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rw.intake.server.ServerApp;
import rw.intake.storage.Page;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

final class RecordPageJsonTest {

    private static final ObjectMapper MAPPER = ServerApp.objectMapper();

    /** The page as {@link RecordPageJson#write} writes it, checked to be the bytes Jackson's generator writes too. */
    private static String written(StagedRecords records, int[] indexes, int page, int size, long totalItems) {
        PageJson json = RecordPageJson.write(records, indexes, page, size, totalItems);
        byte[] bytes = json.toByteArray();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try {
            json.writeTo(written);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        assertThat(written.toByteArray()).as("written out from its buffer").isEqualTo(bytes);
        assertThat(json.length()).isEqualTo(bytes.length);
        assertThat(RecordPageJson.writeGenerated(records, indexes, page, size, totalItems))
                .isEqualTo(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void write_sameDocumentAsTheMapperOfTheViews() throws Exception {
        ValidatedRecord clean = ValidatedRecord.of(
                RawRecord.of(2, "Uwase Aline", "1199870012345678", "0788123456", "F", "aline@example.rw"),
                new Normalized("Uwase Aline", "1199870012345678", "+250788123456", "F", "aline@example.rw"),
                List.of());
        ValidatedRecord faulty = ValidatedRecord.of(
                new RawRecord(3, "  \"Quoted\" \\ Ñame\u00a0", "1199870012345678", "12", "x", "bad@", true, false),
                new Normalized("\"Quoted\" \\ Ñame", null, null, null, null),
                List.of(
                        new Violation(Field.NID, "nid.duplicate", Severity.ERROR, "Same NID as row 2", 2),
                        Violation.of(Field.PHONE_NUMBER, "phone.invalid", Severity.ERROR, "Not a phone number: «12»"),
                        Violation.of(Field.GENDER, "gender.invalid", Severity.WARNING, "tab\there\nline")));
        ValidatedRecord warned = ValidatedRecord.of(
                RawRecord.of(4, "Mugisha Eric", "1199870012345679", "0788123457", "M", ""),
                new Normalized("Mugisha Eric", "1199870012345679", "+250788123457", "M", ""),
                List.of(Violation.of(Field.EMAIL, "email.missing", Severity.WARNING, "No email")));
        StagedRecords staged = new StagedRecords();
        for (ValidatedRecord r : List.of(clean, faulty, warned)) {
            staged.append(r);
        }
        Page<ValidatedRecord> page = new Page<>(List.of(staged.get(1), staged.get(2)), 3, 2, 7L);

        String streamed = written(staged, new int[] {1, 2}, 3, 2, 7);

        assertThat(List.of(staged.get(0), staged.get(1), staged.get(2))).containsExactly(clean, faulty, warned);
        assertThat(streamed).isEqualTo(MAPPER.writeValueAsString(Views.page(page, Views.RecordView::of)));
        JsonNode items = MAPPER.readTree(streamed).get("items");
        assertThat(items.get(0).get("valid").asBoolean()).isFalse();
        assertThat(items.get(1).get("valid").asBoolean()).isTrue();
        assertThat(items.get(0).get("errors").get(0).get("relatedRow").asInt()).isEqualTo(2);
        assertThat(items.get(0).get("errors").get(1).has("relatedRow")).isFalse();
        assertThat(items.get(0).get("names").asText()).isEqualTo("  \"Quoted\" \\ Ñame\u00a0");
    }

    /**
     * Whether a record's texts need escaping is found while they are copied: here the one text that does is a stored
     * normalized value, then a message past the table of interned ones; a record with non-ASCII but nothing to escape
     * is copied as it is.
     */
    @Test
    void write_escapesWhicheverTextOfTheRecordNeedsIt() throws Exception {
        StagedRecords staged = new StagedRecords();
        List<ValidatedRecord> records = new ArrayList<>();
        records.add(ValidatedRecord.of(
                RawRecord.of(2, "Uwase Aline", "1199870012345678", "0788123456", "F", "a@b.rw"),
                new Normalized("Uwase\tAline", "1199870012345678", "tab\there", "F", "a@b.rw"),
                List.of()));
        records.add(ValidatedRecord.of(
                RawRecord.of(3, "Ñyiramana Ève", "1199870012345679", "0788123457", "F", "é@b.rw"),
                new Normalized("Ñyiramana Ève", "1199870012345679", "+250788123457", "F", "é@b.rw"),
                List.of()));
        for (int row = 4; row < 4_200; row++) {
            records.add(ValidatedRecord.of(
                    RawRecord.of(row, "Name", "", "", "", ""),
                    new Normalized(null, null, null, null, null),
                    List.of(Violation.of(
                            Field.NAMES,
                            "names.length",
                            Severity.ERROR,
                            "message " + row + (row == 4_199 ? " with \"quotes\" and a\ttab" : "")))));
        }
        records.forEach(staged::append);
        int[] shown = {0, 1, 4_196, 4_197};
        List<ValidatedRecord> items = new ArrayList<>();
        for (int i : shown) {
            items.add(staged.get(i));
        }

        String streamed = written(staged, shown, 1, 4, records.size());

        assertThat(items).containsExactly(records.get(0), records.get(1), records.get(4_196), records.get(4_197));
        assertThat(streamed)
                .isEqualTo(MAPPER.writeValueAsString(
                        Views.page(new Page<>(items, 1, 4, records.size()), Views.RecordView::of)));
        JsonNode json = MAPPER.readTree(streamed).get("items");
        assertThat(json.get(0).get("normalized").get("names").asText()).isEqualTo("Uwase\tAline");
        assertThat(json.get(1).get("names").asText()).isEqualTo("Ñyiramana Ève");
        assertThat(json.get(3).get("errors").get(0).get("message").asText())
                .isEqualTo("message 4199 with \"quotes\" and a\ttab");
    }

    /** Marks of an edit: left out and edited, each written per record, and a replaced record read back as replaced. */
    @Test
    void write_excludedAndEditedMarks() throws Exception {
        ValidatedRecord first = ValidatedRecord.of(
                RawRecord.of(2, "Uwase Aline", "1199870012345678", "0788123456", "F", "aline@example.rw"),
                new Normalized("Uwase Aline", "1199870012345678", "+250788123456", "F", "aline@example.rw"),
                List.of());
        ValidatedRecord second = ValidatedRecord.of(
                RawRecord.of(3, "Mugisha Eric", "1199", "0788123457", "M", "e@b.rw"),
                new Normalized("Mugisha Eric", null, "+250788123457", "M", "e@b.rw"),
                List.of(Violation.of(Field.NID, "nid.format", Severity.ERROR, "Not 16 digits")));
        ValidatedRecord fixed = ValidatedRecord.of(
                RawRecord.of(3, "Mugisha Eric", "1199870012345679", "0788123457", "M", "e@b.rw"),
                new Normalized("Mugisha Eric", "1199870012345679", "+250788123457", "M", "e@b.rw"),
                List.of());
        StagedRecords staged = new StagedRecords();
        staged.append(first);
        staged.append(second);
        staged.trim();

        staged.replace(1, fixed);
        staged.markEdited(1);
        staged.excluded(0, true);

        String streamed = written(staged, new int[] {0, 1}, 1, 2, 2);
        assertThat(staged.get(1)).isEqualTo(fixed);
        assertThat(staged.row(1)).isEqualTo(3);
        assertThat(staged.indexOfRow(3)).isEqualTo(1);
        assertThat(staged.indexOfRow(4)).isEqualTo(-1);
        assertThat(staged.excludedCount()).isEqualTo(1);
        assertThat(streamed)
                .isEqualTo(MAPPER.writeValueAsString(new Views.PageView<>(
                        List.of(Views.RecordView.of(first, true, false), Views.RecordView.of(fixed, false, true)),
                        1,
                        2,
                        2,
                        1)));
        assertThat(MAPPER.readTree(streamed).get("items").get(0).get("excluded").asBoolean())
                .isTrue();
    }

    @Test
    void write_emptyPage() throws Exception {
        Page<ValidatedRecord> page = new Page<ValidatedRecord>(List.of(), 5, 50, 0L);

        assertThat(written(new StagedRecords(), new int[0], 5, 50, 0))
                .isEqualTo(MAPPER.writeValueAsString(Views.page(page, Views.RecordView::of)))
                .isEqualTo("{\"items\":[],\"page\":5,\"size\":50,\"totalItems\":0,\"totalPages\":0}");
    }
}
