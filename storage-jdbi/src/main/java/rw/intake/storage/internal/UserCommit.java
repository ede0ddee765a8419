package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.RecordEdit;
import rw.intake.storage.StorageException;
import rw.intake.storage.UploadAlreadyCommittedException;
import rw.intake.storage.UploadTotals;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * Commits in one transaction: look up which of the records' NIDs are registered already ({@link RegisteredNidLookup}),
 * then insert the records (one COPY on PostgreSQL, batches elsewhere), those found turned into conflicts
 * ({@code nid.already_registered}, invalid records too, as a validation after the other commit would have found). A unique key
 * is the guarantee: {@code users.registered_nid} on MariaDB, {@code registered_nids.nid} on PostgreSQL and H2 (written
 * last, sorted, by the writer; see PostgreSQL's V2 and H2's V4 migrations). A commit that loses a race for a NID
 * against a concurrent commit fails on it, rolls back and starts again, then asking the database about every NID.
 * Otherwise look-ups ask only about the NIDs that the {@link NidPrefilter} cannot rule out.
 *
 * <p>On PostgreSQL a large upload (from {@code partitionFrom} records) is written into a table of its own through two
 * connections and published as a partition of {@code users} by a short transaction ({@link PartitionLoad}); the
 * guarantees are the same, the transaction that makes any of it visible being the one that registers its NIDs.
 *
 * <p>Each phase is a {@link CommitPhase}: a JFR event and a DEBUG line.
 */
final class UserCommit {

    /** Attempts of a commit that lost a race for a NID (or a deadlock) before giving up. */
    static final int MAX_ATTEMPTS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(UserCommit.class);

    private static final String INSERT_UPLOAD = """
        INSERT INTO uploads (id, owner, file_name, sheet, records, valid_records, invalid_records, with_warnings,
                             blank_rows, commit_mode, committed, skipped, conflicts, committed_at<seqColumn>)
        VALUES (:id, :owner, :fileName, :sheet, :records, :valid, :invalid, :withWarnings, :blankRows,
                :mode, 0, 0, 0, :committedAt<seqValue>)""";
    /** PostgreSQL: the next {@code uploads.seq}, taken before the commit's transaction when the upload gets a partition. */
    private static final String NEXT_UPLOAD_SEQ = """
        SELECT nextval(pg_get_serial_sequence('uploads', 'seq'))""";

    private static final String H2_COMMIT_LOCK = """
        SELECT id FROM commit_lock WHERE id = 1 FOR UPDATE""";
    private static final String UPDATE_UPLOAD = """
        UPDATE uploads SET committed = :committed, skipped = :skipped, conflicts = :conflicts WHERE id = :id""";
    private static final String INSERT_EDIT = """
        INSERT INTO record_edits (upload_id, "row_number", field, old_value, new_value, account, edited_at)
        VALUES (:uploadId, :row, :field, :oldValue, :newValue, :account, :at)""";

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final UserWriter writer;
    private final int chunkSize;
    private final NidPrefilter prefilter;
    private final RegisteredNidLookup lookup;
    /** On H2, commits through this store wait here rather than on the commit_lock row, whose wait times out. */
    private final Lock h2Commits;
    /** Rows from which a commit goes into a partition of its own (PostgreSQL, {@link PartitionLoad}); 0 for never. */
    private final long partitionFrom;
    /** Commits into partitions of their own, one at a time: each takes two connections and both cores. */
    private final Semaphore partitionCommits = new Semaphore(1, true);
    /** Set when a failed commit could not drop its table (the database had gone away): {@link #sweepLeftTables}. */
    private final AtomicBoolean tablesLeft = new AtomicBoolean();

