package rw.intake.storage.internal;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL {@code COPY ... FROM STDIN} in the binary format, streamed through a bounded buffer (no temp file):
 * several times faster than batched inserts for large uploads, and the server parses no text (the CSV form spent
 * its CPU on booleans and timestamps).
 *
 * <p>The registered NIDs go to {@code registered_nids} last, sorted, in one more COPY: in that order the inserts into
 * its primary key walk the index from left to right instead of landing at random (see the V2 migration). The users
 * trigger that would register them one by one stands aside for the transaction ({@code intake.registers_nids}).
 */
final class CopyUserWriter implements UserWriter {

    private static final String COPY = "COPY users (" + COLUMNS.replace('\n', ' ') + ") FROM STDIN WITH (FORMAT binary)";
    private static final String COPY_REGISTERED = "COPY registered_nids (nid) FROM STDIN WITH (FORMAT binary)";
    private static final String REGISTERS_NIDS = "SELECT set_config('intake.registers_nids', 'on', true)";
    /** The binary COPY signature, then flags and header extension length (both 0). */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final short FIELDS = 16;
    private static final int FLUSH_BYTES = 1 << 18;
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    @Override
    public void begin(Handle handle) {
        handle.createQuery(REGISTERS_NIDS).mapTo(String.class).one();
    }

    @Override
    public void write(Handle handle, String uploadId, Instant committedAt, List<UserRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        byte[] upload = text(uploadId);
        long at = committedAt.getEpochSecond() * 1_000_000L + committedAt.getNano() / 1000 - POSTGRES_EPOCH_MICROS;
        copy(handle, COPY, rows.size(), (buf, i) -> {
            UserRow r = rows.get(i);
            buf.int16(FIELDS);
            buf.field(upload);
            buf.int32(4).int32(r.row());
            buf.field(text(r.names()));
            buf.field(text(r.nid()));
            buf.field(text(r.phoneNumber()));
            buf.field(text(r.gender()));
            buf.field(text(r.email()));
            buf.bool(r.nidValid());
            buf.bool(r.phoneValid());
            buf.bool(r.emailValid());
            buf.bool(r.namesValid());
            buf.bool(r.genderValid());
            buf.bool(r.valid());
            buf.field(text(r.errors()));
            buf.int32(8).int64(at);
            if (r.registeredNid() == null) {
                buf.int32(-1);
            } else {
                buf.field(text(r.registeredNid()));
            }
        });
    }

    @Override
    public void finish(Handle handle, long[] nids, int count) throws SQLException {
        if (count == 0) {
            return;
        }
        Arrays.sort(nids, 0, count);
        copy(handle, COPY_REGISTERED, count, (buf, i) -> buf.int16((short) 1).int32(8).int64(nids[i]));
    }

    /** One binary COPY of {@code count} tuples, each written into the buffer by {@code tuple}. */
    private static void copy(Handle handle, String sql, int count, Tuple tuple) throws SQLException {
        CopyIn copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            Buffer buf = new Buffer(FLUSH_BYTES + 4096);
            buf.bytes(HEADER);
            for (int i = 0; i < count; i++) {
                tuple.write(buf, i);
                if (buf.length >= FLUSH_BYTES) {
                    buf.send(copy);
                }
            }
            buf.int16((short) -1);
            buf.send(copy);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** Writes the i-th tuple of a COPY. */
    @FunctionalInterface
    private interface Tuple {
        void write(Buffer buf, int i);
    }

    /** A value as UTF-8; PostgreSQL text cannot hold NUL, so NUL characters are dropped. */
    private static byte[] text(String s) {
        return UserWriter.withoutNul(s).getBytes(StandardCharsets.UTF_8);
    }

    /** A growable big-endian byte buffer. */
    private static final class Buffer {
        private byte[] data;
        private int length;

        Buffer(int capacity) {
            data = new byte[capacity];
        }

        private void ensure(int more) {
            if (length + more > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, length + more));
            }
        }

        Buffer bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, data, length, b.length);
            length += b.length;
            return this;
        }

        Buffer field(byte[] b) {
            return int32(b.length).bytes(b);
        }

        Buffer bool(boolean b) {
            ensure(5);
            int32(1);
            data[length++] = (byte) (b ? 1 : 0);
            return this;
        }

        Buffer int16(short v) {
            ensure(2);
            data[length++] = (byte) (v >>> 8);
            data[length++] = (byte) v;
            return this;
        }

        Buffer int32(int v) {
            ensure(4);
            data[length++] = (byte) (v >>> 24);
            data[length++] = (byte) (v >>> 16);
            data[length++] = (byte) (v >>> 8);
            data[length++] = (byte) v;
            return this;
        }

        Buffer int64(long v) {
            int32((int) (v >>> 32));
            return int32((int) v);
        }

        void send(CopyIn copy) throws SQLException {
            copy.writeToCopy(data, 0, length);
            length = 0;
        }
    }
}
