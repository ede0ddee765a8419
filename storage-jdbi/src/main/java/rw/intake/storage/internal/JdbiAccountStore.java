package rw.intake.storage.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.LastAdminException;
import rw.intake.storage.RefreshToken;
import rw.intake.storage.Rotation;
import rw.intake.storage.StorageException;
import rw.intake.storage.UsernameTakenException;

/** Accounts and their refresh tokens through JDBI. */
final class JdbiAccountStore implements AccountStore {

    private static final String COLUMNS = "id, username, password_hash, role, created_at, disabled";
    private static final String FIND = "SELECT " + COLUMNS + " FROM accounts WHERE username = :username";
    private static final String LIST = "SELECT " + COLUMNS + " FROM accounts ORDER BY username";
    private static final String INSERT = """
        INSERT INTO accounts (username, password_hash, role, created_at)
        VALUES (:username, :passwordHash, :role, :createdAt)""";
    private static final String ID = "SELECT id FROM accounts WHERE username = :username";
    private static final String LOCK = "SELECT " + COLUMNS + " FROM accounts WHERE id = :id FOR UPDATE";
    private static final String UPDATE_PASSWORD = """
        UPDATE accounts SET password_hash = :passwordHash WHERE id = :id""";
    private static final String COUNT_ROLE = """
        SELECT COUNT(*) FROM accounts WHERE role = :role""";
    private static final String LOCK_ENABLED_ADMINS = """
        SELECT username FROM accounts WHERE role = 'admin' AND disabled = FALSE ORDER BY id FOR UPDATE""";
    private static final String SET_DISABLED = """
        UPDATE accounts SET disabled = :disabled WHERE id = :id""";
    private static final String DELETE_ACCOUNT_TOKENS = "DELETE FROM refresh_tokens WHERE account_id = :id";
    private static final String INSERT_TOKEN = """
        INSERT INTO refresh_tokens (id, family, account_id, expires_at) VALUES (:id, :family, :accountId, :expiresAt)""";
    private static final String LOCK_TOKEN = """
        SELECT family, account_id, expires_at, used, used_at, successor FROM refresh_tokens WHERE id = :id FOR UPDATE""";
    private static final String USE_TOKEN = """
        UPDATE refresh_tokens SET used = TRUE, used_at = :now, successor = :successor WHERE id = :id""";
    private static final String SPEND_SUCCESSOR = """
        UPDATE refresh_tokens SET used = TRUE WHERE id = :id AND family = :family AND used = FALSE""";
    private static final String RESUCCEED = "UPDATE refresh_tokens SET successor = :successor WHERE id = :id";
    private static final String DELETE_FAMILY = "DELETE FROM refresh_tokens WHERE family = :family";
    private static final String DELETE_EXPIRED = "DELETE FROM refresh_tokens WHERE expires_at <= :now";

    private final Jdbi jdbi;
    private final Dialect dialect;

    JdbiAccountStore(Jdbi jdbi, Dialect dialect) {
        this.jdbi = jdbi;
        this.dialect = dialect;
    }

