package rw.intake.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts in the {@code accounts} table, and their refresh tokens in {@code refresh_tokens} (each usable once; a
 * used one is kept until it expires so that a second use is recognised). Thread-safe.
 */
public interface AccountStore {

    Optional<Account> find(String username);

    /** Every account, by username. */
    List<Account> list();

    /**
     * Creates an account.
     *
     * @throws UsernameTakenException if the username is taken
     */
    Account create(String username, String passwordHash, String role);

    /**
     * Replaces an account's password hash and deletes its refresh tokens, in one transaction; false if there is no
     * such account.
     */
    boolean updatePassword(String username, String passwordHash);

    /**
     * Disables or enables an account; disabling deletes its refresh tokens in the same transaction. Empty if there is
     * no such account.
     *
     * @throws LastAdminException if disabling would leave no enabled admin (checked under row locks, so two admins
     *                            disabling each other at once cannot both succeed)
     */
    default Optional<Account> setDisabled(String username, boolean disabled) {
        return setDisabled(username, disabled, UnaryOperator.identity());
    }

    /**
     * As {@link #setDisabled(String, boolean)}; disabling also replaces the password hash by {@code rehash} of the
     * stored one, under the same row lock, so that a password set at that moment is neither lost nor overwritten.
     */
    Optional<Account> setDisabled(String username, boolean disabled, UnaryOperator<String> rehash);

    /** How many accounts have this role. */
    long countWithRole(String role);

    /**
     * Stores a newly issued refresh token (the first of its family) if its account is enabled and still has the
     * password hash {@code passwordHash} (the one a sign-in checked), under the account's row lock; false, storing
     * nothing, otherwise. So a password change or a disable that commits between a sign-in's check and this leaves no
     * token of it, as one that commits after deletes it.
     */
    boolean addRefreshToken(RefreshToken token, String passwordHash);

    /**
     * Uses refresh token {@code usedId} of account {@code accountId} once, in one transaction: if it is stored, unused
     * and not expired at {@code now}, it is marked used at {@code now} and {@code next} is stored in its family
     * ({@link Rotation#ROTATED}). If it was used before, and this comes within {@code resend} of that use while the
     * successor that use stored was not used yet (its answer lost, most likely), that successor is marked used (so it
     * never refreshes, and a later sending of it ends the login) and {@code next} takes its place
     * ({@link Rotation#RESENT}); a used token otherwise has every token of its family deleted ({@link Rotation#REUSED}).
     * Anything else changes nothing ({@link Rotation#UNKNOWN}). The account's row is locked first, as every change of
     * its tokens here locks it, so that a sign-out, a password change or a disable at the same moment comes wholly
     * before the rotation or wholly after it (deleting {@code next} too), and none deadlocks with it.
     */
    Rotation rotateRefreshToken(String usedId, long accountId, RefreshToken next, Instant now, Duration resend);

    /**
     * Deletes every refresh token of {@code family} (one login's, rotated from its first) of account {@code username}'s
     * login, under the account's row lock: a sign-out. Returns how many; 0 for a family that holds none.
     */
    int revokeRefreshFamily(String username, String family);

    /** Deletes the refresh tokens that expired at or before {@code now}; returns how many. */
    int deleteExpiredRefreshTokens(Instant now);
}
