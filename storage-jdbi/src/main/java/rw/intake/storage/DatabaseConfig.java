package rw.intake.storage;

import java.util.Objects;

/**
 * Where the database is.
 *
 * @param jdbcUrl     e.g. {@code jdbc:h2:file:./data/intake}, {@code jdbc:postgresql://127.0.0.1:5432/test},
 *                    {@code jdbc:mariadb://127.0.0.1:3306/test}
 * @param username    may be empty
 * @param password    may be empty
 * @param maxPoolSize the connection pool's size
 */
public record DatabaseConfig(String jdbcUrl, String username, String password, int maxPoolSize) {

    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be >= 1");
        }
    }

    public static DatabaseConfig of(String jdbcUrl, String username, String password) {
        return new DatabaseConfig(jdbcUrl, username, password, 8);
    }
}
