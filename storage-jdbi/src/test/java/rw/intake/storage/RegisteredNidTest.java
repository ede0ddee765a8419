package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

/**
 * "At most one valid record per NID" holds for every writer of {@code users}, not only for commits: rows inserted,
 * updated, deleted or truncated by hand keep the key of registered NIDs right (on PostgreSQL and H2 that is the
 * {@code registered_nids} table, kept by triggers; on MariaDB the unique index on {@code users.registered_nid}).
 */
final class RegisteredNidTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void insertByHand_ofARegisteredNidIsRefused(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db, "u1", Records.validRange(0, 10));

            assertThatThrownBy(() -> db.execute(Records.insertByHand("by-hand", 2, Records.nid(3), true)))
                    .hasRootCauseInstanceOf(java.sql.SQLException.class);
            db.execute(Records.insertByHand("by-hand", 3, Records.nid(10), true));

            assertThat(db.queryLong("SELECT COUNT(*) FROM users WHERE registered_nid IS NOT NULL"))
                    .isEqualTo(11);
            assertRecommit(db, "u2", 1, 10, 11);
        }
    }

    /** A valid row that registers no NID would be a second valid record of a registered NID: refused too. */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void validRowByHand_withoutItsRegisteredNid_isRefused(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db, "u1", Records.validRange(0, 10));
            String unregistered = Records.insertByHand("by-hand", 2, Records.nid(3), true)
                    .replace(", '" + Records.nid(3) + "')", ", NULL)");

            assertThatThrownBy(() -> db.execute(unregistered)).hasRootCauseInstanceOf(java.sql.SQLException.class);
            assertThatThrownBy(() -> db.execute(
                            "UPDATE users SET registered_nid = NULL WHERE registered_nid = '" + Records.nid(4) + "'"))
                    .hasRootCauseInstanceOf(java.sql.SQLException.class);

            assertThat(db.queryLong("SELECT COUNT(*) FROM users WHERE nid = '" + Records.nid(3) + "'"))
                    .isEqualTo(1);
            assertRecommit(db, "u2", 2, 3, 4);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void updateByHand_ontoARegisteredNidIsRefused_andMovingAwayFreesTheNid(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db, "u1", Records.validRange(0, 10));

            assertThatThrownBy(() -> db.execute("UPDATE users SET registered_nid = '" + Records.nid(4)
                            + "' WHERE registered_nid = '" + Records.nid(3) + "'"))
                    .hasRootCauseInstanceOf(java.sql.SQLException.class);
            db.execute("UPDATE users SET registered_nid = NULL, valid = FALSE WHERE registered_nid = '" + Records.nid(3)
                    + "'");
            db.execute("UPDATE users SET registered_nid = '" + Records.nid(20) + "' WHERE registered_nid = '"
                    + Records.nid(5) + "'");

            assertRecommit(db, "u2", 1, 3, 5, 20);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void deleteAndTruncateByHand_freeTheirNids(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db, "u1", Records.validRange(0, 10));
            db.execute("DELETE FROM users WHERE registered_nid = '" + Records.nid(0) + "'");
            assertRecommit(db, "u2", 0, 0);

            if (kind == DatabaseKind.H2) {
                // H2 runs no trigger on TRUNCATE, so the schema refuses it there (users_truncate_guard); DELETE works.
                assertThatThrownBy(() -> db.execute("TRUNCATE TABLE users"))
                        .hasRootCauseInstanceOf(java.sql.SQLException.class);
                db.execute("DELETE FROM users");
            } else {
                db.execute("TRUNCATE TABLE users");
            }
            assertRecommit(db, "u3", 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    /** Commits valid records with the NIDs numbered {@code nids}: all are committed, {@code conflicts} as conflicts. */
    private static void assertRecommit(TestDatabase db, String uploadId, int conflicts, int... nids) {
        List<ValidatedRecord> records = new ArrayList<>();
        for (int n : nids) {
            records.add(Records.valid(records.size() + 2, Records.nid(n)));
        }
        CommitResult result = commit(db, uploadId, records);
        assertThat(result.committed()).isEqualTo(nids.length);
        assertThat(result.conflicts()).isEqualTo(conflicts);
        assertRegisteredNidsMatchUsers(db);
    }

    /** On PostgreSQL and H2, registered_nids holds exactly the users' registered NIDs. */
    private static void assertRegisteredNidsMatchUsers(TestDatabase db) {
        if (db.kind() == DatabaseKind.MARIADB) {
            return;
        }
        long registered = db.queryLong("SELECT COUNT(*) FROM users WHERE registered_nid IS NOT NULL");
        assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(registered);
        assertThat(
                        db.queryLong(
                                "SELECT COUNT(*) FROM users u JOIN registered_nids r ON r.nid = CAST(u.registered_nid AS BIGINT)"))
                .isEqualTo(registered);
    }

    private static CommitResult commit(TestDatabase db, String uploadId, List<ValidatedRecord> records) {
        return db.storage().users().commit(Records.request(uploadId, "alice", CommitMode.ALL, records), records);
    }
}
