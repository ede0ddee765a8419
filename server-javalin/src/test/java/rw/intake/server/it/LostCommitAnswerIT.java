package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/**
 * A commit whose {@code COMMIT} the database makes after the server stopped waiting for its answer: a private
 * PostgreSQL cluster ({@link PrivatePostgres}) told, while the commit waits for a lock the test holds, to wait for a
 * synchronous standby that does not exist, so that the commit's {@code COMMIT} hangs (as behind a standby that
 * stalls) until the test lets it go. The server answers 503 after its network timeout and tries to drop the
 * partition it loaded (when the commit has one); then the database commits. The commit must be whole in the database:
 * the drop must not run after the commit it meant to undo. Committing again is 409 and the upload shows the commit.
 */
final class LostCommitAnswerIT {

    private static final int ROWS = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"partition", "one transaction"})
    void commitMadeAfterItsAnswerWasLost_keptWhole_uploadShowsIt(String path) throws SQLException {
        assumeTrue(PrivatePostgres.available(), "no PostgreSQL 15 binaries, runuser or root: skipped");
        String name = "lost-commit-" + path.replace(' ', '-');
        byte[] workbook = SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 21));
        try (PrivatePostgres pg = PrivatePostgres.start(name);
                ServerProcess server = ServerProcess.start(
                        name,
                        ServerProcess.env(
                                pg.url(),
                                // with the warm-up, as this test's waits are set for: without it, the partition's
                                // two loads were still writing when the test took the commit for held by its lock
                                "WARMUP",
                                "true",
                                "DB_NETWORK_TIMEOUT_SECONDS",
                                "10",
                                "DB_PARTITION_MIN_RECORDS",
                                path.equals("partition") ? "1000" : "0"))) {
            String id = server.uploadValidated(workbook);
            assertThat(server.committedUsers()).isZero(); // the warm-up's rehearsed commits are over
            CompletableFuture<HttpResponse<String>> commit;
            try (Connection holder = DriverManager.getConnection(pg.url());
                    Connection admin = DriverManager.getConnection(pg.url())) {
                admin.setAutoCommit(true);
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    // the partition's ATTACH and the small commit's rows both wait for this lock
                    s.execute("LOCK TABLE users IN SHARE MODE");
                }
                commit = server.commitAsync(id);
                // and no load of the partition's (each a transaction of its own) is still writing: on a busy machine
                // one could still be, and would then wait for the standby at its own COMMIT too
                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(60),
                                () -> count(
                                                        admin,
                                                        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                                                > 0
                                        && count(
                                                        admin,
                                                        "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active'"
                                                                + " AND query LIKE 'COPY %'"
                                                                + " AND wait_event_type IS DISTINCT FROM 'Lock'")
                                                == 0))
                        .as("the commit waits for the test's lock")
                        .isTrue();
                execute(admin, "ALTER SYSTEM SET synchronous_standby_names = 'nowhere'");
                execute(admin, "SELECT pg_reload_conf()");
                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(30), () -> standby(pg).equals("nowhere")))
                        .isTrue();
                holder.rollback();

                HttpResponse<String> lost = server.answer(commit);
                assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
                assertThat(ServerProcess.json(lost).get("code").asText()).isEqualTo("database.unavailable");
                assertThat(count(
                                admin,
                                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
                                        + " AND backend_type = 'client backend'"))
                        .as("the commit's COMMIT still waits in the database; waiting: %s", waiting(admin))
                        .isEqualTo(1);

                execute(admin, "ALTER SYSTEM RESET synchronous_standby_names");
                execute(admin, "SELECT pg_reload_conf()");
                assertThat(ServerProcess.poll(
                                Duration.ofSeconds(60),
                                () -> count(
                                                        admin,
                                                        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
                                                                + " OR wait_event_type = 'Lock'")
                                                == 0
                                        && count(admin, "SELECT COUNT(*) FROM uploads") == 1))
                        .isTrue();
            }
            // the server looks for tables to drop when asked whether it is ready
            assertThat(ServerProcess.poll(
                            Duration.ofSeconds(60),
                            () -> server.getPublic("/api/v1/health/ready").statusCode() == 200))
                    .isTrue();

            long committed = ItDatabase.queryLong(pg.url(), "SELECT committed FROM uploads");
            assertThat(committed).isPositive();
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM users"))
                    .as("the users of the commit the database made")
                    .isEqualTo(committed);
            assertThat(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM registered_nids"))
                    .isEqualTo(ItDatabase.queryLong(pg.url(), "SELECT COUNT(*) FROM users WHERE valid"));
            assertThat(ItDatabase.queryLong(pg.url(), ItDatabase.STRAY_TABLES))
                    .as("tables left that are not partitions")
                    .isZero();

            HttpResponse<String> again = server.commit(id);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(ServerProcess.json(again).get("code").asText()).isEqualTo("upload.already_committed");
            JsonNode summary = ServerProcess.json(server.get("/api/v1/uploads/" + id));
            assertThat(summary.get("status").asText()).isEqualTo("committed");
            assertThat(summary.get("commit").get("committed").asLong()).isEqualTo(committed);
            HttpResponse<String> users = server.get("/api/v1/users?size=1&uploadId=" + id);
            assertThat(ServerProcess.json(users).get("totalItems").asLong()).isEqualTo(committed);
        }
    }

    private static String standby(PrivatePostgres pg) {
        try (Connection c = DriverManager.getConnection(pg.url());
                Statement s = c.createStatement();
                var rs = s.executeQuery("SHOW synchronous_standby_names")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What waits in the database, for a failure's message. */
    private static String waiting(Connection c) {
        try (Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT backend_type, wait_event_type, wait_event, query FROM pg_stat_activity"
                        + " WHERE wait_event_type IN ('Lock', 'IPC')")) {
            StringBuilder all = new StringBuilder();
            while (rs.next()) {
                all.append("\n  ")
                        .append(rs.getString(1))
                        .append(' ')
                        .append(rs.getString(2))
                        .append('/')
                        .append(rs.getString(3))
                        .append(": ")
                        .append(rs.getString(4));
            }
            return all.toString();
        } catch (SQLException e) {
            return e.toString();
        }
    }

    private static long count(Connection c, String sql) {
        try (Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
