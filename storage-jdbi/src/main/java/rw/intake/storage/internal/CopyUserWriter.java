package rw.intake.storage.internal;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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
 * its CPU on booleans and timestamps). One COPY per commit, whatever its size: 200 COPYs of 5,000 rows took 1.5-2 s
 * longer for 1,000,000 rows than one (the store does its NID look-ups before the first row for that).
 *
 * <p>The registered NIDs go to {@code registered_nids} last, sorted, in one more COPY: in that order the inserts into
 * its primary key walk the index from left to right instead of landing at random (see the V2 migration). The users
 * trigger that would register them one by one stands aside for the transaction ({@code intake.registers_nids}).
 * {@link PartitionLoad} uses the same encoding ({@link UsersCopy}) for a large upload's table, and {@link #copyRegistered}.
 */
final class CopyUserWriter implements UserWriter {

    /** The table is put in by hand: pgjdbc's CopyManager takes this SQL, not a JDBI statement with its templates. */
    private static final String COPY =
            "COPY {table} (" + COLUMNS.replace('\n', ' ') + ") FROM STDIN WITH (FORMAT binary)";

    private static final String COPY_REGISTERED = "COPY registered_nids (nid) FROM STDIN WITH (FORMAT binary)";
    private static final String REGISTERS_NIDS = "SELECT set_config('intake.registers_nids', 'on', true)";
    /** The binary COPY signature, then flags and header extension length (both 0). */
    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    private static final short FIELDS = 17;
    private static final int FLUSH_BYTES = 1 << 18;
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    @Override
    public Sink open(Handle handle, String uploadId, long uploadSeq, Instant committedAt) throws SQLException {
        handle.createQuery(REGISTERS_NIDS).mapTo(String.class).one();
        UsersCopy users = new UsersCopy(handle, "users", uploadId, uploadSeq, committedAt);
        return new Sink() {
            @Override
            public void write(List<UserRow> rows) throws SQLException {
                users.write(rows);
            }

            @Override
            public void finish(long[] nids, int count) throws SQLException {
                users.end();
                copyRegistered(handle, nids, count);
            }

            @Override
            public void close() throws SQLException {
                users.close();
            }
        };
    }

    /**
     * Registers the NIDs {@code nids[0..count)} (sorted here) in one COPY into {@code registered_nids}; the caller's
     * transaction has {@code intake.registers_nids} on, or writes no users.
     */
    static void copyRegistered(Handle handle, long[] nids, int count) throws SQLException {
        if (count == 0) {
            return;
        }
        Arrays.sort(nids, 0, count);
        try (Stream registered = new Stream(handle, COPY_REGISTERED)) {
            for (int i = 0; i < count; i++) {
                registered.buf.int16((short) 1).int32(8).int64(nids[i]);
                registered.tupleWritten();
            }
            registered.end();
        }
    }

    /** One COPY of an upload's users into {@code users} or a table like it: {@link #write} chunks, then {@link #end}. */
    static final class UsersCopy implements AutoCloseable {
        private final Stream stream;
        private final byte[] upload;
        private final long uploadSeq;
        private final long at;

        UsersCopy(Handle handle, String table, String uploadId, long uploadSeq, Instant committedAt)
                throws SQLException {
            this.stream = new Stream(handle, COPY.replace("{table}", table));
            this.upload = text(uploadId);
            this.uploadSeq = uploadSeq;
            this.at = committedAt.getEpochSecond() * 1_000_000L + committedAt.getNano() / 1000 - POSTGRES_EPOCH_MICROS;
        }

        void write(List<UserRow> rows) throws SQLException {
            for (UserRow r : rows) {
                Buffer buf = stream.buf;
                buf.int16(FIELDS);
                buf.field(upload);
                buf.int32(8).int64(uploadSeq);
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
                stream.tupleWritten();
            }
        }

        void end() throws SQLException {
            stream.end();
        }

        /** Cancels the COPY if it did not end. */
        @Override
        public void close() throws SQLException {
            stream.close();
        }
    }

    /** One binary COPY in progress: tuples go into {@link #buf}, which is sent whenever it fills. */
    private static final class Stream implements AutoCloseable {
        private final Connection connection;
        private final int deadline;
        private final CopyIn copy;
        private final Buffer buf = new Buffer(FLUSH_BYTES + 4096);

        Stream(Handle handle, String sql) throws SQLException {
            connection = handle.getConnection();
            deadline = SendDeadline.of(connection);
            copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            buf.bytes(HEADER);
        }

        void tupleWritten() throws SQLException {
            if (buf.length >= FLUSH_BYTES) {
                send();
            }
        }

        void end() throws SQLException {
            buf.int16((short) -1);
            send();
            copy.endCopy();
        }

        /** Sends the buffer, within the connection's network timeout ({@link SendDeadline}). */
        private void send() throws SQLException {
            SendDeadline.run(connection, deadline, () -> buf.send(copy));
        }

        /** Cancels the COPY if it did not end. */
        @Override
        public void close() throws SQLException {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A value as UTF-8; PostgreSQL text cannot hold NUL, so a NUL character is written as U+2400. */
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
