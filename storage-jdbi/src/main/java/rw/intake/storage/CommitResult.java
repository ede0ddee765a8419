package rw.intake.storage;

import java.time.Instant;

/**
 * The outcome of a commit.
 *
 * @param committed records saved
 * @param skipped   records not saved (invalid ones under {@link CommitMode#VALID})
 * @param conflicts records whose NID another commit had registered first; saved as invalid with
 *                  {@code nid.already_registered} under {@link CommitMode#ALL}, skipped under {@link CommitMode#VALID}
 */
public record CommitResult(String uploadId, long committed, long skipped, long conflicts, Instant committedAt) {}
