package rw.intake.storage;

import java.util.BitSet;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RegisteredNids;
import rw.intake.validation.ValidatedRecord;

/** Committed users in the {@code users} table and the {@code uploads} that brought them. Thread-safe. */
public interface UserStore extends RegisteredNids {

    /**
     * Commits an upload's records in one transaction: all of the chosen records are saved, or none. A NID that a
     * valid committed record already holds makes the record {@code nid.already_registered} (a conflict) instead of
     * failing the commit; the database itself guarantees at most one valid record per NID.
     *
     * @param records the upload's records in row order; iterated possibly more than once (on a retry)
     * @throws UploadAlreadyCommittedException if this upload id was committed before
     */
    default CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records) {
        return commit(request, records, row -> {});
    }

    /**
     * As {@link #commit(CommitRequest, Iterable)}, and tells {@code conflictRows}, once the transaction has committed
     * and in row order, the row of each record that became a conflict (saved or skipped as
     * {@link BatchValidator#alreadyRegistered} makes it), so that a staged copy of the records can be brought in line.
     */
    CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records, IntConsumer conflictRows);

    /**
     * Runs the commit of these records through every step of {@link #commit(CommitRequest, Iterable)} in one
     * transaction (the uploads row, the look-ups, the inserts, the registered NIDs, the edits and counts), then rolls
     * it back instead of committing: nothing is written. A warm-up, so that the first real commit after a start does
     * not pay for class loading, the interpreter and the database's first statements. Always the small-commit path
     * (one transaction), whatever the size.
     *
     * @return the records that the commit would have saved
     * @throws UploadAlreadyCommittedException if this upload id was committed before
     */
    long rehearse(CommitRequest request, Iterable<ValidatedRecord> records);

    /**
     * Which of these records (by position, in their order) have a NID that is registered now: those that a commit of
     * them made now would turn into conflicts ({@link BatchValidator#alreadyRegistered}), as the commit looks them up
     * (every NID a valid record could have, valid record or not), with the registered-NID filter caught up with every
     * commit first. Nothing is written; the database is asked only about the NIDs the filter cannot rule out.
     *
     * @param records iterated once
     */
    BitSet registeredRecords(Iterable<ValidatedRecord> records);

    /** A page of committed users, ordered by upload then row. */
    Page<CommittedUser> users(UserQuery query);

    /**
     * A page of committed uploads, the last committed first.
     *
     * @param owner only the uploads of this username, or null for everyone's (admin)
     */
    Page<CommittedUpload> commits(int page, int size, String owner);

    /** Whether this upload id was committed. */
    boolean isCommitted(String uploadId);

    /**
     * The {@code uploads} row of this upload id, if it was committed: also a commit whose answer was lost (the
     * database went away at its {@code COMMIT}, which it then made), so that a staged copy can show it committed.
     */
    Optional<CommittedUpload> commitOf(String uploadId);

    @Override
    Set<String> registeredAmong(Collection<String> nids);
}
