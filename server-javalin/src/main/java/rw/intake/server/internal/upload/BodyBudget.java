package rw.intake.server.internal.upload;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import rw.intake.server.internal.http.ApiException;

/**
 * The bytes of uploaded files held in memory at once, from the first byte of a body read until its sheet has been read
 * to the end (or refused). A file is read into the heap whole before anything else is known of it, and reading it
 * takes memory of its own; the staging budget counts records, not these. Without this bound, a few uploads near the
 * size limit sent together filled the heap, and were answered 500.
 *
 * <p>A body takes its declared length (the size limit when it declares none) before it is read; one body always fits
 * when no other is held. A body that does not fit is refused with 503 {@code staging.full} and {@code Retry-After}.
 */
final class BodyBudget {
    /** The part of the heap that bodies may hold together: the rest is for reading them, staging and requests. */
    static final int HEAP_SHARE_DIVISOR = 4;

    private final long capacity;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long capacity) {
        this.capacity = capacity;
    }

    /** The budget of a server whose largest file is {@code maxBytes}: a quarter of the heap, and at least one file. */
    static BodyBudget forHeap(long maxBytes) {
        return new BodyBudget(Math.max(maxBytes, Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR));
    }

    /** Bytes held now. */
    long held() {
        return held.get();
    }

    /** The most bytes held at once. */
    long capacity() {
        return capacity;
    }

    /**
     * Takes {@code bytes} for a body about to be read.
     *
     * @throws ApiException 503 {@code staging.full} when other bodies hold too much of the budget
     */
    Hold take(long bytes) {
        long want = Math.max(0, bytes);
        while (true) {
            long now = held.get();
            if (now > 0 && now + want > capacity) {
                throw Staging.full(
                        "the server is receiving or reading other large files (" + now + " bytes held of " + capacity
                                + "); send this one again in a moment",
                        Map.of("maxBytesInFlight", capacity, "heldBytes", now, "needed", want));
            }
            if (held.compareAndSet(now, now + want)) {
                return new Hold(want);
            }
        }
    }

    /** Bytes a body holds until it is closed (once; later closes do nothing). */
    final class Hold implements AutoCloseable {
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final long bytes;

        private Hold(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                held.addAndGet(-bytes);
            }
        }
    }
}
