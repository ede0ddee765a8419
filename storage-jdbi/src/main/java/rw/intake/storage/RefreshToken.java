package rw.intake.storage;

import java.time.Instant;

/**
 * A refresh token as the database keeps it: not the token itself, only what makes it usable once.
 *
 * @param id        the token's unique id (its JWT id)
 * @param family    the id shared by every token rotated from one login
 * @param accountId the account it was issued to
 * @param expiresAt when it expires (the row may be deleted from then on)
 */
public record RefreshToken(String id, String family, long accountId, Instant expiresAt) {}
