package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import rw.intake.validation.ValidatedRecord;

/**
 * PostgreSQL commits into partitions of their own (every commit here, as {@code POSTGRESQL_PARTITIONS}): where the rows
 * land, what a failed commit leaves, what a stopped process leaves, and what readers and plain commits see meanwhile.
 * The rest of the store's behaviour on this path is {@link UserStoreTest}'s, run for that kind too.
 */
final class PartitionCommitTest {

    private static final String LOAD_TABLES =
            "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r'"
                    + " AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())";
    private static final String DETACHED = LOAD_TABLES + " AND NOT relispartition";

    @Test
    void commit_landsInAPartitionOfItsOwn_readAsAnyOther() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> first = Records.validRange(1, 3000);
            List<ValidatedRecord> second = new ArrayList<>(Records.validRange(2501, 1000));
            second.add(Records.invalid(5000, "bad", null));

            users.commit(Records.request("u1", "alice", CommitMode.ALL, first), first);
            CommitResult result = users.commit(Records.request("u2", "bob", CommitMode.ALL, second), second);

            assertThat(result.conflicts()).isEqualTo(500);
            assertThat(db.queryLong(LOAD_TABLES)).isEqualTo(2);
            assertThat(db.queryLong(DETACHED)).isZero();
            long seq = db.queryLong("SELECT seq FROM uploads WHERE id = 'u2'");
            assertThat(db.queryLong("SELECT COUNT(*) FROM users_u" + seq)).isEqualTo(1001);
            assertThat(db.queryLong("SELECT COUNT(*) FROM users_shared")).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(3500);
            assertThat(users.users(new UserQuery(1, 10, null, false, "bob")).totalItems())
                    .isEqualTo(501);
            assertThat(users.users(new UserQuery(7, 500, null, null, null)).items())
                    .extracting(CommittedUser::uploadId)
                    .hasSize(500)
                    .containsOnly("u2");
            assertThat(users.users(new UserQuery(9, 500, null, null, null)).items())
                    .extracting(CommittedUser::row)
                    .containsExactly(5000);
            // A row written by hand goes to the shared partition, and its NID is registered by the trigger.
            db.execute(Records.insertByHand("u1", 9000, Records.nid(9000), true));
            assertThat(db.queryLong("SELECT COUNT(*) FROM users_shared")).isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids WHERE nid = " + Records.nid(9000)))
                    .isEqualTo(1);
        }
    }

    @Test
    void truncateOfOnePartition_freesItsNidsOnly() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> first = Records.validRange(1, 100);
            List<ValidatedRecord> second = Records.validRange(101, 50);
            users.commit(Records.request("u1", "alice", CommitMode.ALL, first), first);
            users.commit(Records.request("u2", "alice", CommitMode.ALL, second), second);
            db.execute(Records.insertByHand("by-hand", 2, Records.nid(500), true));

            db.execute("TRUNCATE users_u" + db.queryLong("SELECT seq FROM uploads WHERE id = 'u1'"));
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(51);
            assertThat(db.queryLong("SELECT MIN(nid) FROM registered_nids"))
                    .isEqualTo(Long.parseLong(Records.nid(101)));
            db.execute("TRUNCATE users_shared");
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(50);
            // A table never attached (a stopped commit's) registered nothing: truncating it frees nothing.
            db.execute("CREATE TABLE users_u950 (LIKE users INCLUDING DEFAULTS)");
            db.execute("CREATE TRIGGER users_u950_truncate BEFORE TRUNCATE ON users_u950 FOR EACH STATEMENT"
                    + " EXECUTE FUNCTION users_partition_truncated()");
            db.execute(
                    Records.insertByHand("u2", 2, Records.nid(101), true).replace("INTO users ", "INTO users_u950 "));
            db.execute("TRUNCATE users_u950");
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(50);
            db.execute("TRUNCATE users");
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isZero();
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails the test
    void copyRefusedByTheServer_failsTheCommit_andLeavesNothing() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            // registered_nid is VARCHAR(16): the server refuses the row when it reads it, and says so at the COPY's
            // end.
            List<ValidatedRecord> records =
                    List.of(Records.valid(2, Records.nid(1)), Records.valid(3, Records.nid(2) + "7"));

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("character varying(16)");

            assertThat(db.queryLong(LOAD_TABLES)).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isZero();
            List<ValidatedRecord> good = Records.validRange(1, 2);
            assertThat(users.commit(Records.request("u1", "alice", CommitMode.ALL, good), good)
                            .committed())
                    .isEqualTo(2);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails the test
    void interruptedCommit_stopsItsLoadingThreads_andLeavesNothing() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 2500);
            // The commit's thread is interrupted (a shutdown, a cancelled request) while it hands rows to the copies.
            Iterable<ValidatedRecord> interrupted =
                    Records.actingAt(records, 2200, () -> Thread.currentThread().interrupt());

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), interrupted))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("the commit was interrupted");
            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();

            assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith("intake-users_u"));
            assertThat(db.queryLong(LOAD_TABLES)).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM uploads")).isZero();
            assertThat(users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records)
                            .committed())
                    .isEqualTo(2500);
        }
    }

    @Test
    void upgradeToPartitions_idsGoOnFromWhereTheIdentityStopped() {
        try (TestDatabase db = TestDatabase.upgraded(
                DatabaseKind.POSTGRESQL_PARTITIONS,
                "3",
                Records.insertByHand("old", 2, Records.nid(1), true),
                Records.insertByHand("old", 3, Records.nid(2), true),
                Records.insertByHand("old", 4, Records.nid(3), true),
                "DELETE FROM users WHERE \"row_number\" = 4")) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(10, 2);

            users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            assertThat(db.queryLong("SELECT MIN(id) FROM users WHERE upload_id = 'u1'"))
                    .isEqualTo(4);
            db.execute(Records.insertByHand("by-hand", 9, Records.nid(20), true)
                    .replace("INTO users ", "INTO users_shared "));
            assertThat(db.queryLong("SELECT id FROM users WHERE upload_id = 'by-hand'"))
                    .isEqualTo(6);
        }
    }

    @Test
    void poolOfThree_commitsIntoTheSharedPartition() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS);
                Storage small = Storage.builder(new DatabaseConfig(db.config().jdbcUrl(), "", "", 3))
                        .chunkRecords(1000)
                        .partitionMinRecords(1)
                        .open()) {
            List<ValidatedRecord> records = Records.validRange(1, 10);

            small.users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            assertThat(db.queryLong(LOAD_TABLES)).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM users_shared")).isEqualTo(10);
        }
    }

    @Test
    void failedCommit_leavesNoTable_andNothingRegistered() {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 2500);
            Iterable<ValidatedRecord> failing = Records.failingAt(records, 2200);
            List<ValidatedRecord> rowTwice =
                    List.of(Records.valid(2, Records.nid(1)), Records.valid(2, Records.nid(2)));

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), failing))
                    .hasMessage("staged upload released");
            assertThatThrownBy(() -> users.commit(Records.request("u2", "alice", CommitMode.ALL, rowTwice), rowTwice))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("users_u");

            assertThat(db.queryLong(LOAD_TABLES)).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM uploads")).isZero();
        }
    }

    /**
     * An attach that cannot lock what it needs within its lock timeout (here the test holds {@code users} as another
     * instance's attach would; a {@code pg_dump} that listed the new table holds that one until it ends) does not wait
     * for the network timeout: the commit goes into the shared partition, whole, and the table is dropped.
     */
    @Test
    void attachHeldUp_theCommitGoesIntoTheSharedPartition() throws Exception {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS);
                Connection held = DriverManager.getConnection(db.config().jdbcUrl());
                Statement s = held.createStatement()) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 3000);
            held.setAutoCommit(false);
            s.execute("LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE");

            CommitResult result = users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            assertThat(result.committed()).isEqualTo(3000);
            held.rollback();
            assertThat(db.queryLong("SELECT COUNT(*) FROM users_shared")).isEqualTo(3000);
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(3000);
            assertThat(db.queryLong(LOAD_TABLES)).isZero();
        }
    }

    @Test
    void start_dropsTablesOfStoppedCommits_notThoseOfRunningOnes() throws Exception {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS);
                Connection running = DriverManager.getConnection(db.config().jdbcUrl());
                Statement s = running.createStatement()) {
            db.execute("CREATE TABLE users_u901 (LIKE users INCLUDING DEFAULTS)");
            db.execute("CREATE TABLE users_u902 (LIKE users INCLUDING DEFAULTS)");
            db.execute("CREATE TABLE users_unrelated (id BIGINT)");
            // A commit of another process, loading users_u902: it holds the advisory lock of its seq.
            s.execute("SELECT pg_advisory_lock(hashtext('intake ' || current_schema()), 902)");

            try (Storage another = db.openAnother()) {
                assertThat(another.dialect()).isEqualTo("postgresql");
            }

            assertThat(db.queryLong(DETACHED + " AND relname = 'users_u901'")).isZero();
            assertThat(db.queryLong(DETACHED + " AND relname = 'users_u902'")).isEqualTo(1);
            assertThat(db.queryLong(LOAD_TABLES + " AND relname = 'users_unrelated'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void readersSeeAllOfAnUploadOrNothing_whileItIsLoadedAndAttached() throws Exception {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 20_000);
            CompletableFuture<CommitResult> commit = CompletableFuture.supplyAsync(
                    () -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records));
            Set<Long> seen = new HashSet<>();
            while (!commit.isDone()) {
                // The NIDs and the rows are published by one transaction: a NID seen registered, the rows follow.
                boolean registered =
                        !users.registeredAmong(List.of(Records.nid(19_999))).isEmpty();
                long rows = users.users(new UserQuery(1, 1, null, null, null)).totalItems();
                seen.add(rows);
                if (registered) {
                    assertThat(rows).isEqualTo(20_000);
                }
            }
            seen.add(users.users(new UserQuery(1, 1, null, null, null)).totalItems());

            assertThat(commit.get().committed()).isEqualTo(20_000);
            assertThat(seen).isSubsetOf(0L, 20_000L).contains(20_000L);
        }
    }

    @Test
    void partitionCommitAndPlainCommit_concurrently_registerEachNidOnce() throws Exception {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS);
                Storage plain = Storage.builder(db.config())
                        .chunkRecords(1000)
                        .partitionMinRecords(0)
                        .open()) {
            List<ValidatedRecord> a = Records.validRange(0, 6000);
            List<ValidatedRecord> b = new ArrayList<>(Records.validRange(3000, 6000));
            java.util.Collections.reverse(b);
            CyclicBarrier start = new CyclicBarrier(2);
            ConcurrentLinkedQueue<CommitResult> results = new ConcurrentLinkedQueue<>();
            CompletableFuture<Void> fa =
                    CompletableFuture.runAsync(() -> results.add(commitAfter(start, db.storage(), "ua", a)));
            CompletableFuture<Void> fb =
                    CompletableFuture.runAsync(() -> results.add(commitAfter(start, plain, "ub", b)));
            CompletableFuture.allOf(fa, fb).get();

            assertThat(results).extracting(CommitResult::committed).containsOnly(6000L);
            assertThat(results.stream().mapToLong(CommitResult::conflicts).sum())
                    .isEqualTo(3000);
            assertThat(db.queryLong("SELECT COUNT(*) FROM users WHERE valid")).isEqualTo(9000);
            assertThat(db.queryLong("SELECT COUNT(DISTINCT nid) FROM users WHERE valid"))
                    .isEqualTo(9000);
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isEqualTo(9000);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails the test
    void commitWhoseConnectionsAreCut_failsUnavailable_andItsTableIsDroppedOnceTheDatabaseAnswers() {
        String name = "intake-cut-" + System.nanoTime();
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL_PARTITIONS);
                Storage storage = Storage.builder(
                                new DatabaseConfig(db.config().jdbcUrl() + "&ApplicationName=" + name, "", "", 8))
                        .chunkRecords(1000)
                        .partitionMinRecords(1)
                        .open()) {
            List<ValidatedRecord> records = Records.validRange(1, 2500);
            // The server ends every connection of this pool mid-commit, as when it is restarted: the table cannot be
            // dropped by the failing commit, whose connections are gone.
            Iterable<ValidatedRecord> cut = Records.actingAt(
                    records,
                    2200,
                    () -> db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                            + name + "'"));

            assertThatThrownBy(
                            () -> storage.users().commit(Records.request("u1", "alice", CommitMode.ALL, records), cut))
                    .satisfies(e -> assertThat(Storage.isUnavailable(e))
                            .as("unavailable: %s", e)
                            .isTrue());
            assertThat(db.queryLong(DETACHED)).isEqualTo(1);

            storage.ping();

            assertThat(db.queryLong(LOAD_TABLES)).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids")).isZero();
            assertThat(storage.users()
                            .commit(Records.request("u1", "alice", CommitMode.ALL, records), records)
                            .committed())
                    .isEqualTo(2500);
            assertThat(db.queryLong(LOAD_TABLES)).isEqualTo(1);
        }
    }

    private static CommitResult commitAfter(
            CyclicBarrier start, Storage storage, String id, List<ValidatedRecord> records) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return storage.users().commit(Records.request(id, "alice", CommitMode.ALL, records), records);
    }
}
