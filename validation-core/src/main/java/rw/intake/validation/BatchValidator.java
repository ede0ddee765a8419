package rw.intake.validation;

import java.util.List;

/**
 * The cross-row rules of one upload ({@code nid.duplicate}, {@code phone.duplicate}, {@code email.duplicate}),
 * judged against every earlier record given to it. Records must come in ascending row order. Not thread-safe:
 * one upload, one thread at a time. Memory grows with distinct keys only.
 */
public final class BatchValidator {

    BatchValidator() {
    }

    /** Field rules and cross-row rules for the next record, returned at once. */
    public ValidatedRecord next(RawRecord record) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Cross-row rules for a record whose field rules were already applied (by {@link RecordValidator#validate},
     * possibly on another thread). Lets field rules run in parallel while duplicates are judged in order.
     */
    public ValidatedRecord crossCheck(ValidatedRecord fieldChecked) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Adds {@code nid.already_registered} to the records of this chunk whose valid NID is registered, with one
     * look-up through the validator's {@link RegisteredNids}. Returns a list of the same size and order.
     */
    public List<ValidatedRecord> markRegistered(List<ValidatedRecord> chunk) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Bytes retained by the duplicate index now (its arrays), for benchmarks and the staging budget. */
    public long retainedBytes() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
