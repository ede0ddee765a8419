package rw.intake.storage.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.StorageException;
import rw.intake.storage.UsernameTakenException;

/** Accounts through JDBI. */
final class JdbiAccountStore implements AccountStore {

    private static final String FIND = """
        SELECT id, username, password_hash, role, created_at FROM accounts WHERE username = :username""";
    private static final String INSERT = """
        INSERT INTO accounts (username, password_hash, role, created_at)
        VALUES (:username, :passwordHash, :role, :createdAt)""";
    private static final String UPDATE_PASSWORD = """
        UPDATE accounts SET password_hash = :passwordHash WHERE username = :username""";
    private static final String COUNT_ROLE = """
        SELECT COUNT(*) FROM accounts WHERE role = :role""";

    private final Jdbi jdbi;
    private final Dialect dialect;

    JdbiAccountStore(Jdbi jdbi, Dialect dialect) {
        this.jdbi = jdbi;
        this.dialect = dialect;
    }

    @Override
    public Optional<Account> find(String username) {
        try {
            return jdbi.withHandle(h -> h.createQuery(FIND).bind("username", username)
                .map((rs, ctx) -> new Account(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
                    rs.getString("role"), rs.getTimestamp("created_at").toInstant()))
                .findOne());
        } catch (JdbiException e) {
            throw new StorageException("reading account " + username + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Account create(String username, String passwordHash, String role) {
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try {
            long id = jdbi.withHandle(h -> h.createUpdate(INSERT).bind("username", username).bind("passwordHash", passwordHash)
                .bind("role", role).bind("createdAt", createdAt)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            return new Account(id, username, passwordHash, role, createdAt);
        } catch (JdbiException e) {
            SQLException sql = JdbiUserStore.sqlCause(e);
            if (sql != null && dialect.isUniqueViolation(sql)) {
                throw new UsernameTakenException(username);
            }
            throw new StorageException("creating account " + username + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean updatePassword(String username, String passwordHash) {
        try {
            return jdbi.withHandle(h -> h.createUpdate(UPDATE_PASSWORD).bind("username", username)
                .bind("passwordHash", passwordHash).execute()) > 0;
        } catch (JdbiException e) {
            throw new StorageException("updating account " + username + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long countWithRole(String role) {
        try {
            return jdbi.withHandle(h -> h.createQuery(COUNT_ROLE).bind("role", role).mapTo(Long.class).one());
        } catch (JdbiException e) {
            throw new StorageException("counting accounts failed: " + e.getMessage(), e);
        }
    }
}
