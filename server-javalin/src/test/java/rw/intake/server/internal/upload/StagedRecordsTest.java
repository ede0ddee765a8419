package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

final class StagedRecordsTest {

    private static ValidatedRecord clean(int row) {
        RawRecord raw = new RawRecord(
                row, "  Bob   Kagabo ", "1199480035534601", "785576983", "male", "Bob@GMAIL.com", false, true);
        return ValidatedRecord.of(
                raw,
                new Normalized("Bob Kagabo", "1199480035534601", "+250785576983", "M", "Bob@gmail.com"),
                List.of(Violation.of(
                        Field.PHONE_NUMBER,
                        "phone.duplicate",
                        Severity.WARNING,
                        "phone number +250785576983 is also on row 2")));
    }

    private static ValidatedRecord broken(int row, int related) {
        RawRecord raw = new RawRecord(row, "Ürsula Ñandú 李", "1 1994 8 0035534601", "", "X", "", true, false);
        return ValidatedRecord.of(
                raw,
                new Normalized("Ürsula Ñandú 李", null, null, null, null),
                List.of(
                        Violation.of(Field.NID, "nid.format", Severity.ERROR, "NID must be exactly 16 digits"),
                        Violation.of(Field.NID, "nid.numeric_cell", Severity.WARNING, "the NID cell held a number"),
                        new Violation(
                                Field.NID, "nid.duplicate", Severity.ERROR, "same NID as row " + related, related),
                        Violation.of(Field.PHONE_NUMBER, "phone.required", Severity.ERROR, "phone number is required"),
                        Violation.of(
                                Field.GENDER,
                                "gender.invalid",
                                Severity.ERROR,
                                "gender 'X' is not M, F, Male or Female"),
                        Violation.of(Field.EMAIL, "email.required", Severity.ERROR, "email is required")));
    }

    @Test
    void append_roundTripsExactly() {
        StagedRecords store = new StagedRecords();
        List<ValidatedRecord> in = new ArrayList<>();
        for (int row = 2; row < 5_002; row++) {
            in.add(row % 7 == 0 ? broken(row, row - 3) : clean(row));
        }
        in.forEach(store::append);
        store.trim();

        assertThat(store.size()).isEqualTo(in.size());
        for (int i = 0; i < in.size(); i++) {
            assertThat(store.get(i)).isEqualTo(in.get(i));
        }
    }

    @Test
    void append_manyDistinctMessagesAndLargeCells() {
        StagedRecords store = new StagedRecords();
        List<ValidatedRecord> in = new ArrayList<>();
        String big = "x".repeat(40_000);
        String huge = "é".repeat(200_000);
        for (int row = 2; row < 6_002; row++) {
            String names = row == 3 ? big : row == 10 || row == 11 || row == 5_000 ? huge + row : "A" + row;
            RawRecord raw = RawRecord.of(row, names, "", "", "", "");
            in.add(ValidatedRecord.of(
                    raw,
                    new Normalized(null, null, null, null, null),
                    List.of(Violation.of(Field.NAMES, "names.length", Severity.ERROR, "message number " + row))));
        }
        in.forEach(store::append);

        for (int i = 0; i < in.size(); i++) {
            assertThat(store.get(i)).isEqualTo(in.get(i));
        }
    }

    @Test
    void chunks_roundTripRecordsAndMarks() {
        StagedRecords store = new StagedRecords();
        List<ValidatedRecord> in = new ArrayList<>();
        for (int row = 2; row < 2 + RecordChunks.SIZE + 100; row++) {
            ValidatedRecord r = row % 7 == 0 ? broken(row, row - 3) : clean(row);
            in.add(r);
            store.append(r);
        }
        store.excluded(5, true);
        store.markEdited(RecordChunks.SIZE + 1);
        assertThat(store.takeChanged().stream().toArray()).containsExactly(0, 1);
        assertThat(store.takeChanged().isEmpty()).isTrue();

        List<RecordChunks.Entry> out =
                new ArrayList<>(RecordChunks.decode(RecordChunks.encode(store, 0, RecordChunks.SIZE)));
        out.addAll(RecordChunks.decode(RecordChunks.encode(store, RecordChunks.SIZE, store.size())));
        assertThat(out).hasSize(in.size());
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i).record()).isEqualTo(in.get(i));
            assertThat(out.get(i).excluded()).isEqualTo(i == 5);
            assertThat(out.get(i).edited()).isEqualTo(i == RecordChunks.SIZE + 1);
        }
        byte[] future = RecordChunks.encode(store, 0, 1);
        future[0] = RecordChunks.VERSION + 1;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordChunks.decode(future))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("version");
    }

    @Test
    void retainedBytes_compactPerRecord() {
        StagedRecords store = new StagedRecords();
        for (int row = 2; row < 100_002; row++) {
            store.append(clean(row));
        }
        store.trim();

        assertThat(store.retainedBytes() / 100_000).isLessThan(150);
    }
}
