package rw.intake.server.internal.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import rw.intake.storage.CommitResult;

/**
 * What {@code GET /api/v1/uploads/{id}} answers.
 *
 * @param sheet     the worksheet read ({@code CSV} for a CSV file)
 * @param headerRow the row of its header (1-based): the rows above it were not read as data
 * @param otherLists the other worksheets that hold a list too (a header that maps all five fields, a record below
 *                   it), not read: another upload, naming the sheet, reads each
 * @param commit  the commit's outcome, null (and written as null) until committed
 * @param failure why validation failed, present only when {@code status} is {@code failed}
 */
public record UploadSummary(
        String id,
        String fileName,
        String status,
        Instant createdAt,
        String owner,
        Progress progress,
        Totals totals,
        Map<String, Long> violationsByCode,
        List<String> ignoredColumns,
        String sheet,
        int headerRow,
        List<String> otherLists,
        @JsonInclude(JsonInclude.Include.ALWAYS) CommitResult commit,
        @JsonInclude(JsonInclude.Include.NON_NULL) Failure failure) {

    /** The same summary with another status. */
    public UploadSummary withStatus(String other) {
        return new UploadSummary(
                id,
                fileName,
                other,
                createdAt,
                owner,
                progress,
                totals,
                violationsByCode,
                ignoredColumns,
                sheet,
                headerRow,
                otherLists,
                commit,
                failure);
    }

    /** How far reading has gone: data rows read so far (records plus blank rows). */
    public record Progress(long rowsRead) {}

    /**
     * Counts over the records validated so far, as edited; {@code excluded} counts the records left out of the commit
     * (they are counted in the others too, by their verdict), {@code excludedValid} those of them that are valid.
     */
    public record Totals(
            long records,
            long valid,
            long invalid,
            long withWarnings,
            long blankRows,
            long excluded,
            long excludedValid) {
        static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0);
    }

    /** Why an upload failed while reading on, with the {@code file.*} code. */
    public record Failure(String code, String detail) {}
}