    UserCommit(
            Jdbi jdbi,
            Dialect dialect,
            UserWriter writer,
            int chunkSize,
            long partitionFrom,
            NidPrefilter prefilter,
            RegisteredNidLookup lookup) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.writer = writer;
        this.chunkSize = chunkSize;
        this.partitionFrom = partitionFrom;
        this.prefilter = prefilter;
        this.lookup = lookup;
        this.h2Commits = dialect == Dialect.H2 ? new ReentrantLock() : null;
    }

    /** Drops what unfinished commits of a stopped process left (PostgreSQL). */
    void dropOrphans() {
        if (dialect == Dialect.POSTGRESQL) {
            try {
                PartitionLoad.dropOrphans(jdbi);
            } catch (JdbiException e) {
                LOG.warn(
                        "could not look for the tables of unfinished commits; the next start tries again: {}",
                        e.getMessage());
            }
        }
    }

    /**
     * Drops the tables that failed commits of this process could not drop at once, if there are any (PostgreSQL):
     * called before each commit into a partition and by {@link JdbiStorage#ping}, so they go soon after the database
     * is back. If the database is still away, they stay marked.
     */
    void sweepLeftTables() {
        if (tablesLeft.getAndSet(false)) {
            try {
                PartitionLoad.dropOrphans(jdbi);
            } catch (JdbiException e) {
                tablesLeft.set(true);
                throw e;
            }
        }
    }

    /** {@link rw.intake.storage.UserStore#commit(CommitRequest, Iterable, IntConsumer)}. */
    CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records, IntConsumer conflictRows) {
        if (request.uploadId().isEmpty() || request.uploadId().length() > 64) {
            throw new IllegalArgumentException("uploadId must have 1 to 64 characters: " + request.uploadId());
        }
        Exception lastRace = null;
        boolean bypass = false;
        boolean partition = ownPartition(request);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (h2Commits != null) {
                h2Commits.lock();
            }
            try {
                Counts counts = new Counts(bypass);
                CommitResult result;
                if (partition) {
                    result = commitInPartition(request, records, counts);
                } else {
                    result = jdbi.inTransaction(
                            TransactionIsolationLevel.READ_COMMITTED, h -> commitOnce(h, request, records, counts));
                    counts.committing.end(result.committed());
                }
                prefilter.committed(request.uploadId(), counts.keys, counts.keyCount);
                for (int i = 0; i < counts.conflictCount; i++) {
                    conflictRows.accept(counts.conflictRows[i]);
                }
                return result;
            } catch (JdbiException | SQLException e) {
                SQLException sql = Dialect.sqlCause(e);
                if (sql == null || !(dialect.isNidRace(sql) || dialect.isTransient(sql))) {
                    throw new StorageException(
                            "commit of upload " + request.uploadId() + " failed: " + e.getMessage(), e);
                }
                lastRace = e;
                if (partition && PartitionLoad.isLockTimeout(sql)) {
                    // its table held by a reader that listed it (pg_dump) until that reader ends: the shared partition
                    partition = false;
                    LOG.warn(
                            "upload {}: its partition's table could not be locked within {} (a pg_dump running?): the"
                                    + " commit goes into the shared partition instead",
                            request.uploadId(),
                            PartitionLoad.ATTACH_LOCK_TIMEOUT);
                }
                // A NID the filter did not know (written by other means, or just now by another process): ask about
                // all.
                bypass |= dialect.isNidRace(sql);
            } finally {
                if (h2Commits != null) {
                    h2Commits.unlock();
                }
            }
        }
        throw new StorageException(
                "commit of upload " + request.uploadId() + " lost " + MAX_ATTEMPTS
                        + " races for its NIDs against concurrent commits (or holds a valid NID twice)",
                lastRace);
    }

    /** {@link rw.intake.storage.UserStore#rehearse}: {@link #commitOnce}, then a rollback; never a partition. */
    long rehearse(CommitRequest request, Iterable<ValidatedRecord> records) {
        if (h2Commits != null) {
            h2Commits.lock();
        }
        try {
            jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
                CommitResult result = commitOnce(h, request, records, new Counts(false));
                throw new Rehearsed(result.committed());
            });
            throw new IllegalStateException("a rehearsed commit was not rolled back");
        } catch (Rehearsed r) {
            return r.committed;
        } catch (JdbiException | SQLException e) {
            throw new StorageException("rehearsal of a commit failed: " + e.getMessage(), e);
        } finally {
            if (h2Commits != null) {
                h2Commits.unlock();
            }
        }
    }

    /** Thrown out of a rehearsed commit's transaction, which rolls it back. */
    private static final class Rehearsed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final long committed;

        Rehearsed(long committed) {
            super("rehearsed commit rolled back", null, false, false);
            this.committed = committed;
        }
    }

    private CommitResult commitOnce(Handle h, CommitRequest request, Iterable<ValidatedRecord> records, Counts counts)
            throws SQLException {
        CommitPhase upload = CommitPhase.begin(request.uploadId(), "upload");
        if (dialect == Dialect.H2) {
            h.createQuery(H2_COMMIT_LOCK).mapTo(Integer.class).one();
        }
        Instant committedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (Uploads.exists(h, request.uploadId())) {
            throw new UploadAlreadyCommittedException(request.uploadId());
        }
        long uploadSeq = insertUpload(h, request, committedAt, null);
        upload.end(request.totals().records());
        CommitPhase looking = CommitPhase.begin(request.uploadId(), "lookup");
        counts.filter = counts.bypass ? null : prefilter.caughtUp(h, request.uploadId());
        BitSet registered = lookup.registeredRecords(h, records, counts.filter);
        looking.end(request.totals().records());
        try (UserWriter.Sink sink = writer.open(h, request.uploadId(), uploadSeq, committedAt)) {
            writeRows(sink, request, records, counts, (chunk, first) -> registered.get(first, first + chunk.size()));
        }
        CommitPhase edits = CommitPhase.begin(request.uploadId(), "edits");
        writeEdits(h, request);
        CommitResult result = updateUpload(h, request, counts, committedAt);
        edits.end(request.edits().size());
        counts.committing = CommitPhase.begin(request.uploadId(), "commit");
        return result;
    }

    /** Whether the commit goes into a partition of its own: a large upload, on PostgreSQL with COPY. */
    private boolean ownPartition(CommitRequest request) {
        UploadTotals t = request.totals();
        return partitionFrom > 0 && (request.mode() == CommitMode.VALID ? t.valid() : t.records()) >= partitionFrom;
    }

    /**
     * Commits into a partition of its own ({@link PartitionLoad}): the upload's seq, the look-ups and the load come
     * before the commit's transaction, which inserts the uploads row, registers the NIDs and attaches the partition.
     */
    private CommitResult commitInPartition(CommitRequest request, Iterable<ValidatedRecord> records, Counts counts)
            throws SQLException {
        try {
            partitionCommits.acquire();
        } catch (InterruptedException e) {
            throw PartitionLoad.interrupted(e);
        }
        try (Handle h = jdbi.open()) {
            sweepLeftTables();
            CommitPhase upload = CommitPhase.begin(request.uploadId(), "upload");
            Instant committedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (Uploads.exists(h, request.uploadId())) {
                throw new UploadAlreadyCommittedException(request.uploadId());
            }
            long uploadSeq = h.createQuery(NEXT_UPLOAD_SEQ).mapTo(Long.class).one();
            counts.filter = counts.bypass ? null : prefilter.caughtUp(h, null);
            upload.end(request.totals().records());
            try (PartitionLoad load = PartitionLoad.create(jdbi, h, uploadSeq, () -> tablesLeft.set(true))) {
                try (UserWriter.Sink sink = load.sink(request.uploadId(), committedAt)) {
                    writeRows(
                            sink,
                            request,
                            records,
                            counts,
                            (chunk, first) -> lookup.registeredRecords(h, chunk, counts.filter));
                }
                CommitPhase attach = CommitPhase.begin(request.uploadId(), "attach");
                CommitResult result = h.inTransaction(TransactionIsolationLevel.READ_COMMITTED, t -> {
                    insertUpload(t, request, committedAt, uploadSeq);
                    writeEdits(t, request);
                    load.attach(counts.keys, counts.keyCount);
                    CommitResult r = updateUpload(t, request, counts, committedAt);
                    attach.end(counts.keyCount);
                    counts.committing = CommitPhase.begin(request.uploadId(), "commit");
                    return r;
                });
                load.published();
                counts.committing.end(result.committed());
                return result;
            }
        } finally {
            partitionCommits.release();
        }
    }

    /**
     * Writes the rows of the records through the sink, a chunk at a time, then finishes it with the NIDs they
     * register. {@code lookup} says which records of a chunk have a registered NID: from look-ups made before the
     * first insert, or made there, chunk by chunk, when the sink's inserts run on other connections
     * ({@link PartitionLoad}).
     */
    private void writeRows(
            UserWriter.Sink sink,
            CommitRequest request,
            Iterable<ValidatedRecord> records,
            Counts counts,
            ChunkLookup lookup)
            throws SQLException {
        CommitPhase writing = CommitPhase.begin(request.uploadId(), "write");
        List<ValidatedRecord> chunk = new ArrayList<>(chunkSize);
        List<UserRow> rows = new ArrayList<>(chunkSize);
        int first = 0;
        for (ValidatedRecord r : records) {
            chunk.add(r);
            if (chunk.size() == chunkSize) {
                first = writeChunk(sink, chunk, first, request.mode(), rows, counts, lookup);
            }
        }
        writeChunk(sink, chunk, first, request.mode(), rows, counts, lookup);
        writing.end(counts.committed + counts.skipped);
        CommitPhase registering = CommitPhase.begin(request.uploadId(), "register");
        sink.finish(counts.keys, counts.keyCount);
        registering.end(counts.keyCount);
    }

    /** Writes the chunk, whose first record is at position {@code first}; returns the position after it. */
    private static int writeChunk(
            UserWriter.Sink sink,
            List<ValidatedRecord> chunk,
            int first,
            CommitMode mode,
            List<UserRow> rows,
            Counts counts,
            ChunkLookup lookup)
            throws SQLException {
        BitSet registered = lookup.registered(chunk, first);
        for (int i = 0; i < chunk.size(); i++) {
            add(chunk.get(i), registered.get(i), mode, rows, counts);
        }
        if (!rows.isEmpty()) {
            sink.write(rows);
            rows.clear();
        }
        int next = first + chunk.size();
        chunk.clear();
        return next;
    }

    /** Adds the record's row (unless skipped), a conflict if its NID is {@code registered} already. */
    private static void add(ValidatedRecord r, boolean registered, CommitMode mode, List<UserRow> rows, Counts counts) {
        ValidatedRecord record = r;
        if (registered) {
            record = BatchValidator.alreadyRegistered(r);
            counts.conflicted(r.row());
        }
        if (mode == CommitMode.VALID && !record.valid()) {
            counts.skipped++;
            return;
        }
        UserRow row = UserRow.of(record);
        rows.add(row);
        counts.committed++;
        if (row.registeredNid() != null) {
            counts.registers(NidBloom.key(row.registeredNid())); // a valid NID's key is its number
        }
    }

    /** Which records of a chunk (by position in it) have a NID registered already. */
    @FunctionalInterface
    private interface ChunkLookup {
        BitSet registered(List<ValidatedRecord> chunk, int first) throws SQLException;
    }

    /** Inserts the request's record edits (the uploads row is in already), a batch of {@link #chunkSize} at a time. */
    private void writeEdits(Handle h, CommitRequest request) {
        List<RecordEdit> edits = request.edits();
        for (int from = 0; from < edits.size(); from += chunkSize) {
            PreparedBatch batch = h.prepareBatch(INSERT_EDIT);
            for (RecordEdit e : edits.subList(from, Math.min(edits.size(), from + chunkSize))) {
                batch.bind("uploadId", request.uploadId())
                        .bind("row", e.row())
                        .bind("field", e.field())
                        .bind("oldValue", UserWriter.withoutNul(e.oldValue()))
                        .bind("newValue", UserWriter.withoutNul(e.newValue()))
                        .bind("account", e.account())
                        .bind("at", e.at().truncatedTo(ChronoUnit.MICROS))
                        .add();
            }
            batch.execute();
        }
    }

    /** Sets the uploads row's counts; the commit's result. */
    private static CommitResult updateUpload(Handle h, CommitRequest request, Counts counts, Instant committedAt) {
        long skipped = counts.skipped + request.excluded();
        h.createUpdate(UPDATE_UPLOAD)
                .bind("committed", counts.committed)
                .bind("skipped", skipped)
                .bind("conflicts", counts.conflictCount)
                .bind("id", request.uploadId())
                .execute();
        return new CommitResult(request.uploadId(), counts.committed, skipped, counts.conflictCount, committedAt);
    }

    /** Inserts the uploads row, with the given {@code seq} unless null; returns its {@code seq}. */
    private long insertUpload(Handle h, CommitRequest request, Instant committedAt, Long seq) {
        UploadTotals t = request.totals();
        try {
            Update update = h.createUpdate(INSERT_UPLOAD)
                    .define("seqColumn", seq == null ? "" : ", seq")
                    .define("seqValue", seq == null ? "" : ", :seq")
                    .bind("id", request.uploadId())
                    .bind("owner", request.owner())
                    .bind("fileName", UserWriter.withoutNul(request.fileName()))
                    .bind("sheet", UserWriter.withoutNul(request.sheet()))
                    .bind("records", t.records())
                    .bind("valid", t.valid())
                    .bind("invalid", t.invalid())
                    .bind("withWarnings", t.withWarnings())
                    .bind("blankRows", t.blankRows())
                    .bind("mode", request.mode().name().toLowerCase(Locale.ROOT))
                    .bind("committedAt", committedAt);
            if (seq != null) {
                update.bind("seq", seq.longValue());
            }
            update.execute();
        } catch (JdbiException e) {
            SQLException sql = Dialect.sqlCause(e);
            if (sql != null && dialect.isUniqueViolation(sql)) {
                // A concurrent commit of the same upload won.
                throw new UploadAlreadyCommittedException(request.uploadId());
            }
            throw e;
        }
        return seq != null ? seq : Uploads.seq(h, request.uploadId()).orElseThrow();
    }

    /** One attempt's counts, and the keys of the NIDs it registers (added to the filter once committed). */
    private static final class Counts {
        /** Ask the database about every NID (after a lost race). */
        final boolean bypass;
        /** Null when bypassed or not loaded yet. */
        NidPrefilter.Snapshot filter;
        /** The transaction's COMMIT, begun at the end of its body. */
        CommitPhase committing;

        long committed;
        long skipped;
        long[] keys = new long[1024];
        int keyCount;
        /** Rows of the records that became conflicts, in row order: the conflicts are {@code conflictCount}. */
        int[] conflictRows = new int[16];

        int conflictCount;

        Counts(boolean bypass) {
            this.bypass = bypass;
        }

        void registers(long key) {
            if (keyCount == keys.length) {
                keys = Arrays.copyOf(keys, keyCount * 2);
            }
            keys[keyCount++] = key;
        }

        void conflicted(int row) {
            if (conflictCount == conflictRows.length) {
                conflictRows = Arrays.copyOf(conflictRows, conflictCount * 2);
            }
            conflictRows[conflictCount++] = row;
        }
    }
}
