package rw.intake.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.Test;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.TestDatabase;

/** Which failures count as the database out of reach, from a real pool, driver and PostgreSQL. */
final class ConnectionFailuresTest {

    /**
     * The database ends a connection under a handle (as a crash or a restart does): the next statement fails, HikariCP
     * closes the connection, and answers every later call on it with "Connection is closed" and no SQL state, which
     * is what a commit meets when it goes on with that handle (JDBI setting a transaction's isolation level). Both
     * failures are the database out of reach; a statement the database refuses is not.
     */
    @Test
    void aConnectionTheDatabaseEnded_andThePoolClosed_areConnectionFailures() throws SQLException {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.POSTGRESQL)) {
            try (HikariDataSource pool = new HikariDataSource(poolOf(db));
                    Handle h = Jdbi.create(pool).open()) {
                int pid = h.createQuery("SELECT pg_backend_pid()")
                        .mapTo(Integer.class)
                        .one();
                try (Connection other = DriverManager.getConnection(db.config().jdbcUrl());
                        PreparedStatement end = other.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    end.setInt(1, pid);
                    end.execute();
                }

                Throwable ended = catchThrowable(
                        () -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
                Throwable closed = catchThrowable(() -> h.inTransaction(
                        TransactionIsolationLevel.READ_COMMITTED,
                        tx -> tx.createQuery("SELECT 1").mapTo(Integer.class).one()));

                assertThat(ended).isNotNull();
                assertThat(ConnectionFailures.isConnectionFailure(ended))
                        .as(ended.toString())
                        .isTrue();
                assertThat(closed).isNotNull();
                assertThat(closed).hasStackTraceContaining("Connection is closed");
                assertThat(ConnectionFailures.isConnectionFailure(closed))
                        .as(closed.toString())
                        .isTrue();
            }
            try (HikariDataSource pool = new HikariDataSource(poolOf(db));
                    Handle h = Jdbi.create(pool).open()) {
                Throwable refused = catchThrowable(
                        () -> h.createQuery("SELEC 1").mapTo(Integer.class).one());
                assertThat(ConnectionFailures.isConnectionFailure(refused)).isFalse();
            }
        }
    }

    /**
     * MariaDB's driver makes a {@link SQLTransientConnectionException} of a state it has no class for, such as the
     * 45000 of a trigger's {@code SIGNAL}: a statement's failure, not the database out of reach. HikariCP's time-out
     * lending a connection, the same class, is.
     */
    @Test
    void mariaDbSignal_isNoConnectionFailure_thePoolsTimeOutIs() throws SQLException {
        try (TestDatabase db = TestDatabase.fresh(DatabaseKind.MARIADB)) {
            HikariConfig config = poolOf(db);
            config.setConnectionTimeout(250);
            try (HikariDataSource pool = new HikariDataSource(config);
                    Handle h = Jdbi.create(pool).open()) {
                Throwable signalled = catchThrowable(() -> h.execute(
                        "BEGIN NOT ATOMIC SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by a trigger'; END"));
                assertThat(signalled).hasRootCauseInstanceOf(SQLTransientConnectionException.class);
                assertThat(ConnectionFailures.isConnectionFailure(signalled))
                        .as(signalled.toString())
                        .isFalse();
                assertThat(h.createQuery("SELECT 1").mapTo(Integer.class).one())
                        .as("the connection still answers")
                        .isEqualTo(1);

                Throwable timedOut = catchThrowable(pool::getConnection); // the pool's one connection is h's
                assertThat(timedOut).isInstanceOf(SQLTransientConnectionException.class);
                assertThat(ConnectionFailures.isConnectionFailure(timedOut))
                        .as(timedOut.toString())
                        .isTrue();
            }
        }
    }

    private static HikariConfig poolOf(TestDatabase db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.config().jdbcUrl());
        config.setMaximumPoolSize(1);
        return config;
    }
}
