package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * JDBC batches of multi-row-rewritable inserts (PostgreSQL reWriteBatchedInserts, MariaDB bulk statements), bound
 * straight on the {@link PreparedStatement}: JDBI's per-argument type resolution cost a fifth of an H2 commit.
 */
final class BatchUserWriter implements UserWriter {

    private static final String INSERT =
            "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Registered NIDs per {@code INSERT ... SELECT FROM UNNEST(?)}: H2 caps an array at 65,536 elements. One
     * statement per 50,000 NIDs instead of one per NID took a quarter to a third off the phase (50,000-row commits).
     */
    private static final int REGISTER_CHUNK = 50_000;

    private final boolean dropNul;
    private final boolean registersSorted;

    /**
     * @param dropNul         whether NUL characters are dropped from text (PostgreSQL text cannot hold them)
     * @param registersSorted whether the writer inserts the registered NIDs into {@code registered_nids} itself,
     *                        sorted, after the users, while {@link H2RegisteredNids} stands aside (H2)
     */
    BatchUserWriter(boolean dropNul, boolean registersSorted) {
        this.dropNul = dropNul;
        this.registersSorted = registersSorted;
    }

    @Override
    public Sink open(Handle handle, String uploadId, long uploadSeq, Instant committedAt) throws SQLException {
        Timestamp at = Timestamp.from(committedAt);
        Connection connection = handle.getConnection();
        int deadline = SendDeadline.of(connection);
        PreparedStatement ps = connection.prepareStatement(INSERT);
        H2RegisteredNids.bulk(registersSorted);
        return new Sink() {
            @Override
            public void write(List<UserRow> rows) throws SQLException {
                for (UserRow r : rows) {
                    ps.setString(1, text(uploadId));
                    ps.setLong(2, uploadSeq);
                    ps.setInt(3, r.row());
                    ps.setString(4, text(r.names()));
                    ps.setString(5, text(r.nid()));
                    ps.setString(6, text(r.phoneNumber()));
                    ps.setString(7, text(r.gender()));
                    ps.setString(8, text(r.email()));
                    ps.setBoolean(9, r.nidValid());
                    ps.setBoolean(10, r.phoneValid());
                    ps.setBoolean(11, r.emailValid());
                    ps.setBoolean(12, r.namesValid());
                    ps.setBoolean(13, r.genderValid());
                    ps.setBoolean(14, r.valid());
                    ps.setString(15, text(r.errors()));
                    ps.setTimestamp(16, at);
                    if (r.registeredNid() == null) {
                        ps.setNull(17, Types.VARCHAR);
                    } else {
                        ps.setString(17, text(r.registeredNid()));
                    }
                    ps.addBatch();
                }
                SendDeadline.run(connection, deadline, ps::executeBatch);
            }

            @Override
            public void finish(long[] nids, int count) throws SQLException {
                if (!registersSorted) {
                    return; // the users trigger (PostgreSQL) or the unique index on users.registered_nid did
                }
                Arrays.sort(nids, 0, count);
                try (PreparedStatement registered =
                        handle.getConnection().prepareStatement(H2RegisteredNids.INSERT_ALL)) {
                    for (int from = 0; from < count; from += REGISTER_CHUNK) {
                        Long[] chunk = new Long[Math.min(REGISTER_CHUNK, count - from)];
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = nids[from + i];
                        }
                        registered.setObject(1, chunk);
                        registered.executeUpdate();
                    }
                }
            }

            @Override
            public void close() throws SQLException {
                H2RegisteredNids.bulk(false);
                ps.close();
            }
        };
    }

    private String text(String s) {
        return dropNul ? UserWriter.withoutNul(s) : s;
    }
}
