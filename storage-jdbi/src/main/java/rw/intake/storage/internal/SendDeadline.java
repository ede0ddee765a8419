package rw.intake.storage.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call that sends much to the database (a COPY's buffer, a batch of inserts) bounded by the connection's network
 * timeout ({@link rw.intake.storage.Storage.Builder#networkTimeout}) while it sends, too: the timeout bounds waiting
 * for an answer, but a send blocks for as long as a database that stopped reading (frozen, hung) leaves the
 * connection's buffers full. Past the timeout the connection is aborted (its socket closed), and the call fails as a
 * broken connection, which {@link ConnectionFailures} reports as the database out of reach.
 */
final class SendDeadline {

    private static final Logger LOG = LoggerFactory.getLogger(SendDeadline.class);

    /** One daemon thread for every deadline; it only aborts connections. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "intake-db-deadline");
        t.setDaemon(true);
        return t;
    });

    /** A call on the connection. */
    interface Call {
        void run() throws SQLException;
    }

    private SendDeadline() {}

    /** The connection's network timeout in milliseconds, 0 for none (H2, or none set). */
    static int of(Connection connection) throws SQLException {
        return connection.getNetworkTimeout();
    }

    /** Runs {@code call}; if it takes longer than {@code millis} (0: no bound), aborts {@code connection}. */
    static void run(Connection connection, int millis, Call call) throws SQLException {
        if (millis <= 0) {
            call.run();
            return;
        }
        ScheduledFuture<?> abort = TIMER.schedule(() -> abort(connection, millis), millis, TimeUnit.MILLISECONDS);
        try {
            call.run();
        } finally {
            abort.cancel(false);
        }
    }

    private static void abort(Connection connection, int millis) {
        LOG.warn("the database took more than {} ms to take what was sent: the connection is aborted", millis);
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("aborting the connection failed: {}", e.toString());
        }
    }
}
