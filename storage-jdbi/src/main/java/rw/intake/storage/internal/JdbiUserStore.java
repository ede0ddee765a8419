package rw.intake.storage.internal;

import java.util.BitSet;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Jdbi;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.CommittedUpload;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.storage.UserQuery;
import rw.intake.storage.UserStore;
import rw.intake.validation.RegisteredNids;
import rw.intake.validation.ValidatedRecord;

/**
 * {@link UserStore} over JDBI: the commit ({@link UserCommit}), the listing ({@link UserListing}) and the registered-NID
 * look-up ({@link RegisteredNidLookup}), the last two sharing the in-memory {@link NidPrefilter} with the commit.
 */
final class JdbiUserStore implements UserStore, AutoCloseable {

    private final NidPrefilter prefilter;
    private final RegisteredNidLookup lookup;
    private final UserCommit commits;
    private final UserListing listing;

    /**
     * @param chunkSize     NIDs per look-up statement and records per insert batch
     * @param partitionFrom records from which a commit goes into a partition of its own (PostgreSQL with COPY); 0 never
     */
    JdbiUserStore(Jdbi jdbi, Dialect dialect, UserWriter writer, int chunkSize, long partitionFrom) {
        this.prefilter = new NidPrefilter(jdbi);
        this.lookup = new RegisteredNidLookup(jdbi, dialect, prefilter, chunkSize);
        this.commits = new UserCommit(jdbi, dialect, writer, chunkSize, partitionFrom, prefilter, lookup);
        this.listing = new UserListing(jdbi, dialect);
    }

    /** Drops what unfinished commits of a stopped process left (PostgreSQL); starts loading the registered-NID filter. */
    void start() {
        commits.dropOrphans();
        prefilter.start();
    }

    /** {@link UserCommit#sweepLeftTables()}. */
    void sweepLeftTables() {
        commits.sweepLeftTables();
    }

    NidPrefilter prefilter() {
        return prefilter;
    }

    @Override
    public void close() {
        prefilter.close();
    }

    @Override
    public CommitResult commit(CommitRequest request, Iterable<ValidatedRecord> records, IntConsumer conflictRows) {
        return commits.commit(request, records, conflictRows);
    }

    @Override
    public long rehearse(CommitRequest request, Iterable<ValidatedRecord> records) {
        return commits.rehearse(request, records);
    }

    @Override
    public Set<String> registeredAmong(Collection<String> nids) {
        return lookup.registeredAmong(nids);
    }

    @Override
    public BitSet registeredRecords(Iterable<ValidatedRecord> records) {
        return lookup.registeredRecords(records);
    }

    @Override
    public RegisteredNids forOnePass() {
        return lookup.forOnePass();
    }

    @Override
    public Page<CommittedUpload> commits(int page, int size, String owner) {
        return listing.commits(page, size, owner);
    }

    @Override
    public Page<CommittedUser> users(UserQuery query) {
        return listing.users(query);
    }

    @Override
    public boolean isCommitted(String uploadId) {
        return listing.isCommitted(uploadId);
    }

    @Override
    public Optional<CommittedUpload> commitOf(String uploadId) {
        return listing.commitOf(uploadId);
    }
}
