package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.EnumSource.Mode.MATCH_NONE;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.ValidatedRecord;

/** Accounts and refresh tokens on each database, PostgreSQL once: its commit variants differ only in how users are written. */
final class AccountStoreTest {

    private static final Duration RESEND = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
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

    /** A username with a NUL (a sign-in's {@code "adm\u0000in"}) names no account, on every database. */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void usernameWithNul_namesNoAccount(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("admin", "h", "admin");
            accounts.create("alice", "h", "clerk");

            assertThat(accounts.find("adm\u0000in")).isEmpty();
            assertThat(accounts.find("\u0000")).isEmpty();
            assertThat(accounts.updatePassword("ali\u0000ce", "h2")).isFalse();
            assertThat(accounts.setDisabled("ali\u0000ce", true)).isEmpty();
            assertThat(accounts.find("alice").orElseThrow().passwordHash()).isEqualTo("h");
        }
    }

    /**
     * Text compares byte for byte on every database: a username with a trailing space names no account (MariaDB's
     * {@code utf8mb4_bin} pads with spaces, and found {@code "admin"} for {@code "admin "}), nor does an upload id with
     * one name the upload's users.
     */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void trailingSpaces_nameNothing(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("admin", "h", "admin");
            accounts.create("alice", "h", "clerk");
            List<ValidatedRecord> records = Records.validRange(0, 3);
            db.storage().users().commit(Records.request("u-a", "alice", CommitMode.ALL, records), records);

            assertThat(accounts.find("admin ")).isEmpty();
            assertThat(accounts.find("alice  ")).isEmpty();
            assertThat(accounts.updatePassword("alice ", "h2")).isFalse();
            assertThat(accounts.setDisabled("admin ", true)).isEmpty();
            assertThat(accounts.find("admin").orElseThrow().disabled()).isFalse();
            assertThat(accounts.find("alice").orElseThrow().passwordHash()).isEqualTo("h");
            assertThat(db.storage()
                            .users()
                            .users(new UserQuery(1, 10, "u-a ", null, null))
                            .totalItems())
                    .isZero();
            assertThat(db.storage()
                            .users()
                            .users(new UserQuery(1, 10, "u-a", null, "alice "))
                            .totalItems())
                    .isZero();
            assertThat(db.storage()
                            .users()
                            .users(new UserQuery(1, 10, "u-a", null, "alice"))
                            .totalItems())
                    .isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
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
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
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
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
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

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void list_byUsernameWithDisabledFlag(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("carol", "h", "clerk");
            accounts.create("alice", "h", "admin");
            accounts.create("bob", "h", "clerk");
            accounts.setDisabled("bob", true);

            assertThat(accounts.list()).extracting(Account::username).containsExactly("alice", "bob", "carol");
            assertThat(accounts.list()).extracting(Account::disabled).containsExactly(false, true, false);
            assertThat(accounts.find("bob").orElseThrow().disabled()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void setDisabled_unknownAccountIsEmpty(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            assertThat(db.storage().accounts().setDisabled("nobody", true)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void setDisabled_lastEnabledAdminRefused(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("root", "h", "admin");
            accounts.create("second", "h", "admin");

            assertThat(accounts.setDisabled("second", true))
                    .hasValueSatisfying(a -> assertThat(a.disabled()).isTrue());
            assertThatThrownBy(() -> accounts.setDisabled("root", true))
                    .isInstanceOf(LastAdminException.class)
                    .hasMessage("account root is the last enabled admin");
            assertThat(accounts.find("root").orElseThrow().disabled()).isFalse();

            assertThat(accounts.setDisabled("second", false))
                    .hasValueSatisfying(a -> assertThat(a.disabled()).isFalse());
            assertThat(accounts.setDisabled("root", true))
                    .hasValueSatisfying(a -> assertThat(a.disabled()).isTrue());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void setDisabled_twoAdminsDisablingEachOtherAtOnceLeaveOneEnabled(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            for (int round = 0; round < 5; round++) {
                String a = "a" + round;
                String b = "b" + round;
                accounts.create(a, "h", "admin");
                accounts.create(b, "h", "admin");
                if (round > 0) {
                    accounts.setDisabled("a" + (round - 1), true);
                    accounts.setDisabled("b" + (round - 1), true);
                }
                CyclicBarrier start = new CyclicBarrier(2);
                List<CompletableFuture<Boolean>> both = new ArrayList<>();
                for (String name : List.of(a, b)) {
                    both.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                            return accounts.setDisabled(name, true).isPresent();
                        } catch (LastAdminException ex) {
                            return false;
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    }));
                }
                long disabled = both.stream().filter(CompletableFuture::join).count();
                assertThat(disabled).as("round %d", round).isEqualTo(1);
                assertThat(accounts.list().stream()
                                .filter(x -> "admin".equals(x.role()) && !x.disabled())
                                .count())
                        .isEqualTo(1);
                accounts.setDisabled(a, false);
                accounts.setDisabled(b, false);
            }
        }
    }

    /** Makes alice, logged in twice: refresh token t1 of login f1, other of f2, good for an hour; her id. */
    private static long twoLogins(AccountStore accounts) {
        long id = accounts.create("alice", "h", "clerk").id();
        Instant later = Instant.now().truncatedTo(ChronoUnit.MICROS).plus(Duration.ofHours(1));
        assertThat(accounts.addRefreshToken(new RefreshToken("t1", "f1", id, later), "h"))
                .isTrue();
        assertThat(accounts.addRefreshToken(new RefreshToken("other", "f2", id, later), "h"))
                .isTrue();
        return id;
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void rotateRefreshToken_onceThenReuseRevokesFamily(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            long id = twoLogins(accounts);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant later = now.plus(Duration.ofHours(1));

            assertThat(accounts.rotateRefreshToken("t1", id, new RefreshToken("t2", "f1", id, later), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);
            assertThat(accounts.rotateRefreshToken("t2", id, new RefreshToken("t3", "f1", id, later), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);
            assertThat(accounts.rotateRefreshToken("t1", id, new RefreshToken("t4", "f1", id, later), now, RESEND))
                    .isEqualTo(Rotation.REUSED);
            assertThat(accounts.rotateRefreshToken("t3", id, new RefreshToken("t5", "f1", id, later), now, RESEND))
                    .isEqualTo(Rotation.UNKNOWN);
            assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens WHERE family = 'f1'"))
                    .isZero();
            assertThat(accounts.rotateRefreshToken("other", id, new RefreshToken("o2", "f2", id, later), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);
        }
    }

    /**
     * A used token sent again within the resend time, its successor not used yet (the first answer lost): a new
     * successor, the first one spent (sending it ends the login); sent again once its successor was used, or after the
     * resend time, it ends the login.
     */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void rotateRefreshToken_sentAgainWhileItsSuccessorIsUnused(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            long id = twoLogins(accounts);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant later = now.plus(Duration.ofHours(1));

            assertThat(sent(accounts, id, "t1", "t2", "f1", now, RESEND)).isEqualTo(Rotation.ROTATED);
            Instant soon = now.plus(RESEND);
            assertThat(sent(accounts, id, "t1", "t2b", "f1", soon, RESEND)).isEqualTo(Rotation.RESENT);
            assertThat(sent(accounts, id, "t1", "t2c", "f1", soon, RESEND)).isEqualTo(Rotation.RESENT);
            assertThat(sent(accounts, id, "t2c", "t3", "f1", soon, RESEND)).isEqualTo(Rotation.ROTATED);
            assertThat(sent(accounts, id, "t1", "t2d", "f1", soon, RESEND))
                    .as("its successor was used: a second use")
                    .isEqualTo(Rotation.REUSED);
            assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens WHERE family = 'f1'"))
                    .isZero();

            assertThat(sent(accounts, id, "other", "o2", "f2", now, RESEND)).isEqualTo(Rotation.ROTATED);
            assertThat(sent(accounts, id, "other", "o2b", "f2", now, RESEND)).isEqualTo(Rotation.RESENT);
            assertThat(sent(accounts, id, "o2", "o3", "f2", now, RESEND))
                    .as("the spent successor, sent after all: a second use")
                    .isEqualTo(Rotation.REUSED);
            assertThat(sent(accounts, id, "o2b", "o3", "f2", now, RESEND)).isEqualTo(Rotation.UNKNOWN);

            assertThat(accounts.addRefreshToken(new RefreshToken("late", "f3", id, later), "h"))
                    .isTrue();
            assertThat(sent(accounts, id, "late", "l2", "f3", now, RESEND)).isEqualTo(Rotation.ROTATED);
            Instant past = soon.plusNanos(1_000);
            assertThat(sent(accounts, id, "late", "l2b", "f3", past, RESEND))
                    .as("after the resend time")
                    .isEqualTo(Rotation.REUSED);
            assertThat(accounts.addRefreshToken(new RefreshToken("none", "f4", id, later), "h"))
                    .isTrue();
            assertThat(sent(accounts, id, "none", "n2", "f4", now, Duration.ZERO))
                    .isEqualTo(Rotation.ROTATED);
            assertThat(sent(accounts, id, "none", "n2b", "f4", now.plusNanos(1_000), Duration.ZERO))
                    .as("no resend time")
                    .isEqualTo(Rotation.REUSED);
        }
    }

    /** A sign-out deletes its login's tokens, rotated ones included; another login's stay good. */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void revokeRefreshFamily_endsThatLoginOnly(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            long id = twoLogins(accounts);
            assertThat(use(accounts, id, "t1", "t2", "f1")).isEqualTo(Rotation.ROTATED);

            assertThat(accounts.revokeRefreshFamily("alice", "f1")).isEqualTo(2);

            assertThat(use(accounts, id, "t2", "t3", "f1")).isEqualTo(Rotation.UNKNOWN);
            assertThat(accounts.revokeRefreshFamily("alice", "f1")).isZero();
            assertThat(accounts.revokeRefreshFamily("alice", "f\u00001")).isZero();
            assertThat(use(accounts, id, "other", "o2", "f2")).isEqualTo(Rotation.ROTATED);
        }
    }

    /** Refresh token {@code used} of account {@code id} sent at {@code at}, {@code next} of {@code family} its successor. */
    private static Rotation sent(
            AccountStore accounts, long id, String used, String next, String family, Instant at, Duration resend) {
        return accounts.rotateRefreshToken(
                used, id, new RefreshToken(next, family, id, at.plusSeconds(3600)), at, resend);
    }

    /** Refresh token {@code used} of account {@code id} used now, {@code next} of {@code family} in its place. */
    private static Rotation use(AccountStore accounts, long id, String used, String next, String family) {
        return sent(accounts, id, used, next, family, Instant.now().truncatedTo(ChronoUnit.MICROS), RESEND);
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void rotateRefreshToken_expiredOrOtherAccountIsUnknown(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            long alice = accounts.create("alice", "h", "clerk").id();
            long bob = accounts.create("bob", "h", "clerk").id();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            accounts.addRefreshToken(new RefreshToken("t1", "f1", alice, now.plusSeconds(60)), "h");
            accounts.addRefreshToken(new RefreshToken("old", "f2", alice, now.minusSeconds(1)), "h");

            assertThat(accounts.rotateRefreshToken("t1", bob, new RefreshToken("t2", "f1", bob, now), now, RESEND))
                    .isEqualTo(Rotation.UNKNOWN);
            assertThat(accounts.rotateRefreshToken("old", alice, new RefreshToken("o2", "f2", alice, now), now, RESEND))
                    .isEqualTo(Rotation.UNKNOWN);
            assertThat(accounts.rotateRefreshToken(
                            "never", alice, new RefreshToken("n2", "f3", alice, now), now, RESEND))
                    .isEqualTo(Rotation.UNKNOWN);

            assertThat(accounts.deleteExpiredRefreshTokens(now)).isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens")).isEqualTo(1);
            assertThat(accounts.rotateRefreshToken(
                            "t1", alice, new RefreshToken("t2", "f1", alice, now.plusSeconds(60)), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void passwordChangeAndDisabling_endRefreshTokens(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            long alice = accounts.create("alice", "h", "clerk").id();
            long bob = accounts.create("bob", "h", "clerk").id();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant later = now.plusSeconds(600);
            accounts.addRefreshToken(new RefreshToken("a1", "fa", alice, later), "h");
            accounts.addRefreshToken(new RefreshToken("b1", "fb", bob, later), "h");
            accounts.addRefreshToken(new RefreshToken("b2", "fb2", bob, later), "h");

            accounts.updatePassword("alice", "new");
            assertThat(accounts.rotateRefreshToken(
                            "a1", alice, new RefreshToken("a2", "fa", alice, later), now, RESEND))
                    .isEqualTo(Rotation.UNKNOWN);
            assertThat(accounts.rotateRefreshToken("b1", bob, new RefreshToken("b3", "fb", bob, later), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);

            accounts.setDisabled("bob", true);
            assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens")).isZero();
        }
    }

    /**
     * A sign-in's refresh token is stored only under the password hash the sign-in checked, and only while the account
     * is enabled: a password change or a disable that came between the check and the storing leaves none.
     */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void addRefreshToken_onlyUnderThePasswordChecked_whileEnabled(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("root", "h", "admin");
            long alice = accounts.create("alice", "h", "clerk").id();
            Instant later = Instant.now().truncatedTo(ChronoUnit.MICROS).plusSeconds(600);

            assertThat(accounts.addRefreshToken(new RefreshToken("t1", "f1", alice, later), "h"))
                    .isTrue();
            accounts.updatePassword("alice", "h2");
            assertThat(accounts.addRefreshToken(new RefreshToken("t2", "f2", alice, later), "h"))
                    .isFalse();
            assertThat(accounts.addRefreshToken(new RefreshToken("t3", "f3", alice, later), "h2"))
                    .isTrue();
            accounts.setDisabled("alice", true);
            assertThat(accounts.addRefreshToken(new RefreshToken("t4", "f4", alice, later), "h2"))
                    .isFalse();
            assertThat(accounts.addRefreshToken(new RefreshToken("t5", "f5", alice + 100, later), "h2"))
                    .isFalse();
            assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens")).isZero();
            accounts.setDisabled("alice", false);
            assertThat(accounts.addRefreshToken(new RefreshToken("t6", "f6", alice, later), "h2"))
                    .isTrue();
        }
    }

    /**
     * A refresh (a rotation) or a sign-in racing a sign-out, a disable or a password change of its account: whichever
     * commits first, no token of that login is left to refresh with, and neither fails. A rotation used to store its
     * successor after a sign-out had deleted the login's tokens, and on PostgreSQL to deadlock with a disable (it
     * locked its token and then, through the key, the account; the disable the other way round).
     */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void refreshOrSignInRacingSignOutDisableOrPasswordChange_leaveNoToken(DatabaseKind kind) throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("root", "h", "admin");
            long alice = accounts.create("alice", "h", "clerk").id();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant later = now.plusSeconds(600);
            List<String> ends = List.of("sign-out", "disable", "password");
            for (int round = 0; round < 30; round++) {
                String family = "f" + round;
                String end = ends.get(round % ends.size());
                boolean signIn = round % 2 == 1;
                if (!signIn) {
                    assertThat(accounts.addRefreshToken(new RefreshToken(family + "a", family, alice, later), "h"))
                            .isTrue();
                }
                String what = (signIn ? "sign-in" : "refresh") + " racing a " + end + ", round " + round;
                RefreshToken next = new RefreshToken(family + "b", family, alice, later);
                atOnce(
                        two,
                        what,
                        () -> signIn
                                ? accounts.addRefreshToken(next, "h")
                                : accounts.rotateRefreshToken(family + "a", alice, next, now, RESEND),
                        () -> switch (end) {
                            case "sign-out" -> accounts.revokeRefreshFamily("alice", family);
                            case "disable" -> accounts.setDisabled("alice", true);
                            default -> accounts.updatePassword("alice", "h2");
                        });
                if (!(signIn && end.equals("sign-out"))) {
                    // a sign-out ends the login it was sent for, not one made at that moment
                    assertThat(db.queryLong("SELECT COUNT(*) FROM refresh_tokens WHERE family = '" + family + "'"))
                            .as(what)
                            .isZero();
                }
                accounts.setDisabled("alice", false);
                accounts.updatePassword("alice", "h");
            }
        } finally {
            two.shutdownNow();
        }
    }

    /**
     * A disable racing an enable, a password change or a sign-out of the same account: they take turns, and neither
     * fails. On MariaDB a disable (which locks the enabled admins, scanning every row) and an enable deadlocked: each
     * locked the account through its username's index and its key in the other order.
     */
    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void disableRacingEnablePasswordChangeOrSignOut_neitherFails(DatabaseKind kind) throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("root", "h", "admin");
            for (int i = 0; i < 50; i++) {
                accounts.create("clerk" + i, "h", "clerk");
            }
            accounts.create("alice", "h", "clerk");
            List<String> others = List.of("enable", "password", "sign-out");
            for (int round = 0; round < 24; round++) {
                String other = others.get(round % others.size());
                String family = "f" + round;
                atOnce(
                        two,
                        "a disable racing " + other + ", round " + round,
                        () -> accounts.setDisabled("alice", true),
                        () -> switch (other) {
                            case "enable" -> accounts.setDisabled("alice", false);
                            case "password" -> accounts.updatePassword("alice", "h2");
                            default -> accounts.revokeRefreshFamily("alice", family);
                        });
                accounts.setDisabled("alice", false);
            }
        } finally {
            two.shutdownNow();
        }
    }

    /** Runs {@code a} and {@code b} at once on the two threads of {@code two}; each must end without an exception. */
    private static void atOnce(ExecutorService two, String what, Callable<Object> a, Callable<Object> b)
            throws InterruptedException, ExecutionException {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Object>> both = new ArrayList<>();
        for (Callable<Object> task : List.of(a, b)) {
            both.add(two.submit(() -> {
                start.await();
                return task.call();
            }));
        }
        for (Future<Object> f : both) {
            assertThat(f.get()).as(what).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void setDisabled_disablingReplacesTheHashUnderTheSameLock_enablingKeepsIt(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            AccountStore accounts = db.storage().accounts();
            accounts.create("root", "h", "admin");
            accounts.create("bob", "hash-of-bob", "clerk");

            assertThat(accounts.setDisabled("bob", true, h -> h + "$mark"))
                    .hasValueSatisfying(a -> assertThat(a.passwordHash()).isEqualTo("hash-of-bob$mark"));
            assertThat(accounts.find("bob").orElseThrow().passwordHash()).isEqualTo("hash-of-bob$mark");

            assertThat(accounts.setDisabled("bob", false, h -> h + "$again"))
                    .hasValueSatisfying(a -> assertThat(a.passwordHash()).isEqualTo("hash-of-bob$mark"));
            assertThat(accounts.find("bob").orElseThrow().passwordHash()).isEqualTo("hash-of-bob$mark");
            assertThat(accounts.find("bob").orElseThrow().disabled()).isFalse();

            assertThatThrownBy(() -> accounts.setDisabled("root", true, h -> h + "$lost"))
                    .isInstanceOf(LastAdminException.class);
            assertThat(accounts.find("root").orElseThrow().passwordHash()).isEqualTo("h");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, mode = MATCH_NONE, names = DatabaseKind.COMMIT_VARIANTS)
    void upgrade_accountsMadeBeforeV6StayEnabledAndGetRefreshTokens(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.upgraded(
                kind,
                "3",
                "INSERT INTO accounts (username, password_hash, role, created_at) VALUES ('old', 'h', 'admin', CURRENT_TIMESTAMP)")) {
            AccountStore accounts = db.storage().accounts();
            Account old = accounts.find("old").orElseThrow();
            assertThat(old.disabled()).isFalse();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            accounts.addRefreshToken(new RefreshToken("t1", "f1", old.id(), now.plusSeconds(60)), "h");
            assertThat(accounts.rotateRefreshToken(
                            "t1", old.id(), new RefreshToken("t2", "f1", old.id(), now.plusSeconds(60)), now, RESEND))
                    .isEqualTo(Rotation.ROTATED);
            assertThatThrownBy(() -> accounts.setDisabled("old", true)).isInstanceOf(LastAdminException.class);
        }
    }
}
