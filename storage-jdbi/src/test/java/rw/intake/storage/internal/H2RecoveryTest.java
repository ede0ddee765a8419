package rw.intake.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Records;
import rw.intake.storage.Storage;
import rw.intake.storage.UserQuery;
import rw.intake.validation.ValidatedRecord;

/**
 * What an embedded H2 database holds after an unclean stop, as H2 2.5 leaves it at times: part of an unfinished
 * commit. The remains are written by hand into a real file database whose last stop was not marked clean (as after
 * kill -9: the mark the store cleared when it opened is still cleared); the next open removes them, and leaves
 * whole commits alone.
 */
final class H2RecoveryTest {

    @Test
    void uncleanStop_partOfACommitKept_openRemovesIt_wholeCommitsStay(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake");
        List<ValidatedRecord> earlier = Records.validRange(300, 10);
        List<ValidatedRecord> whole = Records.validRange(0, 100);
        List<ValidatedRecord> cut = Records.validRange(100, 100);
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            storage.users().commit(Records.request("earlier", "alice", CommitMode.ALL, earlier), earlier);
        }
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            storage.users().commit(Records.request("whole", "alice", CommitMode.ALL, whole), whole);
            storage.users().commit(Records.request("cut", "bob", CommitMode.ALL, cut), cut);
        }
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            // a user deleted by hand from an upload of an earlier run: not a remain, and not judged
            s.execute("DELETE FROM users WHERE nid = '" + Records.nid(300) + "'");
            long cutSeq = one(s, "SELECT seq FROM uploads WHERE id = 'cut'");
            // an uploads row with part of its users (the trigger unregisters the NIDs of those deleted)
            s.execute("DELETE FROM users WHERE upload_seq = " + cutSeq + " AND \"row_number\" > 60");
            // users rows whose uploads row was not kept
            s.execute(Records.insertByHand("lost", 1, Records.nid(500), true));
            s.execute(Records.insertByHand("lost", 2, Records.nid(501), true));
            s.execute("UPDATE users SET upload_seq = " + (cutSeq + 1) + " WHERE upload_id = 'lost'");
            // a NID registered with no user, and a user's NID missing from registered_nids
            s.execute("INSERT INTO registered_nids (nid) VALUES (" + Records.nid(700) + ")");
            s.execute("DELETE FROM registered_nids WHERE nid = " + Records.nid(5));
            s.execute("UPDATE clean_stop SET clean = FALSE"); // the last stop was not clean
        }

        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            assertThat(usersOf(url, "whole")).isEqualTo(100);
            assertThat(usersOf(url, "earlier")).isEqualTo(9);
            assertThat(usersOf(url, "cut")).isZero();
            assertThat(usersOf(url, "lost")).isZero();
            assertThat(count(url, "SELECT COUNT(*) FROM uploads")).isEqualTo(2);
            List<Long> registered = nids(0, 100);
            registered.addAll(nids(301, 9));
            assertThat(registeredNids(url)).isEqualTo(registered);

            CommitResult again = storage.users().commit(Records.request("cut-again", "bob", CommitMode.ALL, cut), cut);
            assertThat(again.committed()).isEqualTo(100);
            assertThat(again.conflicts()).isZero();
        }
    }

    @Test
    void cleanStop_nothingChecked(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake");
        List<ValidatedRecord> records = Records.validRange(0, 10);
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            storage.users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
        }
        assertThat(count(url, "SELECT COUNT(*) FROM clean_stop WHERE clean")).isEqualTo(1);
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            // a row written by hand between two clean runs: not a remain of a commit, and not looked at
            s.execute("INSERT INTO registered_nids (nid) VALUES (" + Records.nid(700) + ")");
        }

        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            assertThat(count(url, "SELECT COUNT(*) FROM clean_stop WHERE clean"))
                    .as("cleared while open")
                    .isZero();
            assertThat(count(url, "SELECT COUNT(*) FROM registered_nids")).isEqualTo(11);
            assertThat(storage.users()
                            .users(new UserQuery(1, 10, "u1", true, null))
                            .totalItems())
                    .isEqualTo(10);
        }
    }

    @Test
    void connectionInUseAtClose_stopNotMarkedClean_nextOpenChecks(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake");
        List<ValidatedRecord> records = Records.validRange(0, 10);
        Storage first = Storage.open(DatabaseConfig.of(url, "sa", ""));
        first.users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
        // a transaction still running when the store closes (a commit past the grace period, a rehearsal)
        // (not closed by the test: closing the pool aborts it)
        Connection running = first.dataSource().getConnection();
        running.setAutoCommit(false);
        try (Statement s = running.createStatement()) {
            s.execute("UPDATE uploads SET skipped = skipped WHERE id = 'u1'");
        }
        first.close();
        assertThat(count(url, "SELECT COUNT(*) FROM clean_stop WHERE clean")).isZero();

        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            assertThat(storage.users()
                            .users(new UserQuery(1, 10, "u1", true, null))
                            .totalItems())
                    .as("a whole commit is not removed by the check")
                    .isEqualTo(10);
        }
        assertThat(count(url, "SELECT COUNT(*) FROM clean_stop WHERE clean"))
                .as("a store closed with no connection in use marks its stop clean")
                .isEqualTo(1);
    }

    @Test
    void uncleanStop_fileCompactedBeforeTheStoreOpens_notAfterACleanStop_norWhileOpenElsewhere(@TempDir Path dir)
            throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake");
        Path file = dir.resolve("intake.mv.db");
        List<ValidatedRecord> records = Records.validRange(0, 20_000);
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            storage.users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);
        }
        assertThat(H2Recovery.compactAfterUncleanStop(url, "sa", ""))
                .as("after a clean stop")
                .isFalse();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            // the space of rows deleted stays in the file until it is compacted
            s.execute("DELETE FROM users");
            s.execute("DELETE FROM uploads");
            s.execute("UPDATE clean_stop SET clean = FALSE"); // the last stop was not clean
            assertThat(H2Recovery.compactAfterUncleanStop(url, "sa", ""))
                    .as("while another connection has it open")
                    .isFalse();
        }
        long before = Files.size(file);

        assertThat(H2Recovery.compactAfterUncleanStop(url, "sa", "")).isTrue();

        assertThat(Files.size(file)).isLessThan(before);
        assertThat(count(url, "SELECT COUNT(*) FROM clean_stop WHERE clean"))
                .as("still unclean: the store's check runs when it opens")
                .isZero();
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""))) {
            CommitResult again =
                    storage.users().commit(Records.request("u2", "alice", CommitMode.ALL, records), records);
            assertThat(again.committed()).isEqualTo(records.size());
        }
        assertThat(H2Recovery.compactAfterUncleanStop(url, "sa", "")).isFalse();
        assertThat(H2Recovery.compactAfterUncleanStop("jdbc:h2:mem:compact", "sa", ""))
                .isFalse();
    }

    /** The NIDs of {@link Records#validRange}, in order. */
    private static List<Long> nids(int first, int count) {
        List<Long> nids = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            nids.add(Long.parseLong(Records.nid(i)));
        }
        return nids;
    }

    private static List<Long> registeredNids(String url) throws SQLException {
        List<Long> nids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT nid FROM registered_nids ORDER BY nid")) {
            while (rs.next()) {
                nids.add(rs.getLong(1));
            }
        }
        return nids;
    }

    private static long usersOf(String url, String uploadId) throws SQLException {
        return count(url, "SELECT COUNT(*) FROM users WHERE upload_id = '" + uploadId + "'");
    }

    private static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            return one(s, sql);
        }
    }

    private static long one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
