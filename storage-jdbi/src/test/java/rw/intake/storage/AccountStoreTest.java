package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class AccountStoreTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void create_thenFind(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

            Account alice = accounts.create("alice", "$argon2id$hash-a", "clerk");
            Account root = accounts.create("root", "$argon2id$hash-r", "admin");

            assertThat(root.id()).isNotEqualTo(alice.id());
            assertThat(alice.createdAt()).isBetween(before, Instant.now());
            assertThat(accounts.find("alice")).contains(alice);
            assertThat(accounts.find("root")).contains(root);
            assertThat(accounts.find("Alice")).isEmpty();
            assertThat(accounts.find("bob")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void create_usernameTaken(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("alice", "h1", "clerk");

            assertThatThrownBy(() -> accounts.create("alice", "h2", "admin"))
                .isInstanceOf(UsernameTakenException.class)
                .hasMessage("username alice is taken");

            assertThat(accounts.find("alice").orElseThrow().passwordHash()).isEqualTo("h1");
            assertThat(accounts.countWithRole("admin")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void updatePassword_onlyExistingAccount(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("alice", "old", "clerk");
            accounts.create("bob", "bobs", "clerk");

            assertThat(accounts.updatePassword("alice", "new")).isTrue();
            assertThat(accounts.updatePassword("carol", "x")).isFalse();

            assertThat(accounts.find("alice").orElseThrow().passwordHash()).isEqualTo("new");
            assertThat(accounts.find("bob").orElseThrow().passwordHash()).isEqualTo("bobs");
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void countWithRole_countsEachRole(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            assertThat(accounts.countWithRole("admin")).isZero();
            accounts.create("a", "h", "clerk");
            accounts.create("b", "h", "clerk");
            accounts.create("c", "h", "admin");

            assertThat(accounts.countWithRole("clerk")).isEqualTo(2);
            assertThat(accounts.countWithRole("admin")).isEqualTo(1);
            assertThat(accounts.countWithRole("auditor")).isZero();
        }
    }
}
