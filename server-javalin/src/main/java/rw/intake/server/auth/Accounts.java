package rw.intake.server.auth;

import java.util.Locale;
import java.util.Optional;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;

/** Creating accounts and the first admin. */
public final class Accounts {

    private Accounts() {
    }

    /**
     * Makes sure an admin exists. If none does, creates {@code username} with {@code password}, or with a random
     * password when that is null; returns the random password so the caller can print it once.
     */
    public static Optional<String> ensureAdmin(AccountStore store, String username, String password) {
        if (store.countWithRole(Principal.ADMIN) > 0) {
            return Optional.empty();
        }
        String pw = password == null ? Passwords.random() : password;
        store.create(username, Passwords.hash(pw), Principal.ADMIN);
        return password == null ? Optional.of(pw) : Optional.empty();
    }

    /** Creates an account after checking the username, password and role. */
    public static Account create(AccountStore store, String username, String password, String role) {
        String r = role.toLowerCase(Locale.ROOT);
        if (!Principal.ADMIN.equals(r) && !Principal.CLERK.equals(r)) {
            throw new IllegalArgumentException("role must be clerk or admin: " + role);
        }
        if (!username.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException("username must be 1-64 letters, digits or ._@-");
        }
        checkPassword(password);
        return store.create(username, Passwords.hash(password), r);
    }

    /** Replaces an account's password; false if there is no such account. */
    public static boolean setPassword(AccountStore store, String username, String password) {
        checkPassword(password);
        return store.updatePassword(username, Passwords.hash(password));
    }

    private static void checkPassword(String password) {
        if (password.length() < 8) {
            throw new IllegalArgumentException("password must be at least 8 characters");
        }
    }
}
