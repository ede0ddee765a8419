package rw.intake.server.internal.auth;

import java.util.Optional;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.UsernameTakenException;

/** Creating accounts and the first admin, under the account rules (username, role, {@link PasswordPolicy}). */
public final class Accounts {

    /** What a username may be: 1-64 ASCII letters, digits, dots, underscores, at signs or hyphens. */
    public static final String USERNAME_PATTERN = "[A-Za-z0-9._@-]{1,64}";

    private Accounts() {}

    /**
     * Makes sure an admin exists. If none does, creates {@code username} with {@code password}, or with a random
     * password when that is null; returns the random password so the caller can print it once.
     *
     * Instances that start together on a new database may each try; one creates the admin and the others find it.
     *
     * @throws AccountRuleException if an admin has to be created and the username or the password is refused
     * @throws UsernameTakenException if the username belongs to an account that is not an admin
     */
    public static Optional<String> ensureAdmin(AccountStore store, String username, String password) {
        if (store.countWithRole(Principal.ADMIN) > 0) {
            return Optional.empty();
        }
        String pw = password == null ? Passwords.random() : password;
        try {
            create(store, username, pw, Principal.ADMIN, password != null);
        } catch (UsernameTakenException ex) {
            // instances started together on a new database: the first one made the admin
            if (store.countWithRole(Principal.ADMIN) > 0) {
                return Optional.empty();
            }
            throw ex;
        }
        return password == null ? Optional.of(pw) : Optional.empty();
    }

    /**
     * Creates an account after checking the username, password and role.
     *
     * @throws AccountRuleException if one of them is refused
     * @throws rw.intake.storage.UsernameTakenException if the username is taken
     */
    public static Account create(AccountStore store, String username, String password, String role) {
        return create(store, username, password, role, true);
    }

    /**
     * As {@link #create(AccountStore, String, String, String)}; {@code checkPassword} is false for a password of
     * {@link Passwords#random()}, strong by construction, for which the estimator's lists need not be loaded.
     */
    private static Account create(
            AccountStore store, String username, String password, String role, boolean checkPassword) {
        String r = role(role);
        checkUsername(username);
        if (checkPassword) {
            PasswordPolicy.check(password, username);
        }
        return store.create(username, Passwords.hash(password), r);
    }

    /**
     * Replaces an account's password, which ends its refresh tokens; false if there is no such account.
     *
     * @throws AccountRuleException if the password is refused
     */
    public static boolean setPassword(AccountStore store, String username, String password) {
        PasswordPolicy.check(password, username);
        return store.updatePassword(username, Passwords.hash(password));
    }

    /** The role, if it is exactly {@code clerk} or {@code admin} (as the API's schema says; no other spelling). */
    static String role(String role) {
        if (!Principal.ADMIN.equals(role) && !Principal.CLERK.equals(role)) {
            throw new AccountRuleException("account.invalid_role", "role must be \"clerk\" or \"admin\"");
        }
        return role;
    }

    static void checkUsername(String username) {
        if (!username.matches(USERNAME_PATTERN)) {
            throw new AccountRuleException(
                    "account.invalid_username", "username must be 1-64 ASCII letters, digits, '.', '_', '@' or '-'");
        }
        if (username.chars().allMatch(c -> c == '.')) {
            // "." and ".." are steps of a path: /api/v1/accounts/../password would name another resource
            throw new AccountRuleException("account.invalid_username", "username must not be dots alone");
        }
    }
}
