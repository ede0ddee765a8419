package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        assertThatThrownBy(() -> Storage.open(DatabaseConfig.of(
                        "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2&password=s3cret", "", "")))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith(
                        "cannot connect to jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2&password=***: ")
                .hasMessageNotContaining("s3cret");
    }

    /**
     * Every password a URL carries is masked, in the URL and in the driver's words that follow it: a parameter whose
     * name ends in password, any case, and a user's password before the host, which MariaDB's driver quotes when it
     * takes it for a port.
     */
    @Test
    void open_unreachableDatabase_noPasswordInTheMessage() {
        for (String url : List.of(
                "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2&sslpassword=s3cretA&user=postgres",
                "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2&user=postgres&Password=s3cretA",
                "jdbc:mariadb://root:s3cretB@127.0.0.1:1/none?connectTimeout=2000",
                "jdbc:mariadb://127.0.0.1:1/none?connectTimeout=2000&trustStorePassword=s3cretC")) {
            assertThatThrownBy(() -> Storage.open(DatabaseConfig.of(url, "", "")))
                    .as(url)
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("cannot connect to ")
                    .hasMessageContaining("***")
                    .hasMessageNotContaining("s3cret");
        }
        assertThat(Redacted.message("port : p@ss w%rd@127.0.0.1 or p@ss w%rd", "jdbc:x://u:p%40ss%20w%25rd@h/"))
                .isEqualTo("port : ***@127.0.0.1 or ***");
        // a raw @ in a password, Redis's password without a user, MariaDB's address form
        assertThat(Redacted.url("jdbc:postgresql://bob:Zq9p@w5@127.0.0.1:5432/x"))
                .isEqualTo("jdbc:postgresql://bob:***@127.0.0.1:5432/x");
        assertThat(Redacted.url("redis://Zq9pwB@127.0.0.1:6379/9")).isEqualTo("redis://***@127.0.0.1:6379/9");
        assertThat(Redacted.url("rediss://Zq9pwD@h1:6379,h2:6379")).isEqualTo("rediss://***@h1:6379,h2:6379");
        assertThat(Redacted.url("jdbc:mariadb://address=(host=h)(port=3306)(user=root)(password=Zq9pwA)/db"))
                .isEqualTo("jdbc:mariadb://address=(host=h)(port=3306)(user=root)(password=***)/db");
        assertThat(Redacted.message("at redis://Zq9pwB@h:1: ERR", "redis://Zq9pwB@h:1"))
                .isEqualTo("at redis://***@h:1: ERR");
        assertThat(Redacted.url("jdbc:postgresql://bob@127.0.0.1/x")).isEqualTo("jdbc:postgresql://bob@127.0.0.1/x");
    }

    /**
     * A database that stops answering right after a statement (frozen: its connections stay open, nothing comes back):
     * the next statement fails as unavailable within the connection timeout, not after the network timeout, though the
     * pool's connection was used just before (HikariCP hands out one used in the last 500 ms unchecked by default), and
     * so does a ping.
     */
    @ParameterizedTest
    @EnumSource(
            value = DatabaseKind.class,
            names = {"POSTGRESQL", "MARIADB"})
    void databaseFrozenRightAfterAStatement_nextFailsUnavailableWithinTheConnectionTimeout(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind);
                TcpProxy proxy = TcpProxy.toServerOf(db.config().jdbcUrl())) {
            DatabaseConfig viaProxy = new DatabaseConfig(
                    proxy.url(db.config().jdbcUrl()),
                    db.config().username(),
                    db.config().password(),
                    2,
                    Duration.ofSeconds(1));
            try (Storage storage = Storage.builder(viaProxy)
                    .networkTimeout(Duration.ofMinutes(10))
                    .open()) {
                try {
                    assertThat(storage.users().isCommitted("u1")).isFalse();
                    proxy.freeze();
                    Throwable next = CompletableFuture.supplyAsync(
                                    () -> failureOf(() -> storage.users().isCommitted("u1")))
                            .orTimeout(2, TimeUnit.MINUTES)
                            .join();
                    assertThat(next).isNotNull().matches(Storage::isUnavailable, "unavailable");
                    assertThat(failureOf(storage::ping)).isNotNull().matches(Storage::isUnavailable, "unavailable");
                } finally {
                    proxy.thaw();
                }
            }
        }
    }

    private static Throwable failureOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (RuntimeException ex) {
            return ex;
        }
    }
}
