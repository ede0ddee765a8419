package rw.intake.server.internal.upload;

import java.time.Duration;

/**
 * What happens to uploads, for the metrics: told on the thread where it happens, so an implementation must be quick
 * and thread-safe. {@link #NONE} ignores everything.
 */
public interface UploadEvents {

    /** Ignores every event. */
    UploadEvents NONE = new UploadEvents() {};

    /** A workbook was refused at intake ({@code file.*}, {@code staging.full}, ...). */
    default void refused(String code) {}

    /** A workbook was staged; validation starts. */
    default void accepted() {}

    /**
     * Validation ended.
     *
     * @param outcome {@code validated} or {@code failed}
     * @param rows    data rows read
     */
    default void validationEnded(String outcome, long rows, Duration took) {}

    /**
     * A commit ended.
     *
     * @param outcome   {@code committed} or {@code failed}
     * @param committed records written (0 when it failed)
     */
    default void commitEnded(String outcome, long committed, Duration took) {}
}
