package rw.intake.server.internal.upload;

import java.util.Locale;

/** Where a staged upload stands. */
public enum UploadStatus {
    VALIDATING,
    VALIDATED,
    FAILED,
    COMMITTING,
    COMMITTED;

    /** The lower-case name clients see. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the records may be read: validation finished and did not fail. */
    boolean readable() {
        return this == VALIDATED || this == COMMITTING || this == COMMITTED;
    }
}
