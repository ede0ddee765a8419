package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

/** The edits of a staged upload go into {@code record_edits} in the commit's transaction, on every database. */
final class RecordEditsTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:15:30.123456Z");

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_writesTheEditsAndCountsTheExcludedAsSkipped(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            List<ValidatedRecord> records = List.of(Records.valid(2, Records.nid(1)), Records.valid(4, Records.nid(2)));
            CommitRequest plain = Records.request("u1", "alice", CommitMode.ALL, records);
            List<RecordEdit> edits = List.of(
                    new RecordEdit(2, "nid", "11990800000000x1", Records.nid(1), "alice", AT),
                    new RecordEdit(3, "excluded", "false", "true", "bob", AT.plusSeconds(1)),
                    new RecordEdit(4, "names", "", "Ñame \"quoted\"", "alice", AT.plusSeconds(2)));
            CommitRequest request = new CommitRequest(
                    plain.uploadId(), plain.owner(), plain.fileName(), plain.mode(), plain.totals(), 1, edits, null);

            CommitResult result = db.storage().users().commit(request, records);

            assertThat(result).isEqualTo(new CommitResult("u1", 2, 1, 0, result.committedAt()));
            assertThat(db.queryLong("SELECT skipped FROM uploads WHERE id = 'u1'"))
                    .isEqualTo(1);
            String row = kind == DatabaseKind.MARIADB ? "`row_number`" : "\"row_number\"";
            assertThat(db.queryRows("SELECT upload_id, " + row
                            + ", field, old_value, new_value, account FROM record_edits" + " ORDER BY " + row))
                    .containsExactly(
                            List.of("u1", "2", "nid", "11990800000000x1", Records.nid(1), "alice"),
                            List.of("u1", "3", "excluded", "false", "true", "bob"),
                            List.of("u1", "4", "names", "", "Ñame \"quoted\"", "alice"));
            assertThat(db.queryLong("SELECT COUNT(*) FROM record_edits WHERE edited_at IS NOT NULL"))
                    .isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_failedCommitLeavesNoEdits(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            List<ValidatedRecord> records = List.of(Records.valid(2, Records.nid(1)));
            db.storage().users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
            CommitRequest plain = Records.request("u1", "alice", CommitMode.ALL, records);
            CommitRequest again = new CommitRequest(
                    plain.uploadId(),
                    plain.owner(),
                    plain.fileName(),
                    plain.mode(),
                    plain.totals(),
                    0,
                    List.of(new RecordEdit(2, "email", "a@b.rw", "c@d.rw", "alice", AT)),
                    null);

            assertThatThrownBy(() -> db.storage().users().commit(again, records))
                    .isInstanceOf(UploadAlreadyCommittedException.class);

            assertThat(db.queryLong("SELECT COUNT(*) FROM record_edits")).isZero();
        }
    }
}
