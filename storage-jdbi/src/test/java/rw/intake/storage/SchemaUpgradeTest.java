package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import rw.intake.storage.internal.JdbiStorage;
import rw.intake.validation.ValidatedRecord;

/** A database holding users committed under the first schema keeps working after the later migrations. */
final class SchemaUpgradeTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void usersCommittedUnderV1_areListedFilteredAndStillRegisterTheirNids(DatabaseKind kind) {
        try (TestDatabase db = TestDatabase.upgraded(
                kind,
                "1",
                upload("old-b", "bob", 3),
                upload("old-a", "alice", 2),
                Records.insertByHand("old-b", 3, Records.nid(2), true),
                Records.insertByHand("old-b", 2, Records.nid(1), true),
                Records.insertByHand("old-b", 4, "bad", false),
                Records.insertByHand("old-a", 2, Records.nid(3), true),
                Records.insertByHand("old-a", 3, Records.nid(4), true),
                Records.insertByHand("by-hand", 2, Records.nid(5), true))) {
            UserStore users = db.storage().users();

            assertThat(users.users(new UserQuery(1, 10, null, null, null)).totalItems())
                    .isEqualTo(6);
            Page<CommittedUser> bobs = users.users(new UserQuery(1, 10, "old-b", null, null));
            assertThat(bobs.items()).extracting(CommittedUser::row).containsExactly(2, 3, 4);
            assertThat(bobs.items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(1), Records.nid(2), "bad");
            assertThat(users.users(new UserQuery(1, 10, null, false, "bob")).items())
                    .extracting(CommittedUser::row)
                    .containsExactly(4);
            assertThat(users.users(new UserQuery(1, 10, null, true, "alice")).totalItems())
                    .isEqualTo(2);
            assertThat(users.isCommitted("old-a")).isTrue();

            List<ValidatedRecord> records = List.of(
                    Records.valid(2, Records.nid(1)),
                    Records.valid(3, Records.nid(5)),
                    Records.valid(4, Records.nid(6)));
            CommitResult result = users.commit(Records.request("new", "alice", CommitMode.ALL, records), records);
            assertThat(result.conflicts()).isEqualTo(2);
            assertThat(users.users(new UserQuery(1, 10, "new", true, null)).items())
                    .extracting(CommittedUser::nid)
                    .containsExactly(Records.nid(6));
            assertThat(users.users(new UserQuery(1, 10, null, null, "alice")).totalItems())
                    .isEqualTo(5);
        }
    }

    /**
     * MariaDB commits each DDL statement on its own: a start stopped during a migration leaves some of its statements
     * done and no row for it in the history, and the start after that, running it again, a failed row. The next start
     * runs it again all the same, and the schema is the one a whole run makes.
     */
    @ParameterizedTest(name = "V{0}, {1} statement(s) done, a failed row: {2}")
    @CsvSource({
        "7, 1, false",
        "7, 1, true",
        "9, 1, false",
        "9, 1, true",
        "10, 1, true",
        "11, 1, false",
        "11, 1, true",
        "11, 3, true",
        "11, 5, false",
        "11, 6, true",
        "11, 7, false",
        "12, 1, false",
        "12, 1, true"
    })
    void mariaDb_aMigrationCutShort_runsAgainAtTheNextStart(String version, int done, boolean failed) {
        List<String> setup = new ArrayList<>();
        if (version.equals("11")) {
            setup.add(upload("old", "bob", 2));
            setup.add("INSERT INTO record_edits (upload_id, `row_number`, field, old_value, new_value, account,"
                    + " edited_at) VALUES ('old', 2, 'nid', 'a', 'b', 'bob', CURRENT_TIMESTAMP)");
        }
        setup.addAll(statements(version).subList(0, done));
        if (failed) {
            setup.add("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) SELECT MAX(installed_rank) + 1, '" + version
                    + "', 'cut short', 'SQL', '" + MARIADB_SCRIPTS.get(version) + "', NULL, 'root', 0, 0"
                    + " FROM flyway_schema_history");
        }
        String before = List.of("6", "7", "9", "10", "11")
                .get(List.of("7", "9", "10", "11", "12").indexOf(version));

        try (TestDatabase db = TestDatabase.upgraded(DatabaseKind.MARIADB, before, setup.toArray(String[]::new))) {
            assertThat(db.queryLong("SELECT COUNT(*) FROM flyway_schema_history WHERE success = 0"))
                    .isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM flyway_schema_history WHERE version IN ('11', '12')"
                            + " AND success = 1"))
                    .isEqualTo(2);
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                            + " AND TABLE_NAME = 'refresh_tokens' AND COLUMN_NAME IN ('used_at', 'successor')"))
                    .isEqualTo(2);
            assertThat(db.queryRows("SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS"
                            + " WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME IN"
                            + " ('record_edits_upload_fk', 'users_valid_registered') ORDER BY 1"))
                    .containsExactly(
                            List.of("record_edits", "record_edits_upload_fk"),
                            List.of("users", "users_valid_registered"));
            assertThat(db.queryRows("SELECT DISTINCT TABLE_COLLATION FROM information_schema.TABLES"
                            + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'flyway_schema_history'"))
                    .containsExactly(List.of("utf8mb4_nopad_bin"));
            assertThat(db.queryLong("SELECT COUNT(*) FROM record_edits")).isEqualTo(version.equals("11") ? 1 : 0);
            assertThat(db.queryLong("SELECT COUNT(*) FROM uploads WHERE sheet IS NULL"))
                    .isEqualTo(version.equals("11") ? 1 : 0);
        }
    }

    private static final Map<String, String> MARIADB_SCRIPTS = Map.of(
            "7", "V7__record_edits.sql",
            "9", "V9__valid_registers_nid.sql",
            "10", "V10__upload_sheet.sql",
            "11", "V11__nopad_collation.sql",
            "12", "V12__refresh_resend.sql");

    /** The statements of a MariaDB migration, in order. */
    private static List<String> statements(String version) {
        String resource = "/db/migration/mariadb/" + MARIADB_SCRIPTS.get(version);
        try (InputStream in = SchemaUpgradeTest.class.getResourceAsStream(resource)) {
            String script = new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
            String code = script.lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"));
            return Arrays.stream(code.split(";"))
                    .map(String::strip)
                    .filter(sql -> !sql.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String upload(String id, String owner, int records) {
        return "INSERT INTO uploads (id, owner, file_name, records, valid_records, invalid_records, with_warnings, blank_rows,"
                + " commit_mode, committed, skipped, conflicts, committed_at) VALUES ('" + id + "', '" + owner + "', '"
                + id
                + ".xlsx', " + records + ", 0, 0, 0, 0, 'all', " + records + ", 0, 0, CURRENT_TIMESTAMP)";
    }

    /**
     * Two instances started at once on an empty PostgreSQL schema: each says, once migrated, the version the schema is
     * at and how many of the migrations it found pending it ran itself (the one that waited for the other's lock ran
     * none), never a version of none.
     */
    @Test
    void twoStartsAtOnce_eachLogsTheVersionTheSchemaIsAt() throws Exception {
        String base = EmbeddedServers.url(DatabaseKind.POSTGRESQL);
        String schema = "t_race_" + Long.toHexString(System.nanoTime());
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try (Connection c = DriverManager.getConnection(base);
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        Logger logger = (Logger) LoggerFactory.getLogger(JdbiStorage.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        ExecutorService starts = Executors.newFixedThreadPool(2);
        CyclicBarrier together = new CyclicBarrier(2);
        List<Storage> opened = new ArrayList<>();
        try {
            List<Future<Storage>> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                both.add(starts.submit(() -> {
                    together.await();
                    return Storage.open(DatabaseConfig.of(url, "", ""));
                }));
            }
            for (Future<Storage> f : both) {
                opened.add(f.get(2, TimeUnit.MINUTES));
            }
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
            opened.forEach(Storage::close);
            starts.shutdownNow();
            try (Connection c = DriverManager.getConnection(base);
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        List<String> at = lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("the schema is at version"))
                .toList();
        assertThat(at).isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("the schema is at version 12 ("));
    }
}
