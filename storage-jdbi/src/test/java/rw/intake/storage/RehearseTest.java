package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

/** {@link UserStore#rehearse}: every step of a commit, then nothing written; the real commit after it unchanged. */
final class RehearseTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void rehearse_writesNothing_realCommitThenSameAsWithout(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> first = Records.validRange(2, 3);
            users.commit(Records.request("u1", "alice", CommitMode.ALL, first), first);
            // more than one chunk of inserts (1,000 in tests), one NID registered by u1 already
            List<ValidatedRecord> records = new ArrayList<>(Records.validRange(100, 2500));
            records.add(Records.valid(3000, first.get(0).normalized().nid()));
            CommitRequest request = Records.request("u2", "bob", CommitMode.ALL, records);

            assertThat(users.rehearse(request, records)).isEqualTo(records.size());

            assertThat(users.isCommitted("u2")).isFalse();
            assertThat(users.users(new UserQuery(1, 10, null, null, null)).totalItems())
                    .isEqualTo(3);
            assertThat(db.queryLong("SELECT COUNT(*) FROM uploads")).isEqualTo(1);
            assertThat(users.registeredAmong(List.of(records.get(0).normalized().nid())))
                    .isEmpty();

            List<Integer> conflicts = new ArrayList<>();
            CommitResult result = users.commit(request, records, conflicts::add);
            assertThat(result.committed()).isEqualTo(records.size());
            assertThat(result.conflicts()).isEqualTo(1);
            assertThat(conflicts).containsExactly(3000);
            assertThat(users.registeredAmong(List.of(records.get(0).normalized().nid())))
                    .hasSize(1);
        }
    }
}
