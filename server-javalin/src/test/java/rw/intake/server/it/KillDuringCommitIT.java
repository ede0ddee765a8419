package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kill -9 of the real server while it commits 200,000 records, on each database (PostgreSQL: into a table of its own,
 * attached as a partition; H2 and MariaDB: batched inserts): after a restart nothing of the commit is in the database
 * (H2 may keep part of it, which the restarted store finds and removes, after it compacts the file), no table of it
 * is left, and the same workbook uploads and commits in full.
 */
final class KillDuringCommitIT {

    @ParameterizedTest
    @EnumSource(ItDatabase.Kind.class)
    void killDuringCommit_restart_nothingKept_sameWorkbookCommits(ItDatabase.Kind kind) {
        byte[] workbook = ServerProcess.workbook();
        try (ItDatabase db = ItDatabase.fresh(kind)) {
            String name = "kill-" + kind.name().toLowerCase(java.util.Locale.ROOT);
            try (ServerProcess server = ServerProcess.start(name, ServerProcess.env(db.url()))) {
                String id = server.uploadValidated(workbook);
                CompletableFuture<HttpResponse<String>> commit = server.commitAsync(id);
                assertThat(ServerProcess.poll(Duration.ofSeconds(60), () -> midCommit(server, db, id)))
                        .as("the commit runs")
                        .isTrue();

                server.kill();

                assertThat(commit).failsWithin(Duration.ofSeconds(10));
                if (kind == ItDatabase.Kind.POSTGRESQL) {
                    assertThat(db.queryLong(ItDatabase.STRAY_TABLES))
                            .as("the killed commit's table")
                            .isEqualTo(1);
                }
            }
            try (ServerProcess server = ServerProcess.start(name + "-restarted", ServerProcess.env(db.url()))) {
                assertThat(server.committedUsers()).isZero();
                if (kind == ItDatabase.Kind.H2) {
                    // H2 may keep part of the killed transaction, or a file that cannot take an insert into users
                    // until compacted: the restart compacts the file, then looks for remains (decision 14)
                    assertThat(server.logLines())
                            .anyMatch(line -> line.contains("database file compacted after an unclean stop"))
                            .anyMatch(line -> line.contains("database checked after an unclean stop"));
                } else {
                    assertThat(db.queryLong("SELECT COUNT(*) FROM uploads")).isZero();
                    assertThat(db.queryLong("SELECT COUNT(*) FROM users")).isZero();
                }
                if (kind == ItDatabase.Kind.POSTGRESQL) {
                    assertThat(db.queryLong(ItDatabase.STRAY_TABLES))
                            .as("dropped at start")
                            .isZero();
                    assertThat(db.queryLong("SELECT COUNT(*) FROM registered_nids"))
                            .isZero();
                }

                String again = server.uploadValidated(workbook);
                HttpResponse<String> commit = server.commit(again);

                assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
                assertThat(ServerProcess.json(commit).get("committed").asLong()).isEqualTo(ServerProcess.ROWS);
                assertThat(server.committedUsers()).isEqualTo(ServerProcess.ROWS);
                if (kind == ItDatabase.Kind.POSTGRESQL) {
                    assertThat(db.queryLong(ItDatabase.STRAY_TABLES)).isZero();
                }
            }
        }
    }

    /**
     * Whether the commit is under way: the upload says so, and on PostgreSQL its table exists (the rows are being
     * copied into it).
     */
    private static boolean midCommit(ServerProcess server, ItDatabase db, String id) {
        if (!"committing".equals(server.status(id))) {
            return false;
        }
        return db.kind() != ItDatabase.Kind.POSTGRESQL || db.queryLong(ItDatabase.STRAY_TABLES) == 1;
    }
}
