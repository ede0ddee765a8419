package rw.intake.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.message.DbException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.StorageException;

/**
 * Removes what H2 kept of commits that a stop of the process cut short (embedded H2 only). H2 does not always undo such
 * a transaction when it opens the file again: part of it can survive, as rows of {@code users} without their
 * {@code uploads} row, an {@code uploads} row with part of its users, or {@code registered_nids} rows without their
 * user (and the opposite). A plain JDBC writer of 30,000-row transactions left such remains in 5 of 20 kill -9 with
 * H2 2.5.252 (decision 14).
 *
 * <p>The store marks a clean stop in {@code clean_stop} (H2's V8 migration) when it closes; when it opens, it clears the
 * mark and notes the highest {@code uploads.seq}. When it opens after any other stop, {@link #afterOpen} looks at the
 * uploads of the run that did not stop cleanly (a higher {@code seq}: H2 commits run one at a time, and every commit
 * takes the next seq), before the first commit:
 * <ul>
 *   <li>such an upload whose users rows are not as many as its {@code committed} count, or whose counts are still
 *       those the commit inserts its uploads row with, is removed whole (its users, its record edits, its uploads
 *       row), and so are users rows of such a seq that names no upload;
 *   <li>{@code registered_nids} is made equal to the set of {@code users.registered_nid} again (the triggers keep it
 *       so for every other writer, so this changes nothing else).
 * </ul>
 * Uploads committed before that run are not judged: a users row deleted by hand leaves its upload short of its count,
 * and must not make it go. Each removed upload is logged as an error: if its commit had been answered, it must be
 * committed again.
 */
