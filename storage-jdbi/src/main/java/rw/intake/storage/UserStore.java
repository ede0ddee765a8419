package rw.intake.storage;

import java.util.Collection;
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

    /** A page of committed users, ordered by upload then row. */
    Page<CommittedUser> users(UserQuery query);

    /** Whether this upload id was committed. */
    boolean isCommitted(String uploadId);

    @Override
    Set<String> registeredAmong(Collection<String> nids);
}
