package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Inserts a chunk of users inside the commit's transaction. */
interface UserWriter {

    /** The columns every writer fills, in this order; {@code id} is generated. */
    String COLUMNS = """
        upload_id, "row_number", names, nid, phone_number, gender, email, nid_valid, phone_valid, email_valid,
        names_valid, gender_valid, valid, errors, committed_at, registered_nid""";

    /** The text without NUL characters, which PostgreSQL text cannot hold. */
    static String withoutNul(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    /** Called once in each commit's transaction, before its first {@link #write}. */
    default void begin(Handle handle) throws SQLException {
    }

    void write(Handle handle, String uploadId, Instant committedAt, List<UserRow> rows) throws SQLException;

    /**
     * Called once in each commit's transaction, after its last {@link #write}, with the numbers of the registered NIDs
     * of the rows written ({@code nids[0..count)}, in no order; the writer may reorder them).
     */
    default void finish(Handle handle, long[] nids, int count) throws SQLException {
    }
}
