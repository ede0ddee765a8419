package rw.intake.storage.internal;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL {@code COPY ... FROM STDIN} in CSV, streamed through a bounded buffer (no temp file): several times
 * faster than batched inserts for large uploads.
 */
final class CopyUserWriter implements UserWriter {

    private static final String COPY = "COPY users (" + COLUMNS.replace('\n', ' ') + ") FROM STDIN WITH (FORMAT csv)";
    private static final int FLUSH_CHARS = 1 << 16;

    @Override
    public void write(Handle handle, String uploadId, Instant committedAt, List<UserRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String prefix = quote(new StringBuilder(), uploadId).append(',').toString();
        String at = committedAt.toString();
        CopyIn copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        try {
            StringBuilder buf = new StringBuilder(FLUSH_CHARS + 4096);
            for (UserRow r : rows) {
                buf.append(prefix).append(r.row()).append(',');
                quote(buf, r.names()).append(',');
                quote(buf, r.nid()).append(',');
                quote(buf, r.phoneNumber()).append(',');
                quote(buf, r.gender()).append(',');
                quote(buf, r.email()).append(',');
                bool(buf, r.nidValid());
                bool(buf, r.phoneValid());
                bool(buf, r.emailValid());
                bool(buf, r.namesValid());
                bool(buf, r.genderValid());
                bool(buf, r.valid());
                quote(buf, r.errors()).append(',').append(at).append(',');
                if (r.registeredNid() != null) {
                    quote(buf, r.registeredNid());
                }
                buf.append('\n');
                if (buf.length() >= FLUSH_CHARS) {
                    send(copy, buf);
                }
            }
            send(copy, buf);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void send(CopyIn copy, StringBuilder buf) throws SQLException {
        byte[] bytes = buf.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        buf.setLength(0);
    }

    private static void bool(StringBuilder buf, boolean b) {
        buf.append(b ? "t," : "f,");
    }

    /** A CSV field in quotes, so that an empty string stays empty and not NULL; PostgreSQL text cannot hold NUL. */
    private static StringBuilder quote(StringBuilder buf, String s) {
        buf.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                buf.append("\"\"");
            } else if (c != '\0') {
                buf.append(c);
            }
        }
        return buf.append('"');
    }
}
