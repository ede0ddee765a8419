package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

/** A database holding users committed under the first schema keeps working after the later migrations. */
final class SchemaUpgradeTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void usersCommittedUnderV1_areListedFilteredAndStillRegisterTheirNids(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.upgraded(
                kind,
                "1",
                upload("old-b", "bob", 3),
                upload("old-a", "alice", 2),
                Records.insertByHand("old-b", 3, Records.nid(2), true),
                Records.insertByHand("old-b", 2, Records.nid(1), true),
                Records.insertByHand("old-b", 4, "bad", false),
                Records.insertByHand("old-a", 2, Records.nid(3), true),
                Records.insertByHand("old-a", 3, Records.nid(4), true),
                Records.insertByHand("by-hand", 2, Records.nid(5), true))) {
            UserStore users = db.storage().users();

            assertThat(users.users(new UserQuery(1, 10, null, null, null)).totalItems())
                    .isEqualTo(6);
            Page<CommittedUser> bobs = users.users(new UserQuery(1, 10, "old-b", null, null));
            assertThat(bobs.items()).extracting(CommittedUser::row).containsExactly(2, 3, 4);
            assertThat(bobs.items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(1), Records.nid(2), "bad");
            assertThat(users.users(new UserQuery(1, 10, null, false, "bob")).items())
                    .extracting(CommittedUser::row)
                    .containsExactly(4);
            assertThat(users.users(new UserQuery(1, 10, null, true, "alice")).totalItems())
                    .isEqualTo(2);
            assertThat(users.isCommitted("old-a")).isTrue();

            List<ValidatedRecord> records = List.of(
                    Records.valid(2, Records.nid(1)),
                    Records.valid(3, Records.nid(5)),
                    Records.valid(4, Records.nid(6)));
            CommitResult result = users.commit(Records.request("new", "alice", CommitMode.ALL, records), records);
            assertThat(result.conflicts()).isEqualTo(2);
            assertThat(users.users(new UserQuery(1, 10, "new", true, null)).items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(6));
            assertThat(users.users(new UserQuery(1, 10, null, null, "alice")).totalItems())
                    .isEqualTo(5);
        }
    }

    private static String upload(String id, String owner, int records) {
        return "INSERT INTO uploads (id, owner, file_name, records, valid_records, invalid_records, with_warnings, blank_rows,"
                + " commit_mode, committed, skipped, conflicts, committed_at) VALUES ('" + id + "', '" + owner + "', '"
                + id
                + ".xlsx', " + records + ", 0, 0, 0, 0, 'all', " + records + ", 0, 0, CURRENT_TIMESTAMP)";
    }
}
