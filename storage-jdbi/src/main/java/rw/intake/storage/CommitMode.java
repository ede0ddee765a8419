package rw.intake.storage;

/** Which staged records a commit saves. */
public enum CommitMode {
    /** Every record, with its validity flags and violations (the default, as the first version did). */
    ALL,
    /** Only valid records; the others are counted as skipped. */
    VALID
}
