package rw.intake.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Map;
import rw.intake.server.ApiException;

/**
 * Slows password guessing. Failures are counted per username and per client address over a window; after
 * {@link #FREE_FAILURES} failures the key is locked for a time that doubles with each further failure (from 30 s up to
 * the window). A locked username or address gets 429 {@code auth.too_many_attempts} with {@code Retry-After}, whatever
 * the password. A success clears the username's count. An address gets {@link #FREE_ADDRESS_FAILURES} free failures,
 * more than a username, because many clerks may share one office address. Thread-safe.
 */
public final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final int FREE_ADDRESS_FAILURES = 50;
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final long BASE_LOCK_NANOS = Duration.ofSeconds(30).toNanos();

    private final Cache<String, Failures> failures;
    private final Ticker ticker;

    public LoginThrottle(Ticker ticker) {
        this.ticker = ticker;
        this.failures = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(WINDOW).maximumSize(100_000).build();
    }

    /** Refuses the attempt with 429 if the username or the address is locked. */
    public void check(String username, String address) {
        long now = ticker.read();
        long waitNanos = Math.max(lockedFor(userKey(username), now), lockedFor(addressKey(address), now));
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw new ApiException(429, "auth.too_many_attempts", "Too many attempts",
                    "too many failed logins; try again in " + seconds + " s", Map.of("retryAfterSeconds", seconds),
                    Map.of("Retry-After", Long.toString(seconds)));
        }
    }

    public void failed(String username, String address) {
        long now = ticker.read();
        bump(userKey(username), now, FREE_FAILURES);
        bump(addressKey(address), now, FREE_ADDRESS_FAILURES);
    }

    public void succeeded(String username) {
        failures.invalidate(userKey(username));
    }

    private long lockedFor(String key, long now) {
        Failures f = failures.getIfPresent(key);
        return f == null ? 0 : f.lockedUntil - now;
    }

    private void bump(String key, long now, int free) {
        failures.asMap().compute(key, (k, f) -> {
            int count = f == null ? 1 : f.count + 1;
            long lockedUntil = 0;
            if (count >= free) {
                int doublings = Math.min(count - free, 10);
                lockedUntil = now + Math.min(BASE_LOCK_NANOS << doublings, WINDOW.toNanos());
            }
            return new Failures(count, lockedUntil);
        });
    }

    private static String userKey(String username) {
        return "u:" + username.toLowerCase(java.util.Locale.ROOT);
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }

    private record Failures(int count, long lockedUntil) {
    }
}
