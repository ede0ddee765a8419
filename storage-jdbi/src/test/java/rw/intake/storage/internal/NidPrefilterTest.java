package rw.intake.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.Records;
import rw.intake.storage.Storage;
import rw.intake.storage.TestDatabase;
import rw.intake.storage.UserQuery;
import rw.intake.storage.UserStore;
import rw.intake.validation.RegisteredNids;
import rw.intake.validation.ValidatedRecord;

/** The registered-NID filter in front of the look-ups: loaded, caught up with other writers, never a wrong answer. */
final class NidPrefilterTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void registeredAmong_findsNidsCommittedBeforeOpenByAnotherProcessAndOwn(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db.storage().users(), "before", Records.validRange(0, 50));
            try (Storage other = db.openAnother()) {
                UserStore mine = loaded(other);
                UserStore theirs = loaded(db.storage());

                assertThat(mine.registeredAmong(nids(0, 1100))).isEqualTo(Set.copyOf(nids(0, 50)));

                commit(theirs, "theirs", Records.validRange(2000, 50));
                assertThat(mine.registeredAmong(nids(1950, 1000))).isEqualTo(Set.copyOf(nids(2000, 50)));

                commit(mine, "mine", Records.validRange(4000, 50));
                assertThat(mine.registeredAmong(nids(3990, 1000))).isEqualTo(Set.copyOf(nids(4000, 50)));
                assertThat(theirs.registeredAmong(nids(3990, 1000))).isEqualTo(Set.copyOf(nids(4000, 50)));
                assertThat(((JdbiUserStore) mine).prefilter().ready()).isTrue();
            }
        }
    }

    /**
     * One pass (an upload's validation) catches up with other writers at its first call; its later calls see this
     * process's commits, and the database still confirms every NID the filter lets through.
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void forOnePass_caughtUpAtItsFirstCall_ownCommitsSeen_databaseConfirms(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind);
                Storage other = db.openAnother()) {
            UserStore mine = loaded(other);
            UserStore theirs = loaded(db.storage());
            commit(theirs, "theirs-before", Records.validRange(0, 50));

            RegisteredNids pass = mine.forOnePass();
            assertThat(pass.registeredAmong(nids(0, 1000))).isEqualTo(Set.copyOf(nids(0, 50)));

            commit(mine, "mine", Records.validRange(2000, 50));
            assertThat(pass.registeredAmong(nids(1990, 1000))).isEqualTo(Set.copyOf(nids(2000, 50)));
            db.execute("DELETE FROM users WHERE registered_nid = '" + Records.nid(3) + "'");
            assertThat(pass.registeredAmong(nids(0, 10))).hasSize(9).doesNotContain(Records.nid(3));

            commit(theirs, "theirs-after", Records.validRange(4000, 50));
            assertThat(mine.forOnePass().registeredAmong(nids(3990, 1000))).isEqualTo(Set.copyOf(nids(4000, 50)));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void registeredAmong_rowDeletedByHandIsNotRegistered(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = loaded(db.storage());
            commit(users, "u1", Records.validRange(0, 10));
            db.execute("DELETE FROM users WHERE registered_nid = '" + Records.nid(3) + "'");

            assertThat(users.registeredAmong(nids(0, 10))).hasSize(9).doesNotContain(Records.nid(3));
            CommitResult again = commit(users, "u2", List.of(Records.valid(2, Records.nid(3))));
            assertThat(again.conflicts()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_nidWrittenByOtherMeansIsAConflictNotAFailure(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = loaded(db.storage());
            // A row with no uploads row: the filter cannot know it, the unique index does.
            db.execute(Records.insertByHand("by-hand", 2, Records.nid(7), true));

            List<ValidatedRecord> records = Records.validRange(0, 20);
            CommitResult result = commit(users, "u1", records);

            assertThat(result.committed()).isEqualTo(20);
            assertThat(result.conflicts()).isEqualTo(1);
            // The NID field has an error now, so its cell text is saved (as for every invalid field).
            assertThat(users.users(new UserQuery(1, 50, "u1", false, null)).items())
                    .singleElement()
                    .satisfies(u -> assertThat(u.nid())
                            .isEqualTo(records.get(7).raw().nid().strip()));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void falsePositiveIsHarmless(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = loaded(db.storage());
            ((JdbiUserStore) users).prefilter().addForTest(Records.nid(5));

            assertThat(users.registeredAmong(nids(0, 10))).isEmpty();
            CommitResult result = commit(users, "u1", Records.validRange(0, 10));
            assertThat(result.conflicts()).isZero();
            assertThat(users.registeredAmong(nids(0, 10))).hasSize(10);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_racingAnotherStoreRegistersEachNidOnce(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind);
                Storage other = db.openAnother()) {
            UserStore first = loaded(db.storage());
            UserStore second = loaded(other);
            List<ValidatedRecord> a = Records.validRange(0, 3000);
            List<ValidatedRecord> b = Records.validRange(1000, 3000);
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<CommitResult> fa = pool.submit(() -> {
                    start.await();
                    return commit(first, "ua", a);
                });
                Future<CommitResult> fb = pool.submit(() -> {
                    start.await();
                    return commit(second, "ub", b);
                });
                assertThat(fa.get().conflicts() + fb.get().conflicts()).isEqualTo(2000);
            } finally {
                pool.shutdown();
            }
            assertThat(first.users(new UserQuery(1, 10, null, true, null)).totalItems())
                    .isEqualTo(4000);
            assertThat(first.registeredAmong(nids(0, 5000))).hasSize(4000);
            assertThat(second.registeredAmong(nids(0, 5000))).hasSize(4000);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = DatabaseKind.class,
            names = {"H2", "POSTGRESQL", "MARIADB"})
    void filterFullIsRebuiltLarger(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db.storage().users(), "u1", Records.validRange(0, 1000));
            Jdbi jdbi = kind == DatabaseKind.H2
                    ? Jdbi.create(db.config().jdbcUrl(), "sa", "")
                    : Jdbi.create(db.config().jdbcUrl());
            try (NidPrefilter filter = new NidPrefilter(jdbi, 100)) {
                filter.start();
                filter.awaitLoad();
                assertThat(filter.plannedCapacity()).isEqualTo(1500);

                commit(db.storage().users(), "u2", Records.validRange(1000, 5000));
                jdbi.useHandle(h -> assertThat(filter.caughtUp(h, null).candidates(nids(0, 6000)))
                        .hasSize(6000));
                filter.awaitLoad();

                assertThat(filter.plannedCapacity()).isGreaterThanOrEqualTo(9000);
                jdbi.useHandle(h -> assertThat(filter.caughtUp(h, null).candidates(nids(0, 6000)))
                        .hasSize(6000));
            }
        }
    }

    @Test
    void bloomHasNoFalseNegativesAndFewFalsePositives() {
        NidBloom bloom = new NidBloom(200_000);
        for (int i = 0; i < 200_000; i++) {
            bloom.add(NidBloom.key(Records.nid(2 * i)));
        }
        int positives = 0;
        for (int i = 0; i < 200_000; i++) {
            assertThat(bloom.mightContain(NidBloom.key(Records.nid(2 * i)))).isTrue();
            positives += bloom.mightContain(NidBloom.key(Records.nid(2 * i + 1))) ? 1 : 0;
        }
        // At capacity, about 1 % (measured 1.05 %); a NID that is not 16 digits hashes.
        assertThat(positives).isLessThan(3000);
        assertThat(bloom.keys()).isBetween(198_000L, 200_000L); // an add that was a false positive sets no bit
        assertThat(NidBloom.key("abc")).isNotEqualTo(NidBloom.key("abd"));
        assertThat(NidBloom.number("1199080012345678"))
                .isEqualTo(1199080012345678L)
                .isEqualTo(NidBloom.key("1199080012345678"));
        assertThat(NidBloom.number("119908001234567x")).isEqualTo(-1);
        assertThat(NidBloom.number("11990800123456789")).isEqualTo(-1);
    }

    /**
     * With no filter loaded, the database is asked about every NID, in one statement however many: none registered
     * (PostgreSQL answers one NULL array), some, and every one of them asked twice over in any order (a list sent again).
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void lookUp_withoutTheFilter_noneSomeOrEveryNidRegistered(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            commit(db.storage().users(), "u1", Records.validRange(0, 3000));
            Jdbi jdbi = Jdbis.of(db.storage());
            try (NidPrefilter notLoaded = new NidPrefilter(jdbi)) {
                RegisteredNidLookup lookup =
                        new RegisteredNidLookup(jdbi, Dialect.of(db.config().jdbcUrl()), notLoaded, 1000);

                assertThat(lookup.registeredAmong(nids(5000, 1000))).isEmpty();
                assertThat(lookup.registeredAmong(nids(2500, 1000))).isEqualTo(Set.copyOf(nids(2500, 500)));
                List<String> again = new ArrayList<>(nids(0, 3000));
                Collections.reverse(again);
                again.addAll(nids(1000, 2000));
                Set<String> all = lookup.registeredAmong(again);
                assertThat(all).hasSize(3000).containsExactlyInAnyOrderElementsOf(nids(0, 3000));
                assertThat(all.contains(Records.nid(3000))).isFalse();
                assertThat(notLoaded.ready()).isFalse();
            }
        }
    }

    private static UserStore loaded(Storage storage) throws InterruptedException {
        assertThat(Prefilters.await(storage)).isTrue();
        return storage.users();
    }

    private static CommitResult commit(UserStore users, String uploadId, List<ValidatedRecord> records) {
        return users.commit(Records.request(uploadId, "alice", CommitMode.ALL, records), records);
    }

    private static List<String> nids(int first, int count) {
        List<String> nids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nids.add(Records.nid(first + i));
        }
        return nids;
    }
}