final class H2Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(H2Recovery.class);

    private static final String STATE = "SELECT clean, seq_at_open FROM clean_stop WHERE id = 1";
    private static final String HAS_CLEAN_STOP =
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'CLEAN_STOP' AND TABLE_SCHEMA = SCHEMA()";
    private static final String SESSIONS = "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS";
    private static final String OPENED = """
        UPDATE clean_stop SET clean = FALSE, seq_at_open = (SELECT COALESCE(MAX(seq), 0) FROM uploads) WHERE id = 1""";
    private static final String CLOSED = "UPDATE clean_stop SET clean = TRUE WHERE id = 1";
    private static final String UPLOADS_AFTER =
            "SELECT seq, id, owner, file_name, records, committed, skipped FROM uploads WHERE seq > ?";
    private static final String USERS_PER_UPLOAD_AFTER =
            "SELECT upload_seq, COUNT(*) FROM users WHERE upload_seq > ? GROUP BY upload_seq";
    private static final String DELETE_USERS = "DELETE FROM users WHERE upload_seq = :seq";
    private static final String DELETE_EDITS = "DELETE FROM record_edits WHERE upload_id = :id";
    private static final String DELETE_UPLOAD = "DELETE FROM uploads WHERE seq = :seq";
    private static final String USERS_REGISTERED = "SELECT registered_nid FROM users WHERE registered_nid IS NOT NULL";
    private static final String REGISTERED = "SELECT nid FROM registered_nids ORDER BY nid";
    private static final String UNREGISTER = "DELETE FROM registered_nids WHERE nid = :nid";
    private static final String REGISTER = "INSERT INTO registered_nids (nid) VALUES (:nid)";
    private static final int FETCH = 10_000;

    /** The secondary indexes of users (H2's V3 migration), dropped and made again from the table's rows. */
    private static final List<String> REBUILD_INDEXES = List.of(
            "DROP INDEX users_upload_row_key",
            "CREATE UNIQUE INDEX users_upload_row_key ON users (upload_seq, \"row_number\")",
            "DROP INDEX users_valid_upload_row_idx",
            "CREATE INDEX users_valid_upload_row_idx ON users (valid, upload_seq, \"row_number\")");

    private H2Recovery() {}

    /** Whether H2 failed on an index entry whose row is not in the table (its error 90143, in any cause). */
    private static boolean indexDamaged(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if ((t instanceof SQLException s && s.getErrorCode() == ErrorCode.ROW_NOT_FOUND_IN_PRIMARY_INDEX)
                    || (t instanceof DbException d && d.getErrorCode() == ErrorCode.ROW_NOT_FOUND_IN_PRIMARY_INDEX)) {
                return true;
            }
        }
        return false;
    }

    /** What a check found and removed. */
    record Report(int uploadsRemoved, long usersRemoved, long nidsUnregistered, long nidsRegistered) {
        boolean clean() {
            return uploadsRemoved == 0 && usersRemoved == 0 && nidsUnregistered == 0 && nidsRegistered == 0;
        }
    }

    /**
     * Before the pool opens: compacts the database file if its last stop was not clean ({@code SHUTDOWN COMPACT}, on a
     * connection of its own). kill -9 during a commit can leave an H2 2.5 file in which the next insert into
     * {@code users} never ends: it spins in the flush of the table's identity sequence (seen in
     * {@code KillDuringCommitIT}, and on a copy of such a file with plain JDBC). Compacting writes the file anew, and
     * the insert then works; a plain {@code SHUTDOWN} or {@code CHECKPOINT SYNC} does not help. Nothing is done for an
     * in-memory database, one that has no {@code clean_stop} table yet (before its V8 migration), one whose last stop
     * was clean, or one that another connection of this process has open (its stop is not over).
     *
     * @return whether the file was compacted
     */
    static boolean compactAfterUncleanStop(String url, String username, String password) {
        if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:")) {
            return false;
        }
        checkFolder(url);
        JdbcDataSource source = new JdbcDataSource();
        source.setURL(url);
        source.setUser(username);
        source.setPassword(password);
        long start = System.nanoTime();
        Connection opened;
        try {
            opened = source.getConnection();
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                // the file is locked by another process, as a running server locks it: nothing says its stop was
                // unclean
                throw new StorageException(
                        "the database is in use by another process (a running server): stop it first", e);
            }
            throw new StorageException("cannot open the database " + file(url) + ": " + e.getMessage(), e);
        }
        try (Connection c = opened;
                Statement s = c.createStatement()) {
            if (!uncleanlyStopped(s)) {
                return false;
            }
            LOG.warn("the database was not stopped cleanly: its file is compacted before it opens");
            s.execute("SHUTDOWN COMPACT");
        } catch (SQLException e) {
            throw new StorageException("cannot compact the database after an unclean stop: " + e.getMessage(), e);
        }
        LOG.info("database file compacted after an unclean stop in {} ms", (System.nanoTime() - start) / 1_000_000);
        settleAfterCompaction(source);
        return true;
    }

    /**
     * The folder of an embedded database file ({@code jdbc:h2:file:./data/intake}, {@code jdbc:h2:~/intake}), made if
     * it is missing, as H2 would make it. One that is a file, cannot be made or cannot be written, or a path the
     * system's file names cannot hold, is a start refused in one line: H2 would first print the stack traces of its
     * own trace file, which it cannot write there either.
     */
    static void checkFolder(String url) {
        String path = url.substring("jdbc:h2:".length());
        int options = path.indexOf(';');
        path = options < 0 ? path : path.substring(0, options);
        path = path.regionMatches(true, 0, "file:", 0, "file:".length()) ? path.substring("file:".length()) : path;
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        if (path.isEmpty() || path.indexOf(':') > 1) {
            // another file system of H2's (zip:, nio:, ...): H2 says what is wrong with it
            return;
        }
        Path folder;
        try {
            folder = Path.of(path).toAbsolutePath().getParent();
        } catch (InvalidPathException e) {
            throw new StorageException(
                    "cannot open the database " + file(url) + ": its path cannot be written in the"
                            + " file names of this system's locale (" + System.getProperty("sun.jnu.encoding")
                            + "): run in a UTF-8 locale, or choose a path of ASCII characters",
                    e);
        }
        if (folder == null) {
            return;
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException | SecurityException e) {
            throw new StorageException(
                    "cannot open the database " + file(url) + ": its folder " + folder
                            + (Files.exists(folder) ? " is not a folder" : " cannot be made (" + e + ")"),
                    e);
        }
        if (!Files.isWritable(folder)) {
            throw new StorageException(
                    "cannot open the database " + file(url) + ": its folder " + folder + " cannot be written");
        }
    }

    /** The URL as far as the file, without the options (the store's own among them) and so without passwords. */
    private static String file(String url) {
        int options = url.indexOf(';');
        return options < 0 ? url : url.substring(0, options);
    }

    /** Marks no stop: a write that changes nothing, the first one after the compaction. */
    private static final String SETTLE = "UPDATE clean_stop SET clean = FALSE WHERE id = 1";

    /**
     * Opens the compacted file and commits a write that changes nothing, before the pool opens. A stop that closed the
     * pool under a running commit (its session closed from another thread while the commit's statement ran on) has
     * left files that H2 2.5.252 compacts into one whose first write transaction fails: the undo log of transaction 1
     * is opened closed ("Map null(64) is closed"), H2 closes the database, and the migration's lock of
     * flyway_schema_history failed with it. The database opened again after that failure works. So the first write
     * happens here, and if it fails so, once more on a new connection.
     */
    static void settleAfterCompaction(JdbcDataSource source) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = source.getConnection();
                    Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate(SETTLE);
                c.commit();
                return;
            } catch (SQLException e) {
                if (attempt == 2) {
                    throw new StorageException(
                            "the database cannot be written after its compaction: " + e.getMessage(), e);
                }
                // such a file has been seen to read wrong while two connections read (a NID then registered twice):
                // the operator is told to restore it or export it into a fresh database (deployment.md)
                LOG.error(
                        "the first write after the compaction failed, and H2 closed the database; it is opened again."
                                + " H2 has left such files reading wrong under concurrent reads, which no check here"
                                + " finds: stop the server, then restore the file from its last backup, or export it"
                                + " with SCRIPT TO into a fresh database (docs/deployment.md): {}",
                        e.getMessage());
            }
        }
    }

    /** Whether the database says that its last stop was not clean, and only this connection has it open. */
    private static boolean uncleanlyStopped(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery(HAS_CLEAN_STOP)) {
            if (!rs.next() || rs.getLong(1) == 0) {
                return false;
            }
        }
        try (ResultSet rs = s.executeQuery(STATE)) {
            if (!rs.next() || rs.getBoolean(1)) {
                return false;
            }
        }
        try (ResultSet rs = s.executeQuery(SESSIONS)) {
            return rs.next() && rs.getLong(1) == 1;
        }
    }

    /**
     * After the store opened and migrated: checks the database if the last stop was not clean, then clears the mark
     * until {@link #cleanStop} and notes the highest seq.
     */
    static void afterOpen(Jdbi jdbi) {
        Map<String, Object> state =
                jdbi.withHandle(h -> h.createQuery(STATE).mapToMap().one());
        if (!(Boolean) state.get("clean")) {
            long start = System.nanoTime();
            long seqAtOpen = ((Number) state.get("seq_at_open")).longValue();
            Report report;
            try {
                try {
                    report = jdbi.inTransaction(h -> check(h, seqAtOpen));
                } catch (JdbiException e) {
                    if (!indexDamaged(e)) {
                        throw e;
                    }
                    // kill -9 can leave an index entry of users whose row the table lost (seen in KillDuringCommitIT):
                    // the check, which deletes by the index, fails on it until the index is built again from the rows
                    LOG.error(
                            "an index of users holds a row the table lost in the unclean stop; the indexes of users"
                                    + " are built again",
                            e);
                    jdbi.useHandle(h -> {
                        for (String ddl : REBUILD_INDEXES) {
                            h.execute(ddl);
                        }
                    });
                    report = jdbi.inTransaction(h -> check(h, seqAtOpen));
                }
            } catch (SQLException e) {
                throw new StorageException("cannot check the database after an unclean stop: " + e.getMessage(), e);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (report.clean()) {
                LOG.info(
                        "database checked after an unclean stop in {} ms: nothing of an unfinished commit was left",
                        ms);
            } else {
                LOG.warn(String.format(
                        Locale.ROOT,
                        "database checked after an unclean stop in %d ms: removed %d uploads and %d users rows that"
                                + " H2 kept of unfinished commits; %d NIDs unregistered and %d registered again",
                        ms,
                        report.uploadsRemoved(),
                        report.usersRemoved(),
                        report.nidsUnregistered(),
                        report.nidsRegistered()));
            }
        }
        // Not written through: whatever H2 writes of this run's commits later holds this row as it is now.
        jdbi.useHandle(h -> h.createUpdate(OPENED).execute());
    }

    /**
     * Marks a clean stop, written through to the file: called when the store closes, after the last commit. (H2 writes
     * a commit to the file within its write delay, and a process may end before its pool has closed H2.)
     */
    static void cleanStop(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            h.createUpdate(CLOSED).execute();
            h.execute("CHECKPOINT");
        });
    }

    /**
     * Removes what unfinished commits left, in the caller's transaction: among the uploads and users rows of a seq above
     * {@code seqAtOpen} (the run that did not stop cleanly), then in {@code registered_nids}.
     */
    static Report check(Handle h, long seqAtOpen) throws SQLException {
        Map<Long, Long> usersPerUpload = new HashMap<>();
        try (PreparedStatement ps = h.getConnection().prepareStatement(USERS_PER_UPLOAD_AFTER)) {
            ps.setLong(1, seqAtOpen);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    usersPerUpload.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        int uploadsRemoved = 0;
        long usersRemoved = 0;
        List<Map<String, Object>> uploads =
                h.createQuery(UPLOADS_AFTER).bind(0, seqAtOpen).mapToMap().list();
        for (Map<String, Object> u : uploads) {
            long seq = ((Number) u.get("seq")).longValue();
            long committed = ((Number) u.get("committed")).longValue();
            Long rows = usersPerUpload.remove(seq);
            long found = rows == null ? 0 : rows;
            // the counts a commit sets last, still as the uploads row was inserted: the commit did not finish
            boolean unset = committed == 0
                    && ((Number) u.get("skipped")).longValue() == 0
                    && ((Number) u.get("records")).longValue() > 0;
            if (found != committed || unset) {
                String id = (String) u.get("id");
                LOG.error(
                        "upload {} ({}, of {}) was not kept whole by the database after an unclean stop: {} of its {}"
                                + " users rows were found; it is removed, and must be uploaded and committed again if"
                                + " its commit was answered",
                        id,
                        u.get("file_name"),
                        u.get("owner"),
                        found,
                        committed);
                usersRemoved += h.createUpdate(DELETE_USERS).bind("seq", seq).execute();
                h.createUpdate(DELETE_EDITS).bind("id", id).execute();
                h.createUpdate(DELETE_UPLOAD).bind("seq", seq).execute();
                uploadsRemoved++;
            }
        }
        for (Map.Entry<Long, Long> orphan : usersPerUpload.entrySet()) {
            LOG.error(
                    "{} users rows of an unfinished commit (upload_seq {}, no uploads row) were kept by the database"
                            + " after an unclean stop; they are removed",
                    orphan.getValue(),
                    orphan.getKey());
            usersRemoved +=
                    h.createUpdate(DELETE_USERS).bind("seq", orphan.getKey()).execute();
        }
        long[] reconciled = reconcileRegistered(h);
        return new Report(uploadsRemoved, usersRemoved, reconciled[0], reconciled[1]);
    }

    /**
     * Makes {@code registered_nids} the set of {@code users.registered_nid}: the NIDs no user registers are deleted,
     * those missing inserted. Returns both counts.
     */
    private static long[] reconcileRegistered(Handle h) throws SQLException {
        long[] users = sortedLongs(h.getConnection(), USERS_REGISTERED);
        long[] registered = sortedLongs(h.getConnection(), REGISTERED);
        List<Long> extra = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < users.length || j < registered.length) {
            if (j == registered.length || (i < users.length && users[i] < registered[j])) {
                missing.add(users[i]);
                i = next(users, i);
            } else if (i == users.length || registered[j] < users[i]) {
                extra.add(registered[j++]);
            } else {
                i = next(users, i);
                j++;
            }
        }
        run(h, UNREGISTER, extra);
        run(h, REGISTER, missing);
        return new long[] {extra.size(), missing.size()};
    }

    /** The position after {@code values[i]} and its repeats. */
    private static int next(long[] values, int i) {
        int n = i + 1;
        while (n < values.length && values[n] == values[i]) {
            n++;
        }
        return n;
    }

    private static void run(Handle h, String sql, List<Long> nids) {
        if (nids.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch(sql);
        for (long nid : nids) {
            batch.bind("nid", nid).add();
        }
        batch.execute();
    }

    /** The first column of every row, as numbers, sorted. */
    private static long[] sortedLongs(Connection c, String sql) throws SQLException {
        long[] values = new long[1024];
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (n == values.length) {
                        values = Arrays.copyOf(values, 2 * n);
                    }
                    values[n++] = Long.parseLong(rs.getString(1));
                }
            }
        }
        long[] out = Arrays.copyOf(values, n);
        Arrays.sort(out);
        return out;
    }
}
