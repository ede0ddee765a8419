package rw.intake.storage;

import java.util.Objects;

/**
 * What is being committed.
 *
 * @param uploadId the staged upload's id (unique; a second commit of it fails)
 * @param owner    the username that uploaded it
 * @param fileName the uploaded file's name, may be empty
 * @param mode     which records to save
 * @param totals   the upload's totals as validated, kept in the uploads table
 */
public record CommitRequest(String uploadId, String owner, String fileName, CommitMode mode, UploadTotals totals) {

    public CommitRequest {
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(owner, "owner");
        fileName = fileName == null ? "" : fileName;
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(totals, "totals");
    }
}
