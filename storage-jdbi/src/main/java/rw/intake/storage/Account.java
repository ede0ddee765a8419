package rw.intake.storage;

import java.time.Instant;

/**
 * A user of the service.
 *
 * @param passwordHash an encoded slow hash (the server's format); never a password
 * @param role         {@code clerk} or {@code admin}
 * @param disabled     whether the account is refused at login and at refresh
 */
public record Account(
        long id, String username, String passwordHash, String role, Instant createdAt, boolean disabled) {}
