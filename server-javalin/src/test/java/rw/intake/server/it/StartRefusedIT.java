package rw.intake.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A setting the server cannot start with stops the real jar with one line naming the variable and status 1, not a
 * stack trace.
 */
final class StartRefusedIT {

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
        ProcessBuilder pb = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("intake.server.jar", "target/intake-server.jar"));
        pb.environment().put("DB_URL", "jdbc:h2:mem:refused");
        pb.environment().put(variable, value);
        Process process = pb.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output.strip()).isEqualTo(line);
    }
}
