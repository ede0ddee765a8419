package rw.intake.storage.internal;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** JDBC batches of multi-row-rewritable inserts (PostgreSQL reWriteBatchedInserts, MariaDB bulk statements). */
final class BatchUserWriter implements UserWriter {

    private static final String INSERT = "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    @Override
    public void write(Handle handle, String uploadId, Instant committedAt, List<UserRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedBatch batch = handle.prepareBatch(INSERT)) {
            for (UserRow r : rows) {
                batch.bind(0, uploadId).bind(1, r.row()).bind(2, r.names()).bind(3, r.nid()).bind(4, r.phoneNumber())
                    .bind(5, r.gender()).bind(6, r.email()).bind(7, r.nidValid()).bind(8, r.phoneValid())
                    .bind(9, r.emailValid()).bind(10, r.namesValid()).bind(11, r.genderValid()).bind(12, r.valid())
                    .bind(13, r.errors()).bind(14, committedAt).bind(15, r.registeredNid())
                    .add();
            }
            batch.execute();
        }
    }
}
