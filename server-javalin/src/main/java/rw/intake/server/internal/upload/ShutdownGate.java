package rw.intake.server.internal.upload;

import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import rw.intake.server.internal.http.ApiException;

/**
 * Lets uploads and commits in until the server starts shutting down, then refuses them with 503
 * {@code server.shutting_down}, and counts the upload bodies arriving, the uploads being accepted and the commits
 * running so that shutdown can wait for them. Thread-safe.
 */
final class ShutdownGate {
    static final String CODE = "server.shutting_down";

    private boolean closed;
    private int receiving;
    private int accepting;
    private int commits;

    /**
     * Refuses new work once closed.
     *
     * @throws ApiException 503 {@code server.shutting_down}
     */
    synchronized void checkOpen(String what) {
        if (closed) {
            throw refusal(what);
        }
    }

    /** 503 {@code server.shutting_down}, with Retry-After. */
    static ApiException refusal(String what) {
        return new ApiException(
                503,
                CODE,
                "Service Unavailable",
                "the server is shutting down and takes no new " + what + "; try again in a moment",
                Map.of(),
                Map.of("Retry-After", "30", "Connection", "close"));
    }

    /**
     * An upload's body is being read, open or closed; pair with {@link #receiveEnded()} in a finally block. Once
     * closed, the body is still read to its end, so that its refusal reaches a client that is still sending it.
     */
    synchronized void receiveStarted() {
        receiving++;
    }

    synchronized void receiveEnded() {
        receiving--;
        notifyAll();
    }

    /**
     * An upload is being accepted (opened and staged); pair with {@link #acceptEnded()} in a finally block.
     *
     * @throws ApiException 503 {@code server.shutting_down} once closed
     */
    synchronized void acceptStarted() {
        checkOpen("uploads");
        accepting++;
    }

    synchronized void acceptEnded() {
        accepting--;
        notifyAll();
    }

    /** A commit starts; pair with {@link #commitEnded()} in a finally block. */
    synchronized void commitStarted() {
        checkOpen("commits");
        commits++;
    }

    synchronized void commitEnded() {
        commits--;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Closes the gate: from now on uploads and commits are refused. */
    synchronized void close() {
        closed = true;
    }

    /** Waits at most {@code grace} for the upload bodies arriving to be read; the number still arriving after. */
    synchronized int awaitReceives(Duration grace) {
        return awaitNone(() -> receiving, grace);
    }

    /**
     * Waits at most {@code grace} for the uploads let in before the gate closed to be staged or refused, so that
     * shutdown sees every upload it loses; the number still being accepted after.
     */
    synchronized int awaitAccepts(Duration grace) {
        return awaitNone(() -> accepting, grace);
    }

    /** Waits at most {@code grace} for the running commits; the number still running after. */
    synchronized int awaitCommits(Duration grace) {
        return awaitNone(() -> commits, grace);
    }

    /** Waits (holding the lock, released while waiting) until {@code running} is 0 or {@code grace} is over. */
    private int awaitNone(IntSupplier running, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        while (running.getAsInt() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return running.getAsInt();
    }
}
