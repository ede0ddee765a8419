package rw.intake.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rw.intake.server.TestServer;

/**
 * The commit race on PostgreSQL and MariaDB, each in a fresh schema or database, when {@code INTAKE_TEST_POSTGRES_URL}
 * or {@code INTAKE_TEST_MARIADB_URL} is set (a JDBC URL with user and password in it); skipped otherwise. On
 * PostgreSQL also with {@code DB_PARTITION_MIN_RECORDS=1}: both uploads committed into partitions of their own.
 */
final class OtherDatabasesTest {

    @ParameterizedTest
    @CsvSource({"INTAKE_TEST_POSTGRES_URL,", "INTAKE_TEST_POSTGRES_URL,1", "INTAKE_TEST_MARIADB_URL,"})
    void commit_sameNidsAtOnce(String variable, String partitionMinRecords) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ExternalDatabase db = ExternalDatabase.create(variable)) {
            Map<String, String> env = db.env();
            if (partitionMinRecords != null) {
                env.put("DB_PARTITION_MIN_RECORDS", partitionMinRecords);
            }
            try (TestServer server = TestServer.start(env)) {
                ConcurrencyTest.commitRace(server, pool);
                if (!db.maria) {
                    assertThat(db.count("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r'"
                            + " AND relispartition AND relnamespace = '" + db.name + "'::regnamespace"))
                            .isEqualTo(partitionMinRecords == null ? 0 : 2);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
