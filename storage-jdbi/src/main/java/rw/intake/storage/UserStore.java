package rw.intake.storage;

import java.util.Collection;
import java.util.Set;
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
    CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records);

    /** A page of committed users, ordered by upload then row. */
    Page<CommittedUser> users(UserQuery query);

    /** Whether this upload id was committed. */
    boolean isCommitted(String uploadId);

    @Override
    Set<String> registeredAmong(Collection<String> nids);
}
