package rw.intake.storage;

import java.util.Optional;

/** Accounts in the {@code accounts} table. Thread-safe. */
public interface AccountStore {

    Optional<Account> find(String username);

    /**
     * Creates an account.
     *
     * @throws UsernameTakenException if the username is taken
     */
    Account create(String username, String passwordHash, String role);

    /** Replaces an account's password hash; false if there is no such account. */
    boolean updatePassword(String username, String passwordHash);

    /** How many accounts have this role. */
    long countWithRole(String role);
}
