package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

final class UserStoreTest {

    private static final Violation CONFLICT = Violation.of(
            Field.NID, "nid.already_registered", Severity.ERROR, "A valid record with this NID is already registered");

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_allRecordsReadBackRowForRow(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = List.of(
                    Records.valid(2, Records.nid(1)),
                    Records.invalid(3, Records.nid(1), 2),
                    Records.validWithWarning(4, Records.nid(2)));

            CommitResult result = users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            assertThat(result).isEqualTo(new CommitResult("u1", 3, 0, 0, result.committedAt()));
            assertThat(users.isCommitted("u1")).isTrue();
            assertThat(users.isCommitted("u2")).isFalse();
            Page<CommittedUser> page = users.users(new UserQuery(1, 10, null, null, null));
            assertThat(page.totalItems()).isEqualTo(3);
            List<CommittedUser> items = page.items();
            CommittedUser first = items.get(0);
            assertThat(first)
                    .isEqualTo(new CommittedUser(
                            first.id(),
                            "u1",
                            2,
                            "Jane Doe",
                            Records.nid(1),
                            "+250788123456",
                            "F",
                            "Jane@example.com",
                            true,
                            true,
                            true,
                            true,
                            true,
                            true,
                            List.of(),
                            result.committedAt()));
            CommittedUser second = items.get(1);
            assertThat(second)
                    .isEqualTo(new CommittedUser(
                            second.id(),
                            "u1",
                            3,
                            "John \"Q\" Doe",
                            Records.nid(1),
                            "12345",
                            "M",
                            "john@example.com",
                            false,
                            false,
                            false,
                            true,
                            true,
                            true,
                            records.get(1).violations(),
                            result.committedAt()));
            assertThat(second.errors().get(0).relatedRow()).isEqualTo(2);
            CommittedUser third = items.get(2);
            assertThat(third.valid()).isTrue();
            assertThat(third.errors())
                    .containsExactly(
                            Violation.of(Field.NID, "nid.numeric_cell", Severity.WARNING, "The cell held a number"));
        }
    }

    /**
     * A NID another commit registered since validation: the valid record that has it, an invalid one (another fault)
     * whose NID is well formed, and a later row with the same NID ({@code nid.duplicate}) all become
     * {@code nid.already_registered} conflicts, as a fresh validation would find them.
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_nidRegisteredSinceValidation_validAndInvalidRecordsConflict(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> first = List.of(Records.valid(2, Records.nid(1)), Records.valid(3, Records.nid(2)));
            users.commit(Records.request("u1", "alice", CommitMode.ALL, first), first);
            ValidatedRecord badGender = Records.valid(3, Records.nid(2));
            badGender = ValidatedRecord.of(
                    badGender.raw(),
                    badGender.normalized(),
                    List.of(Violation.of(Field.GENDER, "gender.invalid", Severity.ERROR, "Not a gender")));
            List<ValidatedRecord> second =
                    List.of(Records.valid(2, Records.nid(1)), badGender, Records.invalid(4, Records.nid(1), 2));

            CommitResult result = users.commit(Records.request("u2", "bob", CommitMode.ALL, second), second);

            assertThat(result.conflicts()).isEqualTo(3);
            List<CommittedUser> saved =
                    users.users(new UserQuery(1, 10, "u2", null, null)).items();
            assertThat(saved).extracting(CommittedUser::valid).containsExactly(false, false, false);
            assertThat(saved.get(0).errors()).containsExactly(CONFLICT);
            assertThat(saved.get(1).errors())
                    .extracting(Violation::code)
                    .containsExactly("nid.already_registered", "gender.invalid");
            assertThat(saved.get(2).errors())
                    .extracting(Violation::code)
                    .containsExactly("nid.duplicate", "nid.already_registered", "phone.invalid");
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_anyTextReadBackAsWritten(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            String names = "Uwase \"Émilie\", Ngabo\n\t\\ 日本 \uD83D\uDE42 a\u0000b";
            rw.intake.validation.RawRecord raw = rw.intake.validation.RawRecord.of(2, names, "", "", "", "");
            ValidatedRecord record = ValidatedRecord.of(
                    raw,
                    new rw.intake.validation.Normalized(names, null, null, null, null),
                    List.of(Violation.of(Field.NID, "nid.missing", Severity.ERROR, names)));

            users.commit(Records.request("u1", "alice", CommitMode.ALL, List.of(record)), List.of(record));

            // PostgreSQL text cannot hold NUL: COPY and batches write U+2400 for it there; H2 and MariaDB keep it.
            String expected = kind.dialect().equals("postgresql") ? names.replace('\u0000', '\u2400') : names;
            CommittedUser user =
                    users.users(new UserQuery(1, 10, "u1", null, null)).items().get(0);
            assertThat(user.names()).isEqualTo(expected);
            assertThat(user.nid()).isEmpty();
            assertThat(user.errors()).extracting(Violation::message).containsExactly(names);
        }
    }

    /**
     * A NUL in a file or sheet name (a raw upload's {@code ?fileName=a%00b}) is dropped, as in the records, so that
     * PostgreSQL takes the commit; an upload id looked up with a NUL finds nothing, on every database (PostgreSQL
     * refuses such a parameter outright).
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void nulInNamesAndLookups_commitTaken_lookupsFindNothing(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(50, 2);
            CommitRequest r = Records.request("u-nul", "alice", CommitMode.ALL, records);
            users.commit(
                    new CommitRequest(
                            "u-nul", "alice", "a\u0000b.xlsx", CommitMode.ALL, r.totals(), 0, List.of(), "S\u00001"),
                    records);

            CommittedUpload upload = users.commitOf("u-nul").orElseThrow();
            assertThat(upload.fileName()).isEqualTo("a\u2400b.xlsx");
            assertThat(upload.sheet()).isEqualTo("S\u24001");
            assertThat(users.commitOf("u-nul\u0000")).isEmpty();
            assertThat(users.isCommitted("u-nul\u0000")).isFalse();
            assertThat(users.users(new UserQuery(1, 10, "u-nul\u0000", null, null))
                            .totalItems())
                    .isZero();
            assertThat(users.users(new UserQuery(1, 10, null, true, "ali\u0000ce"))
                            .totalItems())
                    .isZero();
            assertThat(users.users(new UserQuery(1, 10, "u-nul", null, null)).totalItems())
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_validOnlySkipsInvalid(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = List.of(
                    Records.valid(2, Records.nid(1)),
                    Records.invalid(3, Records.nid(1), 2),
                    Records.valid(4, Records.nid(2)),
                    Records.invalid(5, "x", 2));

            CommitResult result = users.commit(Records.request("u1", "alice", CommitMode.VALID, records), records);

            assertThat(result).isEqualTo(new CommitResult("u1", 2, 2, 0, result.committedAt()));
            assertThat(users.users(new UserQuery(1, 10, "u1", null, null)).items())
                    .extracting(CommittedUser::row, CommittedUser::valid)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(2, true), org.assertj.core.groups.Tuple.tuple(4, true));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_secondTimeFailsAndChangesNothing(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 3);
            users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
            List<ValidatedRecord> more = Records.validRange(100, 5);

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, more), more))
                    .isInstanceOf(UploadAlreadyCommittedException.class)
                    .hasMessage("upload u1 is already committed");

            assertThat(users.users(new UserQuery(1, 50, null, null, null)).items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(1), Records.nid(2), Records.nid(3));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_nidRegisteredEarlierIsAConflict(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> earlier = Records.validRange(1, 2);
            users.commit(Records.request("u1", "alice", CommitMode.ALL, earlier), earlier);
            List<ValidatedRecord> later = List.of(
                    Records.valid(2, Records.nid(2)),
                    Records.valid(3, Records.nid(3)),
                    Records.validWithWarning(4, Records.nid(1)));

            List<Integer> conflictRows = new ArrayList<>();
            CommitResult all =
                    users.commit(Records.request("u2", "bob", CommitMode.ALL, later), later, conflictRows::add);

            assertThat(all).isEqualTo(new CommitResult("u2", 3, 0, 2, all.committedAt()));
            assertThat(conflictRows).containsExactly(2, 4);
            assertThat(BatchValidator.alreadyRegistered(later.get(2)).violations())
                    .isEqualTo(users.users(new UserQuery(1, 10, "u2", null, null))
                            .items()
                            .get(2)
                            .errors());
            List<CommittedUser> saved =
                    users.users(new UserQuery(1, 10, "u2", null, null)).items();
            assertThat(saved).extracting(CommittedUser::valid).containsExactly(false, true, false);
            assertThat(saved.get(0).nidValid()).isFalse();
            assertThat(saved.get(0).phoneValid()).isTrue();
            assertThat(saved.get(0).errors()).containsExactly(CONFLICT);
            assertThat(saved.get(2).errors())
                    .containsExactly(
                            Violation.of(Field.NID, "nid.numeric_cell", Severity.WARNING, "The cell held a number"),
                            CONFLICT);

            List<ValidatedRecord> again = List.of(Records.valid(2, Records.nid(3)), Records.valid(3, Records.nid(4)));
            conflictRows.clear();
            CommitResult valid =
                    users.commit(Records.request("u3", "bob", CommitMode.VALID, again), again, conflictRows::add);

            assertThat(valid).isEqualTo(new CommitResult("u3", 1, 1, 1, valid.committedAt()));
            assertThat(conflictRows).containsExactly(2);
            assertThat(users.users(new UserQuery(1, 10, null, true, null)).items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(1), Records.nid(2), Records.nid(3), Records.nid(4));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_concurrentCommitsRegisterEachNidOnce(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind);
                Storage other = db.openAnother()) {
            // Two uploads of 3000 records sharing 2000 NIDs, the shared ones in opposite orders.
            List<ValidatedRecord> a = Records.validRange(0, 3000);
            List<ValidatedRecord> b = new ArrayList<>(Records.validRange(1000, 3000));
            java.util.Collections.reverse(b);
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<CommitResult> fa =
                        pool.submit(commitAfter(start, db.storage().users(), "ua", a));
                Future<CommitResult> fb = pool.submit(commitAfter(start, other.users(), "ub", b));
                CommitResult ra = fa.get();
                CommitResult rb = fb.get();

                assertThat(ra.committed()).isEqualTo(3000);
                assertThat(rb.committed()).isEqualTo(3000);
                assertThat(ra.conflicts() + rb.conflicts()).isEqualTo(2000);
            } finally {
                pool.shutdown();
            }
            UserStore users = db.storage().users();
            Page<CommittedUser> valid = users.users(new UserQuery(1, 500, null, true, null));
            assertThat(valid.totalItems()).isEqualTo(4000);
            assertThat(users.users(new UserQuery(1, 500, null, false, null)).totalItems())
                    .isEqualTo(2000);
            Set<String> all = new java.util.HashSet<>();
            for (int p = 1; p <= valid.totalPages(); p++) {
                for (CommittedUser u :
                        users.users(new UserQuery(p, 500, null, true, null)).items()) {
                    assertThat(all.add(u.nid()))
                            .as("NID %s held by one valid record", u.nid())
                            .isTrue();
                }
            }
            assertThat(all).hasSize(4000);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_sameUploadConcurrentlyOnlyOnce(DatabaseKind kind) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind);
                Storage other = db.openAnother()) {
            List<ValidatedRecord> records = Records.validRange(1, 3000);
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Object> outcomes = new ArrayList<>();
            try {
                Future<CommitResult> fa =
                        pool.submit(commitAfter(start, db.storage().users(), "u1", records));
                Future<CommitResult> fb = pool.submit(commitAfter(start, other.users(), "u1", records));
                for (Future<CommitResult> f : List.of(fa, fb)) {
                    try {
                        outcomes.add(f.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        outcomes.add(e.getCause());
                    }
                }
            } finally {
                pool.shutdown();
            }

            assertThat(outcomes).filteredOn(CommitResult.class::isInstance).hasSize(1);
            assertThat(outcomes)
                    .filteredOn(UploadAlreadyCommittedException.class::isInstance)
                    .hasSize(1);
            Page<CommittedUser> saved = db.storage().users().users(new UserQuery(1, 10, "u1", null, null));
            assertThat(saved.totalItems()).isEqualTo(3000);
            assertThat(db.storage()
                            .users()
                            .users(new UserQuery(1, 10, null, false, null))
                            .totalItems())
                    .isZero();
        }
    }

    private static Callable<CommitResult> commitAfter(
            CyclicBarrier start, UserStore users, String id, List<ValidatedRecord> r) {
        return () -> {
            start.await();
            return users.commit(Records.request(id, "alice", CommitMode.ALL, r), r);
        };
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_failureHalfWayLeavesNothing(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 2500);
            Iterable<ValidatedRecord> failing = Records.failingAt(records, 2200);

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), failing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("staged upload released");

            assertThat(users.isCommitted("u1")).isFalse();
            assertThat(users.users(new UserQuery(1, 10, null, null, null)).totalItems())
                    .isZero();
            assertThat(users.registeredAmong(List.of(Records.nid(1), Records.nid(2000))))
                    .isEmpty();
            CommitResult retry = users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
            assertThat(retry.committed()).isEqualTo(2500);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_validNidTwiceInOneUploadFailsAndLeavesNothing(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            // The validator marks the second one nid.duplicate; records that break that contract are refused.
            List<ValidatedRecord> records = List.of(Records.valid(2, Records.nid(1)), Records.valid(3, Records.nid(1)));

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("commit of upload u1 lost 5 races for its NIDs");

            assertThat(users.isCommitted("u1")).isFalse();
            assertThat(users.users(new UserQuery(1, 10, null, null, null)).totalItems())
                    .isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_rowTwiceFailsWithoutRetry(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = List.of(Records.valid(2, Records.nid(1)), Records.valid(2, Records.nid(2)));

            assertThatThrownBy(() -> users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("commit of upload u1 failed: ");

            assertThat(users.isCommitted("u1")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void users_pagesAndFilters(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> alice = new ArrayList<>(Records.validRange(1, 5));
            alice.add(Records.invalid(7, "bad", 2));
            List<ValidatedRecord> bob = Records.validRange(10, 3);
            users.commit(Records.request("u-b", "bob", CommitMode.ALL, bob), bob);
            users.commit(Records.request("u-a", "alice", CommitMode.ALL, alice), alice);

            // Commit order (bob's upload first, though "u-a" < "u-b"), then sheet order.
            Page<CommittedUser> second = users.users(new UserQuery(2, 4, null, null, null));
            assertThat(second.totalItems()).isEqualTo(9);
            assertThat(second.totalPages()).isEqualTo(3);
            assertThat(second.items())
                    .extracting(u -> u.uploadId() + ":" + u.row())
                    .containsExactly("u-a:3", "u-a:4", "u-a:5", "u-a:6");
            assertThat(users.users(new UserQuery(3, 4, null, null, null)).items())
                    .extracting(u -> u.uploadId() + ":" + u.row())
                    .containsExactly("u-a:7");
            assertThat(users.users(new UserQuery(4, 4, null, null, null)).items())
                    .isEmpty();

            Page<CommittedUser> bobs = users.users(new UserQuery(1, 10, null, null, "bob"));
            assertThat(bobs.totalItems()).isEqualTo(3);
            assertThat(bobs.items()).extracting(CommittedUser::uploadId).containsOnly("u-b");
            assertThat(users.users(new UserQuery(1, 10, null, false, "alice")).items())
                    .extracting(CommittedUser::row)
                    .containsExactly(7);
            assertThat(users.users(new UserQuery(1, 10, "u-a", true, "alice")).totalItems())
                    .isEqualTo(5);
            assertThat(users.users(new UserQuery(1, 10, "u-a", null, "bob")).totalItems())
                    .isZero();
            assertThat(users.users(new UserQuery(1, 10, null, null, "carol")).totalItems())
                    .isZero();
            assertThat(users.users(new UserQuery(1, 10, "u-b", false, null)).items())
                    .isEmpty();
        }
    }

    /**
     * An owner's users over several uploads, page by page at every size: each row once, in commit order then sheet
     * order, the same rows as one page holding all (H2 once answered pages of rows from the wrong offset).
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void users_anOwnersPagesOverSeveralUploads_eachRowOnce(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> first = new ArrayList<>(Records.validRange(1, 5));
            first.add(Records.invalid(9, "bad", 2));
            List<ValidatedRecord> other = Records.validRange(30, 2);
            List<ValidatedRecord> second = Records.validRange(20, 4);
            users.commit(Records.request("u-1", "alice", CommitMode.ALL, first), first);
            users.commit(Records.request("u-x", "bob", CommitMode.ALL, other), other);
            users.commit(Records.request("u-2", "alice", CommitMode.ALL, second), second);

            for (Boolean valid : new Boolean[] {null, true}) {
                List<String> whole = users.users(new UserQuery(1, 500, null, valid, "alice")).items().stream()
                        .map(u -> u.uploadId() + ":" + u.row())
                        .toList();
                assertThat(whole).hasSize(valid == null ? 10 : 9);
                assertThat(whole.subList(0, valid == null ? 6 : 5)).allMatch(r -> r.startsWith("u-1:"));
                for (int size = 1; size <= 7; size++) {
                    List<String> paged = new ArrayList<>();
                    Page<CommittedUser> page;
                    int n = 1;
                    do {
                        page = users.users(new UserQuery(n++, size, null, valid, "alice"));
                        page.items().forEach(u -> paged.add(u.uploadId() + ":" + u.row()));
                    } while (n <= page.totalPages());
                    assertThat(page.totalItems()).isEqualTo(whole.size());
                    assertThat(paged).as("size %d, valid %s", size, valid).isEqualTo(whole);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commits_lastCommittedFirst_byOwner(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> alice = new ArrayList<>(Records.validRange(1, 5));
            alice.add(Records.invalid(7, "bad", 2));
            List<ValidatedRecord> bob = Records.validRange(10, 3);
            List<ValidatedRecord> again = Records.validRange(20, 2);
            CommitResult b = users.commit(Records.request("u-b", "bob", CommitMode.ALL, bob), bob);
            users.commit(Records.request("u-a", "alice", CommitMode.VALID, alice), alice);
            users.commit(Records.request("u-c", "bob", CommitMode.ALL, again), again);

            Page<CommittedUpload> all = users.commits(1, 2, null);
            assertThat(all.totalItems()).isEqualTo(3);
            assertThat(all.items()).extracting(CommittedUpload::uploadId).containsExactly("u-c", "u-a");
            assertThat(all.items().get(1))
                    .usingRecursiveComparison()
                    .ignoringFields("committedAt")
                    .isEqualTo(
                            new CommittedUpload("u-a", "u-a.xlsx", "alice", CommitMode.VALID, 6, 5, 1, 0, null, null));
            CommittedUpload first = users.commits(2, 2, null).items().get(0);
            assertThat(first)
                    .usingRecursiveComparison()
                    .ignoringFields("committedAt")
                    .isEqualTo(new CommittedUpload("u-b", "u-b.xlsx", "bob", CommitMode.ALL, 3, 3, 0, 0, null, null));
            assertThat(Duration.between(b.committedAt(), first.committedAt()).abs())
                    .isLessThan(Duration.ofMillis(1));
            Page<CommittedUpload> bobs = users.commits(1, 10, "bob");
            assertThat(bobs.totalItems()).isEqualTo(2);
            assertThat(bobs.items()).extracting(CommittedUpload::uploadId).containsExactly("u-c", "u-b");
            assertThat(users.commits(1, 10, "carol").items()).isEmpty();

            // the sheet a list was read from is kept (one workbook, a list a district), at most 255 characters of it
            List<ValidatedRecord> gasabo = Records.validRange(30, 1);
            CommitRequest r = Records.request("u-d", "carol", CommitMode.ALL, gasabo);
            users.commit(
                    new CommitRequest(
                            r.uploadId(), r.owner(), r.fileName(), r.mode(), r.totals(), 0, List.of(), "Gasabo"),
                    gasabo);
            List<ValidatedRecord> longer = Records.validRange(40, 1);
            String name = "\u00c9" + "s".repeat(253) + "\ud83d\ude00";
            users.commit(
                    new CommitRequest("u-e", "carol", "districts.xlsx", CommitMode.ALL, r.totals(), 0, List.of(), name),
                    longer);
            assertThat(users.commits(1, 10, "carol").items())
                    .extracting(CommittedUpload::sheet)
                    .containsExactly(name.substring(0, 254), "Gasabo");
            assertThat(users.commitOf("u-d").orElseThrow().sheet()).isEqualTo("Gasabo");
            assertThat(users.commitOf("u-a").orElseThrow().sheet()).isNull();
        }
    }

    /**
     * Times are instants whatever the JVM's zone: written by a process in one zone and read by one in another, a
     * commit's time is the same (MariaDB's DATETIME holds no zone: the driver writes and reads it in UTC).
     */
    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void committedAt_theSameInstantWhateverTheZone(DatabaseKind kind) {
        TimeZone zone = TimeZone.getDefault();
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = Records.validRange(1, 2);
            TimeZone.setDefault(TimeZone.getTimeZone("Africa/Kigali"));
            CommitResult result = users.commit(Records.request("u-z", "alice", CommitMode.ALL, records), records);

            TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));

            assertThat(users.users(new UserQuery(1, 10, "u-z", null, null)).items())
                    .extracting(CommittedUser::committedAt)
                    .containsOnly(result.committedAt());
            assertThat(users.commits(1, 10, null).items().get(0).committedAt()).isEqualTo(result.committedAt());
        } finally {
            TimeZone.setDefault(zone);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void registeredAmong_onlyValidCommittedNids(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = db.storage().users();
            List<ValidatedRecord> records = new ArrayList<>(Records.validRange(0, 2500));
            records.add(Records.invalid(3000, Records.nid(5000), 2));
            users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
            List<String> asked = new ArrayList<>();
            for (int i = 2000; i < 4500; i++) {
                asked.add(Records.nid(i));
            }
            asked.add(Records.nid(5000));
            asked.add(Records.nid(2001));

            Set<String> registered = users.registeredAmong(asked);

            assertThat(registered)
                    .hasSize(500)
                    .isEqualTo(asked.stream()
                            .filter(n -> n.compareTo(Records.nid(2500)) < 0)
                            .collect(Collectors.toSet()));
            assertThat(users.registeredAmong(List.of())).isEmpty();
        }
    }

    /**
     * More NIDs than one statement's array takes on H2 (a bulk edit of a large upload asks about all of them). Asked
     * by an array on H2 and PostgreSQL only (whatever the way of writing; MariaDB's IN lists are 1,000 NIDs each).
     */
    @ParameterizedTest
    @EnumSource(
            value = DatabaseKind.class,
            names = {"H2", "POSTGRESQL"})
    void registeredAmong_moreNidsThanOneArrayHolds(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = committedValid(db, 70_000);
            List<String> asked = nids(139_999, 0);

            Set<String> registered = users.registeredAmong(asked);

            assertThat(registered).hasSize(70_000);
            assertThat(asked).allMatch(nid -> registered.contains(nid) == (nid.compareTo(Records.nid(70_000)) < 0));
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void registeredAmong_answersTheNidsAsAskedWhateverTheirOrderAndForm(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.fresh(kind)) {
            UserStore users = committedValid(db, 1200);
            List<String> asked = nids(1500, 900);
            asked.add(Records.nid(1000));
            String registered = Records.nid(1000);
            asked.addAll(
                    List.of("", "not a nid", registered + " ", registered.substring(1), "0" + registered.substring(1)));

            Set<String> found = users.registeredAmong(asked);

            Set<String> expected = new HashSet<>();
            for (int i = 900; i < 1200; i++) {
                expected.add(Records.nid(i));
            }
            assertThat(found).hasSize(300).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(found.contains(registered)).isTrue();
            assertThat(found.contains(registered + " ")).isFalse();
            assertThat(found.contains("0" + registered.substring(1))).isFalse();
            assertThat(found.contains(Records.nid(1200))).isFalse();
        }
    }

    /** The store of {@code db} once the valid records of NIDs 0 to {@code count - 1} are committed. */
    private static UserStore committedValid(TestDatabase db, int count) {
        UserStore users = db.storage().users();
        List<ValidatedRecord> records = Records.validRange(0, count);
        users.commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
        return users;
    }

    /** NIDs {@code from} down to {@code to}, both included. */
    private static List<String> nids(int from, int to) {
        List<String> nids = new ArrayList<>();
        for (int i = from; i >= to; i--) {
            nids.add(Records.nid(i));
        }
        return nids;
    }
}
