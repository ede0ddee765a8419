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
                new ArrayList<>(RecordChunks.entries(RecordChunks.encode(store, 0, RecordChunks.SIZE, 7)));
        byte[] second = RecordChunks.encode(store, RecordChunks.SIZE, store.size(), 8);
        out.addAll(RecordChunks.entries(second));
        assertThat(out).hasSize(in.size());
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i).record()).isEqualTo(in.get(i));
            assertThat(out.get(i).excluded()).isEqualTo(i == 5);
            assertThat(out.get(i).edited()).isEqualTo(i == RecordChunks.SIZE + 1);
        }
        assertThat(RecordChunks.version(second)).isEqualTo(8);

        // a chunk's records as JSON are the store's own, byte for byte
        StagedRecords unpacked = RecordChunks.decode(second);
        for (int i = 0; i < unpacked.size(); i++) {
            JsonBytes a = new JsonBytes(512);
            JsonBytes b = new JsonBytes(512);
            unpacked.writeJson(i, a);
            store.writeJson(RecordChunks.SIZE + i, b);
            assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        }

        byte[] future = RecordChunks.encode(store, 0, 1, 1);
        future[0] = RecordChunks.VERSION + 1;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordChunks.decode(future))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format");
    }

    @Test
    void chunks_carryOnlyTheMessagesTheirRecordsUse_renumbered() {
        StagedRecords store = new StagedRecords();
        List<ValidatedRecord> in = new ArrayList<>();
        for (int row = 2; row < 2 + 3 * RecordChunks.SIZE; row++) {
            // related rows make messages of their own: many distinct ones, interned, and past the table's end
            ValidatedRecord r = row % 3 == 0 ? broken(row, row - 1) : clean(row);
            in.add(r);
            store.append(r);
        }
        byte[] last = RecordChunks.encode(store, 2 * RecordChunks.SIZE, store.size(), 1);
        // the store interned 4,096 messages of some 20 bytes each; three records need a handful of them
        assertThat(RecordChunks.encode(store, 0, 3, 1).length).isLessThan(2_000);
        List<RecordChunks.Entry> out = RecordChunks.entries(last);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).record()).isEqualTo(in.get(2 * RecordChunks.SIZE + i));
        }
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
