package rw.intake.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the database is.
 *
 * @param jdbcUrl     e.g. {@code jdbc:h2:file:./data/intake}, {@code jdbc:postgresql://127.0.0.1:5432/test},
 *                    {@code jdbc:mariadb://127.0.0.1:3306/test}
 * @param username    may be empty
 * @param password    may be empty
 * @param maxPoolSize the connection pool's size
 * @param connectionTimeout how long a statement waits for a connection before it fails as
 *                          {@linkplain Storage#isUnavailable unavailable} (at least 250 ms, HikariCP's minimum)
 */
public record DatabaseConfig(
        String jdbcUrl, String username, String password, int maxPoolSize, Duration connectionTimeout) {

    /** The connection timeout by default: short, so that a request fails fast when the database is down. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(3);

    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be >= 1");
        }
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms: " + connectionTimeout);
        }
    }

    /** With the {@linkplain #DEFAULT_CONNECTION_TIMEOUT default connection timeout}. */
    public DatabaseConfig(String jdbcUrl, String username, String password, int maxPoolSize) {
        this(jdbcUrl, username, password, maxPoolSize, DEFAULT_CONNECTION_TIMEOUT);
    }

    public static DatabaseConfig of(String jdbcUrl, String username, String password) {
        return new DatabaseConfig(jdbcUrl, username, password, 8);
    }
}
