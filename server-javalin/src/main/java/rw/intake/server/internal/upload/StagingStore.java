package rw.intake.server.internal.upload;

import java.util.List;
import java.util.function.Function;

/**
 * Where staged uploads live between their validation and their commit: {@link Staging} (in this process's memory, the
 * default) or {@link RedisStaging} (shared by every instance of the server). The store enforces the staging budget,
 * expires idle uploads and serialises the changes of one upload (edits, the commit) wherever they are made.
 */
interface StagingStore extends AutoCloseable {

    /**
     * Stages an upload with {@code records} reserved.
     *
     * @throws rw.intake.server.internal.http.ApiException 503 {@code staging.full} when the budget cannot take it
     */
    void admit(Upload upload, long records);

    /** The most records one upload can ever be staged with: the smaller of the total budget and a user's share. */
    long mostRecordsPerUpload();

    /**
     * Sets what an upload holds of the budget now (see {@link Staging#adjust}); called by the thread that validates it
     * after each chunk of records it staged, so a shared store writes them out there.
     */
    void adjust(Upload upload, long records);

    /** The upload with this id, counting as an access; null if unknown or expired. */
    Upload get(String id);

    /**
     * The upload with this id for its read-only routes (summary, pages, single records), counting as an access; null
     * if unknown or expired. A shared store may answer with a view that reads only what each request covers.
     */
    default ReadableUpload read(String id) {
        return get(id);
    }

    /** Whole uploads this instance read from a shared store so far (0 for the memory store). */
    default long uploadsRead() {
        return 0;
    }

    /** Chunks of records this instance read from a shared store so far (0 for the memory store). */
    default long chunksRead() {
        return 0;
    }

    /**
     * Reads of a shared store's upload that met chunks or lists of a version newer than the meta they read (an edit
     * landed meanwhile) and read it again from the next meta (0 for the memory store).
     */
    default long newerReads() {
        return 0;
    }

    /** Every staged upload. */
    List<Upload> all();

    /**
     * The id of the last upload of {@code owner} admitted, whether it is still staged or not (released since: deleted,
     * expired, dropped once committed); null if none is known. The legacy routes answer for it, never for an older one.
     */
    String latestOf(String owner);

    /**
     * Whether a commit of upload {@code id} is running on another instance (a shared store): its copy here reads as
     * validated (a commit whose instance stopped leaves nothing to wait for), but it is being committed.
     */
    default boolean committingElsewhere(String id) {
        return false;
    }

    void remove(String id);

    /** Records reserved in the budget over all uploads. */
    long reservedRecords();

    /** Records reserved by committed and failed uploads: a new upload that needs their room releases them. */
    default long releasableRecords() {
        long sum = 0;
        for (Upload u : all()) {
            if (u.status() == UploadStatus.COMMITTED || u.status() == UploadStatus.FAILED) {
                sum += u.reserved.get();
            }
        }
        return sum;
    }

    /** Heap held by the staged records on this instance, approximately. */
    long retainedBytes();

    /** Uploads staged. */
    int size();

    /**
     * Runs an edit of {@code upload} ({@code change} is given the upload to change, which may be a fresher copy) so
     * that no other edit or commit of it runs meanwhile, and keeps what it changed.
     */
    <T> T edit(Upload upload, Function<Upload, T> change);

    /**
     * Runs the commit of {@code upload} as {@link #edit}; a second commit meanwhile, on any instance, is refused with 409
     * {@code upload.already_committed}.
     */
    <T> T commit(Upload upload, Function<Upload, T> commit);

    /**
     * Keeps upload {@code id} from expiring until the hold is released, whoever reads it meanwhile: the server works on it
     * (it is validated, committed, or a report of it streams), and the idle time counts again from the release. Holds
     * of one upload may overlap.
     */
    Hold hold(String id);

    /** A hold on an upload ({@link #hold}); releasing it twice is releasing it once. */
    interface Hold {
        void release();
    }

    /** Drops what this instance holds (every upload, for the memory store). */
    @Override
    void close();
}
