package rw.intake.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Records;
import rw.intake.storage.Storage;
import rw.intake.storage.UserQuery;
import rw.intake.validation.ValidatedRecord;

/** H2's registered NIDs when the commit cannot register them itself (H2 not in this process). */
final class H2RegisteredNidsTest {

    @Test
    void embeddedH2_isTheProcessLocalUrlsOnly() {
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1")).isTrue();
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:file:./data/intake")).isTrue();
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:./data/intake")).isTrue();
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:tcp://localhost/~/intake")).isFalse();
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:ssl://localhost/~/intake")).isFalse();
        assertThat(Dialect.isEmbeddedH2("jdbc:h2:file:./data/intake;AUTO_SERVER=TRUE"))
                .isFalse();
        assertThat(Dialect.isEmbeddedH2("jdbc:postgresql://localhost/intake")).isFalse();
    }

    /** With AUTO_SERVER the trigger registers every NID itself; commits and conflicts come out the same. */
    @Test
    void autoServer_triggerRegistersEachNid(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake") + ";AUTO_SERVER=TRUE";
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            List<ValidatedRecord> first = Records.validRange(0, 300);
            List<ValidatedRecord> second = Records.validRange(250, 100);
            CommitResult a = storage.users().commit(Records.request("u1", "alice", CommitMode.ALL, first), first);
            CommitResult b = storage.users().commit(Records.request("u2", "alice", CommitMode.ALL, second), second);

            assertThat(a.committed()).isEqualTo(300);
            assertThat(a.conflicts()).isZero();
            assertThat(b.committed()).isEqualTo(100);
            assertThat(b.conflicts()).isEqualTo(50);
            assertThat(storage.users()
                            .users(new UserQuery(1, 10, "u2", true, null))
                            .totalItems())
                    .isEqualTo(50);
            assertThat(storage.users().registeredAmong(List.of(Records.nid(0), Records.nid(349), Records.nid(350))))
                    .containsExactlyInAnyOrder(Records.nid(0), Records.nid(349));
        }
    }
}
