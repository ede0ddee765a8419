package rw.intake.storage.internal;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code uploads} rows that both the commit and the listing read. */
final class Uploads {

    private static final String EXISTS = """
        SELECT COUNT(*) FROM uploads WHERE id = :id""";
    private static final String SEQ = """
        SELECT seq FROM uploads WHERE id = :id""";

    private Uploads() {}

    /** Whether the upload {@code uploadId} was committed. */
    static boolean exists(Handle h, String uploadId) {
        return h.createQuery(EXISTS).bind("id", uploadId).mapTo(Long.class).one() > 0;
    }

    /** The upload's {@code seq}, if it was committed. */
    static Optional<Long> seq(Handle h, String uploadId) {
        return h.createQuery(SEQ).bind("id", uploadId).mapTo(Long.class).findOne();
    }
}
