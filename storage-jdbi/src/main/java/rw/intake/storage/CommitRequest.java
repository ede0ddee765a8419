package rw.intake.storage;

import java.util.List;
import java.util.Objects;

/**
 * What is being committed.
 *
 * @param uploadId the staged upload's id (unique; a second commit of it fails)
 * @param owner    the username that uploaded it
 * @param fileName the uploaded file's name, may be empty
 * @param mode     which records to save
 * @param totals   the upload's totals as validated, kept in the uploads table
 * @param excluded records the caller left out of the commit (not among the records given to it); counted in
 *                 {@link CommitResult#skipped()}
 * @param edits    the changes people made to the records before the commit, written into {@code record_edits} in the
 *                 commit's transaction; copied
 * @param sheet    the worksheet the records were read from ({@code CSV} for a CSV file), kept in the uploads table; may
 *                 be null; at most {@link #MAX_SHEET_CHARS} characters are kept
 */
public record CommitRequest(
        String uploadId,
        String owner,
        String fileName,
        CommitMode mode,
        UploadTotals totals,
        long excluded,
        List<RecordEdit> edits,
        String sheet) {

    /** The most characters of a sheet's name kept (a spreadsheet program's names have at most 31). */
    public static final int MAX_SHEET_CHARS = 255;

    public CommitRequest {
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(owner, "owner");
        fileName = fileName == null ? "" : fileName;
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(totals, "totals");
        if (excluded < 0) {
            throw new IllegalArgumentException("excluded must be >= 0: " + excluded);
        }
        edits = List.copyOf(edits);
        if (sheet != null && sheet.length() > MAX_SHEET_CHARS) {
            int end = Character.isHighSurrogate(sheet.charAt(MAX_SHEET_CHARS - 1))
                    ? MAX_SHEET_CHARS - 1
                    : MAX_SHEET_CHARS;
            sheet = sheet.substring(0, end);
        }
    }

    /** A commit of records nobody edited or left out. */
    public CommitRequest(String uploadId, String owner, String fileName, CommitMode mode, UploadTotals totals) {
        this(uploadId, owner, fileName, mode, totals, 0, List.of(), null);
    }
}