    private static Account account(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Account(
                rs.getLong("id"),
                rs.getString("username"),
                rs.getString("password_hash"),
                rs.getString("role"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getBoolean("disabled"));
    }

    /** Runs {@code work} in a transaction, turning JDBI's failures into a storage exception saying what failed. */
    private <T> T inTransaction(String what, HandleCallback<T, RuntimeException> work) {
        return withHandle(what, h -> h.inTransaction(work));
    }

    /** Runs {@code work} on a handle, turning JDBI's failures into a storage exception saying what failed. */
    private <T> T withHandle(String what, HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw new StorageException(what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Account> find(String username) {
        if (UserWriter.holdsNul(username)) {
            return Optional.empty();
        }
        return withHandle(
                "reading account " + username,
                h -> h.createQuery(FIND)
                        .bind("username", username)
                        .map(JdbiAccountStore::account)
                        .findOne());
    }

    @Override
    public List<Account> list() {
        return withHandle(
                "listing accounts",
                h -> h.createQuery(LIST).map(JdbiAccountStore::account).list());
    }

    @Override
    public Account create(String username, String passwordHash, String role) {
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try {
            long id = jdbi.withHandle(h -> h.createUpdate(INSERT)
                    .bind("username", username)
                    .bind("passwordHash", passwordHash)
                    .bind("role", role)
                    .bind("createdAt", createdAt)
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one());
            return new Account(id, username, passwordHash, role, createdAt, false);
        } catch (JdbiException e) {
            SQLException sql = Dialect.sqlCause(e);
            if (sql != null && dialect.isUniqueViolation(sql)) {
                throw new UsernameTakenException(username);
            }
            throw new StorageException("creating account " + username + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean updatePassword(String username, String passwordHash) {
        if (UserWriter.holdsNul(username)) {
            return false;
        }
        return inTransaction("updating account " + username, h -> {
            Optional<Account> account = lock(h, username);
            account.ifPresent(a -> setPassword(h, a.id(), passwordHash));
            return account.isPresent();
        });
    }

    @Override
    public Optional<Account> setDisabled(String username, boolean disabled, UnaryOperator<String> rehash) {
        if (UserWriter.holdsNul(username)) {
            return Optional.empty();
        }
        return inTransaction((disabled ? "disabling" : "enabling") + " account " + username, h -> {
            // The enabled admins are locked first, in one order, so that two of these transactions cannot deadlock.
            List<String> enabledAdmins = disabled
                    ? h.createQuery(LOCK_ENABLED_ADMINS).mapTo(String.class).list()
                    : List.of();
            Optional<Account> account = lock(h, username);
            if (account.isEmpty()) {
                return account;
            }
            if (enabledAdmins.equals(List.of(username))) {
                throw new LastAdminException(username);
            }
            Account a = account.get();
            h.createUpdate(SET_DISABLED)
                    .bind("disabled", disabled)
                    .bind("id", a.id())
                    .execute();
            String hash = a.passwordHash();
            if (disabled) {
                hash = rehash.apply(hash);
                setPassword(h, a.id(), hash);
            }
            return Optional.of(new Account(a.id(), a.username(), hash, a.role(), a.createdAt(), disabled));
        });
    }

    /**
     * Locks account {@code username}'s row and reads it; empty if there is none. Its id is read first without a lock (a
     * username names one account for good), and the row locked by its key: on MariaDB a lock taken through the
     * username's index too made a deadlock with a transaction that held the row and waited for that index entry.
     */
    private static Optional<Account> lock(Handle h, String username) {
        Optional<Long> id =
                h.createQuery(ID).bind("username", username).mapTo(Long.class).findOne();
        return id.isEmpty() ? Optional.empty() : lock(h, id.get());
    }

    /**
     * Locks account {@code id}'s row and reads it; empty if there is none. Every change of an account or of its
     * refresh tokens takes this lock first (the enabled admins' before it, in one order), so that they take turns on
     * one account and none deadlocks with another.
     */
    private static Optional<Account> lock(Handle h, long id) {
        return h.createQuery(LOCK).bind("id", id).map(JdbiAccountStore::account).findOne();
    }

    /** Sets the password hash of the locked account {@code id} and deletes its refresh tokens. */
    private static void setPassword(Handle h, long id, String passwordHash) {
        h.createUpdate(UPDATE_PASSWORD)
                .bind("id", id)
                .bind("passwordHash", passwordHash)
                .execute();
        h.createUpdate(DELETE_ACCOUNT_TOKENS).bind("id", id).execute();
    }

    @Override
    public long countWithRole(String role) {
        return withHandle(
                "counting accounts",
                h -> h.createQuery(COUNT_ROLE)
                        .bind("role", role)
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    public boolean addRefreshToken(RefreshToken token, String passwordHash) {
        return inTransaction("storing a refresh token", h -> {
            boolean standing = lock(h, token.accountId())
                    .filter(a -> !a.disabled() && passwordHash.equals(a.passwordHash()))
                    .isPresent();
            return standing && insert(h, token, token.family()) > 0;
        });
    }

    private static int insert(Handle h, RefreshToken token, String family) {
        return h.createUpdate(INSERT_TOKEN)
                .bind("id", token.id())
                .bind("family", family)
                .bind("accountId", token.accountId())
                .bind("expiresAt", token.expiresAt().truncatedTo(ChronoUnit.MICROS))
                .execute();
    }

    @Override
    public int revokeRefreshFamily(String username, String family) {
        if (UserWriter.holdsNul(username) || UserWriter.holdsNul(family)) {
            return 0;
        }
        return inTransaction("revoking a login's refresh tokens", h -> {
            // a rotation of this login at the same moment comes wholly before (its successor deleted too) or after
            return lock(h, username).isPresent()
                    ? h.createUpdate(DELETE_FAMILY).bind("family", family).execute()
                    : 0;
        });
    }

    @Override
    public Rotation rotateRefreshToken(String usedId, long accountId, RefreshToken next, Instant now, Duration resend) {
        return inTransaction("rotating a refresh token", h -> {
            // the account first, then its token, the order of every change of its tokens (no deadlock): a sign-out,
            // password change or disable that waits for this lock deletes the successor stored here
            if (lock(h, accountId).isEmpty()) {
                return Rotation.UNKNOWN;
            }
            Optional<StoredToken> stored = h.createQuery(LOCK_TOKEN)
                    .bind("id", usedId)
                    .map((rs, ctx) -> new StoredToken(
                            rs.getString("family"),
                            rs.getLong("account_id"),
                            rs.getTimestamp("expires_at").toInstant(),
                            rs.getBoolean("used"),
                            Optional.ofNullable(rs.getTimestamp("used_at")).map(Timestamp::toInstant),
                            Optional.ofNullable(rs.getString("successor"))))
                    .findOne();
            if (stored.isEmpty()) {
                return Rotation.UNKNOWN;
            }
            StoredToken t = stored.get();
            boolean usable = t.accountId() == accountId && t.expiresAt().isAfter(now);
            if (t.used()) {
                if (usable && t.sentAgainWithin(resend, now) && spend(h, t)) {
                    insert(h, next, t.family());
                    h.createUpdate(RESUCCEED)
                            .bind("id", usedId)
                            .bind("successor", next.id())
                            .execute();
                    return Rotation.RESENT;
                }
                h.createUpdate(DELETE_FAMILY).bind("family", t.family()).execute();
                return Rotation.REUSED;
            }
            if (!usable) {
                return Rotation.UNKNOWN;
            }
            h.createUpdate(USE_TOKEN)
                    .bind("id", usedId)
                    .bind("now", now.truncatedTo(ChronoUnit.MICROS))
                    .bind("successor", next.id())
                    .execute();
            insert(h, next, t.family());
            return Rotation.ROTATED;
        });
    }

    /**
     * Marks used the successor that {@code t}'s first answer carried, if it was not used yet (that answer lost, most
     * likely): it never refreshes, and a later sending of it is a second use, ending the login. False if it was used
     * (the answer arrived: this sending is a second use) or is gone.
     */
    private static boolean spend(Handle h, StoredToken t) {
        return t.successor().isPresent()
                && h.createUpdate(SPEND_SUCCESSOR)
                                .bind("id", t.successor().get())
                                .bind("family", t.family())
                                .execute()
                        == 1;
    }

    @Override
    public int deleteExpiredRefreshTokens(Instant now) {
        return withHandle(
                "deleting expired refresh tokens",
                h -> h.createUpdate(DELETE_EXPIRED).bind("now", now).execute());
    }

    private record StoredToken(
            String family,
            long accountId,
            Instant expiresAt,
            boolean used,
            Optional<Instant> usedAt,
            Optional<String> successor) {

        /** Whether a used token sent at {@code now} comes within {@code resend} of its first use. */
        boolean sentAgainWithin(Duration resend, Instant now) {
            return usedAt.isPresent() && !now.isAfter(usedAt.get().plus(resend));
        }
    }
}
