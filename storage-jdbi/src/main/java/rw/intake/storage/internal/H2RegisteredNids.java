package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import org.h2.api.Trigger;

/**
 * H2's trigger on {@code users} (migration V4): keeps {@code registered_nids} equal to the set of
 * {@code users.registered_nid}, so that its primary key refuses a second valid record with a NID whoever writes it.
 * A commit's writer inserts its registered NIDs itself, sorted, after its users: while it inserts them, the trigger
 * stands aside for inserts made on that thread ({@link #bulk}), which holds only when H2 runs in this process
 * ({@link Dialect#isEmbeddedH2}). Public for H2, which instantiates it by name: that name is in the V4 migration and
 * in every H2 database made since, so the class must not move or be renamed.
 */
public final class H2RegisteredNids implements Trigger {

    private static final ThreadLocal<Boolean> BULK = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Registers one NID. */
    private static final String INSERT = "INSERT INTO registered_nids (nid) VALUES (?)";
    /** Registers the NIDs of an array (a commit's batch writer: its sorted NIDs, a chunk at a time). */
    static final String INSERT_ALL = "INSERT INTO registered_nids (nid) SELECT * FROM UNNEST(?)";

    private static final String DELETE = "DELETE FROM registered_nids WHERE nid = ?";

    private int column = -1;

    /** Whether inserts into users on this thread are a commit's, which registers their NIDs itself. */
    static void bulk(boolean on) {
        if (on) {
            BULK.set(Boolean.TRUE);
        } else {
            BULK.remove();
        }
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (ResultSet rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            while (rs.next()) {
                if (rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT).equals("registered_nid")) {
                    column = rs.getInt("ORDINAL_POSITION") - 1;
                }
            }
        }
        if (column < 0) {
            throw new SQLException("table " + tableName + " has no column registered_nid");
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        Object old = oldRow == null ? null : oldRow[column];
        Object now = newRow == null ? null : newRow[column];
        if (Objects.equals(old, now)) {
            return;
        }
        if (old != null) {
            run(conn, DELETE, old);
        }
        if (now != null && !(oldRow == null && BULK.get())) {
            run(conn, INSERT, now);
        }
    }

    private static void run(Connection conn, String sql, Object nid) throws SQLException {
        long number;
        try {
            number = Long.parseLong(nid.toString());
        } catch (NumberFormatException e) {
            throw new SQLException("registered_nid is not a NID: " + nid, "22018", e);
        }
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, number);
            ps.executeUpdate();
        }
    }
}
