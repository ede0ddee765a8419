package rw.intake.storage;

/** A commit of an upload that was already committed; nothing was changed. */
public final class UploadAlreadyCommittedException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String uploadId;

    public UploadAlreadyCommittedException(String uploadId) {
        super("upload " + uploadId + " is already committed");
        this.uploadId = uploadId;
    }

    public String uploadId() {
        return uploadId;
    }
}
