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
