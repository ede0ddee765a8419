package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Inserts a commit's users inside its transaction. Shared by concurrent commits: the state of one is its {@link Sink}. */
interface UserWriter {

    /** The columns every writer fills, in this order; {@code id} is generated. */
    String COLUMNS = """
        upload_id, upload_seq, "row_number", names, nid, phone_number, gender, email, nid_valid, phone_valid, email_valid,
        names_valid, gender_valid, valid, errors, committed_at, registered_nid""";

    /**
     * The text with each NUL character, which PostgreSQL text cannot hold, written as U+2400 (the symbol for null,
     * {@value #NUL_SYMBOL}), so that the value saved still shows one: a NID with a NUL amid its digits does not read as
     * a well-formed one; null stays null.
     */
    static String withoutNul(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', NUL_SYMBOL);
    }

    /** What stands for a NUL character in text written where it cannot be. */
    char NUL_SYMBOL = '\u2400';

    /**
     * Whether a key looked up (a username, an upload's id) holds a NUL character: no stored key does (usernames and ids
     * have none), and PostgreSQL refuses such a parameter outright, so the look-up finds nothing without asking.
     */
    static boolean holdsNul(String key) {
        return key != null && key.indexOf('\0') >= 0;
    }

    /** Starts writing the users of the upload {@code uploadId}, whose {@code uploads.seq} is {@code uploadSeq}. */
    Sink open(Handle handle, String uploadId, long uploadSeq, Instant committedAt) throws SQLException;

    /** One commit's inserts: {@link #write} chunk after chunk, then {@link #finish}; closed in any case. */
    interface Sink extends AutoCloseable {

        void write(List<UserRow> rows) throws SQLException;

        /**
         * After the last {@link #write}: the numbers of the registered NIDs of the rows written ({@code nids[0..count)},
         * in no order; the sink may reorder them).
         */
        void finish(long[] nids, int count) throws SQLException;

        /** Abandons what is unfinished (the transaction then rolls back); nothing after {@link #finish}. */
        @Override
        void close() throws SQLException;
    }
}
