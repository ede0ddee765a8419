package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

final class StorageTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void open_migratesOnceAndKeepsData(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            String expected = kind.dialect();
            assertThat(db.storage().dialect()).isEqualTo(expected);
            List<ValidatedRecord> records = Records.validRange(1, 2);
            db.storage().users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            try (Storage again = db.openAnother()) {
                assertThat(again.dialect()).isEqualTo(expected);
                assertThat(again.users().isCommitted("u1")).isTrue();
                assertThat(again.users()
                                .users(new UserQuery(1, 10, null, null, null))
                                .totalItems())
                        .isEqualTo(2);
            }
        }
    }

    @Test
    void open_unsupportedDatabase() {
        assertThatThrownBy(() -> Storage.open(DatabaseConfig.of("jdbc:sqlite:intake.db", "", "")))
                .isInstanceOf(StorageException.class)
                .hasMessage(
                        "unsupported database URL (expected jdbc:h2:, jdbc:postgresql: or jdbc:mariadb:): jdbc:sqlite:intake.db");
    }

    @Test
    void open_unreachableDatabase() {
        assertThatThrownBy(() ->
                        Storage.open(DatabaseConfig.of("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "", "")))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("cannot connect to jdbc:postgresql://127.0.0.1:1/none");
    }
}
