package rw.intake.storage;

import java.time.Instant;

/**
 * A row of the {@code uploads} table: an upload that was committed, as the commit left it.
 *
 * @param records   the upload's records when it was committed
 * @param committed the records saved into {@code users}
 * @param skipped   the records not saved (invalid ones under {@link CommitMode#VALID}, and those left out)
 * @param conflicts the records whose NID another commit had registered first
 * @param sheet     the worksheet its records were read from ({@code CSV} for a CSV file); null if not known
 */
public record CommittedUpload(
        String uploadId,
        String fileName,
        String owner,
        CommitMode mode,
        long records,
        long committed,
        long skipped,
        long conflicts,
        Instant committedAt,
        String sheet) {}
