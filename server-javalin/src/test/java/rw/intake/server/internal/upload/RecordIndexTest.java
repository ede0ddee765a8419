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

final class RecordIndexTest {

    private static ValidatedRecord record(int row, Violation... violations) {
        return ValidatedRecord.of(
                RawRecord.of(row, "n", "d", "p", "g", "e"),
                new Normalized(null, null, null, null, null),
                List.of(violations));
    }

    private static List<Integer> rows(RecordIndex index, RecordFilter filter) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < index.count(filter); i++) {
            out.add(index.recordAt(filter, i));
        }
        return out;
    }

    @Test
    void recordAt_everyFilterCombination() {
        Violation nidFormat = Violation.of(Field.NID, "nid.format", Severity.ERROR, "m");
        Violation nidNumeric = Violation.of(Field.NID, "nid.numeric_cell", Severity.WARNING, "m");
        Violation phoneDup = Violation.of(Field.PHONE_NUMBER, "phone.duplicate", Severity.WARNING, "m");
        RecordIndex index = new RecordIndex();
        List<ValidatedRecord> records = List.of(
                record(2),
                record(3, nidFormat, nidNumeric),
                record(4, phoneDup),
                record(5, nidNumeric),
                record(6, nidFormat, phoneDup));
        for (int i = 0; i < records.size(); i++) {
            index.add(i, records.get(i));
        }

        assertThat(rows(index, RecordFilter.ALL)).containsExactly(0, 1, 2, 3, 4);
        assertThat(rows(index, RecordFilter.parse("valid", null, null))).containsExactly(0, 2, 3);
        assertThat(rows(index, RecordFilter.parse("invalid", null, null))).containsExactly(1, 4);
        assertThat(rows(index, RecordFilter.parse("all", "nid", null))).containsExactly(1, 3, 4);
        assertThat(rows(index, RecordFilter.parse("valid", "nid", null))).containsExactly(3);
        assertThat(rows(index, RecordFilter.parse(null, "phoneNumber", null))).containsExactly(2, 4);
        assertThat(rows(index, RecordFilter.parse("all", null, "nid.numeric_cell")))
                .containsExactly(1, 3);
        assertThat(rows(index, RecordFilter.parse("invalid", null, "phone.duplicate")))
                .containsExactly(4);
        assertThat(rows(index, RecordFilter.parse("all", "nid", "nid.format"))).containsExactly(1, 4);
        assertThat(rows(index, RecordFilter.parse("all", "email", "nid.format")))
                .isEmpty();
        assertThat(rows(index, RecordFilter.parse("all", null, "no.such_code"))).isEmpty();
    }
}
