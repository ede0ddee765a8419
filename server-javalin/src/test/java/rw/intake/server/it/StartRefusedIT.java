package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A setting the server cannot start with stops the real jar with one line naming the variable and status 1, not a
 * stack trace.
 */
final class StartRefusedIT {

    /** A second server on the H2 file a running one holds. */
    @Test
    void h2FileInUse_oneLineAndStatus1() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Paths.get("target"), "in-use-");
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("intake");
        try (ServerProcess running = ServerProcess.start("h2-in-use", ServerProcess.env(url))) {
            assertThat(running.process().isAlive()).isTrue();

            Refusal second = start(Map.of("DB_URL", url));

            assertThat(second.status()).as(second.output()).isEqualTo(1);
            assertThat(second.output().strip())
                    .isEqualTo("intake cannot start: the database is in use by another process (a running server):"
                            + " stop it first");
        }
    }

    /**
     * An H2 file whose folder is a file, or one that cannot be made: one line naming the folder (H2 first printed the
     * stack traces of its own trace file, then blamed a compaction after an unclean stop).
     */
    @Test
    void h2FolderIsAFileOrCannotBeMade_oneLineAndStatus1() throws IOException, InterruptedException {
        Path file =
                Files.createTempFile(Paths.get("target"), "not-a-folder-", "").toAbsolutePath();
        for (String url :
                new String[] {"jdbc:h2:file:" + file.resolve("intake"), "jdbc:h2:" + file.resolve("a/intake")}) {
            Refusal refusal = start(Map.of("DB_URL", url));

            assertThat(refusal.status()).as(refusal.output()).isEqualTo(1);
            assertThat(refusal.output().strip().lines())
                    .as(url)
                    .singleElement()
                    .asString()
                    .startsWith("intake cannot start: cannot open the database " + url + ": its folder " + file)
                    .doesNotContain("unclean");
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "PORT|abc|intake cannot start: PORT must be a whole number: abc",
                "JWT_SECRET|short-secret|intake cannot start: JWT_SECRET must be at least 32 bytes long (UTF-8)",
                "STAGING|disk|intake cannot start: STAGING must be memory or redis: disk"
            })
    void badSetting_oneLineAndStatus1(String variable, String value, String line)
            throws IOException, InterruptedException {
        Refusal refusal = start(Map.of("DB_URL", "jdbc:h2:mem:refused", variable, value));

        assertThat(refusal.status()).as(refusal.output()).isEqualTo(1);
        assertThat(refusal.output().strip()).isEqualTo(line);
    }

    /**
     * A start that fails once the database is open (the port taken, a Redis URL that is none) ends with one line and
     * status 1 too, names no password, and closes the database first: the next start finds it stopped cleanly.
     */
    @Test
    void failureAfterTheDatabaseOpened_oneLineStatus1_databaseClosedCleanly() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Paths.get("target"), "refused-");
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("intake");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Refusal port = start(Map.of("DB_URL", url, "PORT", Integer.toString(taken.getLocalPort())));

            assertThat(port.status()).as(port.output()).isEqualTo(1);
            assertThat(lastLine(port)).startsWith("intake cannot start: ").contains("port");
            assertThat(port.output()).doesNotContain("\tat ");
        }
        Refusal redis =
                start(Map.of("DB_URL", url, "STAGING", "redis", "REDIS_URL", "http://:Secret-pw-1@127.0.0.1:1"));

        assertThat(redis.status()).as(redis.output()).isEqualTo(1);
        assertThat(lastLine(redis))
                .isEqualTo("intake cannot start: REDIS_URL is not a Redis URL (redis://[:password@]host:port[/db]):"
                        + " http://:***@127.0.0.1:1");
        assertThat(redis.output()).doesNotContain("Secret-pw-1", "\tat ", "not stopped cleanly");
    }

    private static String lastLine(Refusal r) {
        String[] lines = r.output().strip().split("\\R");
        return lines[lines.length - 1];
    }

    private record Refusal(int status, String output) {}

    /** Runs the jar with {@code env} until it exits (within a minute). */
    private static Refusal start(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("intake.server.jar", "target/intake-server.jar"));
        pb.environment().putAll(env);
        Process process = pb.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Refusal(process.exitValue(), output);
    }
}
