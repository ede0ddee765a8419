package rw.intake.storage.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jdbi.v3.core.ConnectionException;

/**
 * Which failures mean that the database is out of reach, for the three drivers and HikariCP: the one place that
 * tells them from failures of a statement.
 */
public final class ConnectionFailures {

    /** What HikariCP's stand-in for a connection it has closed answers to any call. */
    private static final String HIKARI_CLOSED = "Connection is closed";
    /** What HikariCP's failure to lend a connection within the connection timeout says. */
    private static final String HIKARI_TIMED_OUT = "Connection is not available, request timed out";

    /** H2: connection broken, database closed, database called at shutdown. */
    private static final Set<Integer> H2_CODES = Set.of(90067, 90098, 90121);

    private ConnectionFailures() {}

    /** Whether {@code failure} or any of its causes (and chained SQL exceptions) is a connection failure. */
    public static boolean isConnectionFailure(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ConnectionException) {
                return true;
            }
            if (t instanceof SQLException e) {
                for (SQLException s = e; s != null; s = s.getNextException() == s ? null : s.getNextException()) {
                    if (isConnectionFailure(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // the drivers' refused or broken connections
        if (e instanceof SQLNonTransientConnectionException || e instanceof SQLRecoverableException) {
            return true;
        }
        if (e instanceof SQLTransientConnectionException) {
            // HikariCP's "request timed out" (with the state of the pool's last failure to connect, if any); MariaDB's
            // driver also makes one of any state it has no class for (45000 of a trigger's SIGNAL, 70100 of a
            // statement cut by max_statement_time), which is a statement's failure
            return state.isEmpty()
                    || state.startsWith("08")
                    || (e.getMessage() != null && e.getMessage().contains(HIKARI_TIMED_OUT));
        }
        if (state.isEmpty() && HIKARI_CLOSED.equals(e.getMessage())) {
            // HikariCP closed the connection after a failure on it, and answers every later call so, with no state
            return true;
        }
        // SQL standard class 08: connection exception; PostgreSQL 57P01-57P03: shutting down, crashed, starting up
        return state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || (state.startsWith("90") && H2_CODES.contains(e.getErrorCode()));
    }
}
