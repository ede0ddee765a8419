package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;

/**
 * Slows password guessing without locking anyone out. Failed logins are counted per (username, client address) pair
 * in a leaky bucket: a pair has {@value #PAIR_BURST} free failures, then one more attempt per
 * {@link #PAIR_INTERVAL} (each failure is forgiven one interval after the previous one was), so a wrong password after
 * waiting costs one more interval, never a doubled lock. A pair that must wait gets 429 {@code auth.too_many_attempts}
 * with {@code Retry-After}, whatever the password; the same username from another address, and other usernames from
 * the same address, are not slowed by it. A success clears the pair. Every username also has a bound across all
 * addresses, so that one account cannot be guessed at without limit from many: {@value #USER_BURST} failures, then
 * one attempt per {@link #USER_INTERVAL}; meanwhile it gets 429 from every address except those it signed in from
 * within the last {@link #TRUSTED_FOR} (so someone guessing elsewhere does not lock the owner out of the places it
 * works from; a new place waits). Every address also has a ceiling for floods (many usernames from one address):
 * {@value #ADDRESS_BURST} failures, then one per {@link #ADDRESS_INTERVAL}, high enough for an office of clerks behind
 * one NAT; the pairs that signed in from it lately are spared it, as they are the username's bound. Each failed and
 * each throttled login is logged at WARN with the username and the address (never the password). The state is in
 * memory, per server. Thread-safe.
 */
public final class LoginThrottle {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

    static final int PAIR_BURST = 5;
    static final Duration PAIR_INTERVAL = Duration.ofMinutes(1);
    static final int USER_BURST = 20;
    static final Duration USER_INTERVAL = Duration.ofMinutes(1);
    /** How long a sign-in spares its (username, address) pair the username's bound. */
    static final Duration TRUSTED_FOR = Duration.ofHours(12);

    static final int ADDRESS_BURST = 100;
    static final Duration ADDRESS_INTERVAL = Duration.ofSeconds(6);
    private static final int MAX_LOGGED_USERNAME = 100;

    private final Bucket pairs;
    private final Bucket users;
    private final Bucket addresses;
    /** The (username, address) pairs that signed in within {@link #TRUSTED_FOR}. */
    private final Cache<String, Boolean> trusted;

    private final Ticker ticker;

    public LoginThrottle(Ticker ticker) {
        this.ticker = ticker;
        this.pairs = new Bucket(PAIR_BURST, PAIR_INTERVAL, ticker);
        this.users = new Bucket(USER_BURST, USER_INTERVAL, ticker);
        this.addresses = new Bucket(ADDRESS_BURST, ADDRESS_INTERVAL, ticker);
        this.trusted = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(200_000)
                .expireAfterWrite(TRUSTED_FOR)
                .build();
    }

    /**
     * Takes one attempt from the (username, address) pair's bound, the username's and the address's, or refuses it with
     * 429 (taking none) if one of them has to wait; the username's and the address's bounds are not asked for a pair
     * that signed in lately.
     * The attempt counts as a failure until {@link #succeeded} gives it back: attempts sent together cannot all pass
     * while their passwords are checked.
     */
    public void check(String username, String address) {
        long now = ticker.read();
        String pair = pairKey(username, address);
        boolean trustedPair = trusted.getIfPresent(pair) != null;
        long waitNanos;
        synchronized (this) {
            // a pair that signed in lately is spared the username's bound and the address's ceiling: a guesser
            // behind the same address does not keep the office's own clerks out
            long userWait = trustedPair ? 0 : users.waitNanos(userKey(username), now);
            long addressWait = trustedPair ? 0 : addresses.waitNanos(address, now);
            waitNanos = Math.max(Math.max(pairs.waitNanos(pair, now), userWait), addressWait);
            if (waitNanos <= 0) {
                pairs.add(pair, now);
                users.add(userKey(username), now);
                addresses.add(address, now);
            }
        }
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            LOG.warn("throttled login for user '{}' from {}: retry in {} s", printable(username), address, seconds);
            throw new ApiException(
                    429,
                    "auth.too_many_attempts",
                    "Too many attempts",
                    "too many failed logins; try again in " + seconds + " s",
                    Map.of("retryAfterSeconds", seconds),
                    Map.of("Retry-After", Long.toString(seconds)));
        }
    }

    /** A failed login, counted by {@link #check} already: logs it. */
    public void failed(String username, String address) {
        LOG.warn("failed login for user '{}' from {}", printable(username), address);
    }

    /**
     * Forgets the pair's failures, gives the attempt back to the username's and the address's bounds, and spares the
     * pair the username's bound and the address's ceiling for {@link #TRUSTED_FOR}. The username's failures stay
     * counted: a guesser elsewhere is not given a new allowance by the owner's sign-in.
     */
    public void succeeded(String username, String address) {
        String pair = pairKey(username, address);
        pairs.cache.invalidate(pair);
        users.giveBack(userKey(username));
        addresses.giveBack(address);
        trusted.put(pair, Boolean.TRUE);
    }

    /** Gives the attempt {@link #check} took back to every bound: it could not be judged (the database out of reach). */
    public void notJudged(String username, String address) {
        pairs.giveBack(pairKey(username, address));
        users.giveBack(userKey(username));
        addresses.giveBack(address);
    }

    private static String userKey(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    /** A pair of one account (usernames are case-sensitive) and an address. */
    private static String pairKey(String username, String address) {
        return username + "\n" + address;
    }

    /** A username as it may be logged: control characters replaced, at most 100 characters. */
    static String printable(String username) {
        String s =
                username.length() > MAX_LOGGED_USERNAME ? username.substring(0, MAX_LOGGED_USERNAME) + "..." : username;
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    /**
     * Leaky buckets by key, kept as the time at which each key's bucket is empty again (the generic cell rate
     * algorithm): a failure adds one interval; an attempt must wait while more than {@code burst - 1} intervals are
     * still to drain.
     */
    private static final class Bucket {
        private final int burst;
        private final long intervalNanos;
        private final Cache<String, Long> cache;

        Bucket(int burst, Duration interval, Ticker ticker) {
            this.burst = burst;
            this.intervalNanos = interval.toNanos();
            // A bucket is empty again burst intervals after its last failure; then it can be forgotten.
            this.cache = Caffeine.newBuilder()
                    .ticker(ticker)
                    .maximumSize(200_000)
                    .expireAfterWrite(interval.multipliedBy(burst))
                    .build();
        }

        long waitNanos(String key, long now) {
            Long emptyAt = cache.getIfPresent(key);
            return emptyAt == null ? 0 : emptyAt - now - (burst - 1) * intervalNanos;
        }

        void add(String key, long now) {
            cache.asMap().merge(key, now + intervalNanos, (emptyAt, ignored) -> Math.max(emptyAt, now) + intervalNanos);
        }

        /** Takes back one interval {@link #add} added (an attempt that did not fail). */
        void giveBack(String key) {
            cache.asMap().computeIfPresent(key, (k, emptyAt) -> emptyAt - intervalNanos);
        }
    }
}
