package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.StorageException;

/**
 * Whether an account still stands behind its access tokens: a disabled account's access tokens are refused (401
 * {@code auth.account_disabled}), and so are those issued before its password last changed or it was last disabled
 * (401 {@code auth.token_revoked}: each access token carries a stamp of the password hash it was issued under,
 * {@link #stampOf}, and disabling marks the hash anew, {@link Passwords#remarked}), at once on the instance where that
 * happened, and within {@link #RECHECK} on the others, rather than living out their lifetime.
 *
 * <p>A request waits for the database here at most {@link #STALE_WAIT}, and only when this instance has no state of the
 * account, or the state it would be judged by is older than {@link #RECHECK}, or that state would refuse a token it
 * may be older than. An instance knows an account's state from a sign-in or a refresh there, or else reads it when its
 * tokens are first used there, and that request waits for the read (so a token disabled or revoked elsewhere is refused
 * by an instance that never saw its account); a request that finds the state older than {@link #RECHECK} (the first
 * after an idle spell) has it read again and waits for that read, so a token revoked elsewhere is refused from then on,
 * not one request later. A state that would refuse a token issued after it was read (or read over a second ago) is
 * read again first: an account enabled again, or given a new password, on another instance, signs in there, and its
 * new token is not refused here on the strength of the state from before. If the database cannot be reached or is
 * slow, the state last read stands, and with none read the token is taken as it is: reviewing a staged upload needs no
 * database. A token whose account is found to exist no more (deleted by hand) is refused as 401
 * {@code auth.invalid_token}, as its refresh token is; one of a name no account can have (the warm-up's own) or without
 * a stamp is taken as it is. Where an admin disables or enables an account or sets its password, its state is read
 * again on that request, so this instance refuses its tokens from the next request on.
 */
public final class AccountStanding {
    /** How stale an instance's view of an account's state may be while its tokens are used. */
    public static final Duration RECHECK = Duration.ofSeconds(5);
    /** The longest a request waits for a state older than {@link #RECHECK} to be read again. */
    public static final Duration STALE_WAIT = Duration.ofMillis(250);
    /** A state that refuses a token is read again before refusing when it is older than this (or than the token). */
    private static final Duration READ_AGAIN_BEFORE_REFUSING = Duration.ofSeconds(1);

    /** The state of no account: nothing to refuse (never older than the recheck: nothing to read again for it). */
    private static final State ANY = new State(false, null, false, Long.MAX_VALUE, Long.MAX_VALUE);

    private static final Pattern USERNAME = Pattern.compile(Accounts.USERNAME_PATTERN);

    private static final int STAMP_BYTES = 12;

    private static final Logger LOG = LoggerFactory.getLogger(AccountStanding.class);

    private final AccountStore store;
    private final Ticker ticker;
    private final AsyncLoadingCache<String, State> states;

    public AccountStanding(AccountStore store, Ticker ticker) {
        this.store = store;
        this.ticker = ticker;
        // its own threads, at most two, gone when idle: a read that waits for the database holds none of the
        // common pool's (one thread on two cores), and a server that stops leaves none behind
        ThreadPoolExecutor readers =
                new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "intake-account-state");
                    t.setDaemon(true);
                    return t;
                });
        readers.allowCoreThreadTimeOut(true);
        this.states = Caffeine.newBuilder()
                .maximumSize(10_000)
                .refreshAfterWrite(RECHECK)
                .expireAfterAccess(Duration.ofHours(1))
                .ticker(ticker)
                .executor(readers)
                .buildAsync(new CacheLoader<String, State>() {
                    @Override
                    public State load(String username) {
                        try {
                            return read(username);
                        } catch (StorageException ex) {
                            // the database cannot be reached: nothing kept, read again on a later request
                            LOG.debug("account {}: state not read: {}", username, ex.getMessage());
                            return null;
                        }
                    }

                    @Override
                    public State reload(String username, State last) {
                        try {
                            return read(username);
                        } catch (StorageException ex) {
                            LOG.debug(
                                    "account {}: state not read again, the last read stands: {}",
                                    username,
                                    ex.getMessage());
                            return last;
                        }
                    }
                });
    }

    private State read(String username) {
        return store.find(username)
                .map(this::stateOf)
                // a name an account could have but none has: its tokens are refused
                .orElse(
                        USERNAME.matcher(username).matches()
                                ? new State(false, null, true, ticker.read(), System.currentTimeMillis())
                                : ANY);
    }

    private State stateOf(Account account) {
        return new State(
                account.disabled(), stampOf(account.passwordHash()), false, ticker.read(), System.currentTimeMillis());
    }

    /**
     * A short digest of a password hash, for access tokens to carry: it changes with the password (each hash has its
     * own salt), and tells nothing of the hash.
     */
    public static String stampOf(String passwordHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(passwordHash.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, STAMP_BYTES));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every Java platform has SHA-256", ex);
        }
    }

    /**
     * Refuses the caller of an access token if its account, as last read, is gone or disabled, or its password changed
     * after the token was issued.
     *
     * @throws ApiException 401 {@code auth.invalid_token}, {@code auth.account_disabled} or {@code auth.token_revoked}
     */
    public void check(Tokens.Access access) {
        String username = access.principal().username();
        State state = known(username);
        if (refuses(state, access) && mayBeBehind(state, access)) {
            // the state may predate the token (the account enabled again, or its password set, on another instance,
            // and the token issued since): read it again before refusing, so that a new token is not refused on the
            // strength of a state older than itself
            state = readAgain(username, state);
        }
        if (state.gone()) {
            throw ApiException.unauthorized(
                    "auth.invalid_token", "the account no longer exists", ApiException.BEARER_INVALID_TOKEN);
        }
        if (state.disabled()) {
            throw AuthController.disabled(ApiException.BEARER_INVALID_TOKEN);
        }
        if (stampDiffers(state, access)) {
            throw ApiException.unauthorized(
                    "auth.token_revoked",
                    "this account's password changed, or it was disabled, after the token was issued; log in again",
                    ApiException.BEARER_INVALID_TOKEN);
        }
    }

    private static boolean refuses(State state, Tokens.Access access) {
        return state.gone() || state.disabled() || stampDiffers(state, access);
    }

    private static boolean stampDiffers(State state, Tokens.Access access) {
        return access.stamp() != null
                && state.stamp() != null
                && !access.stamp().equals(state.stamp());
    }

    /**
     * Whether a state that refuses the token may be older than the token's account: read more than {@link
     * #READ_AGAIN_BEFORE_REFUSING} ago, or not before the second the token was issued in (by a clock of this instance
     * or another's). A token refused rightly, issued before the change that ends it, has the state read again at most
     * once in that time.
     */
    private boolean mayBeBehind(State state, Tokens.Access access) {
        return ticker.read() - state.readAt() > READ_AGAIN_BEFORE_REFUSING.toNanos()
                || access.issuedAtSecond() >= state.readAtMillis() / 1000;
    }

    /** The state read again now, waiting at most {@link #STALE_WAIT}; else the one given. */
    private State readAgain(String username, State last) {
        try {
            State now = states.synchronous().refresh(username).get(STALE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return now != null ? now : last;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return last;
        } catch (ExecutionException | TimeoutException | CancellationException ex) {
            return last; // the database is slow or cannot be reached: the state last read stands
        }
    }

    /**
     * The state last read, read again first if older than {@link #RECHECK}, or read now if this instance has none
     * (waiting at most {@link #STALE_WAIT} either way); {@link #ANY} if the first read cannot be had in that time (it
     * goes on, and is tried again if it failed).
     */
    private State known(String username) {
        State last;
        try {
            last = states.get(username).get(STALE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return ANY;
        } catch (ExecutionException | TimeoutException | CancellationException ex) {
            return ANY;
        }
        if (last == null) { // the first read found no database
            return ANY;
        }
        if (ticker.read() - last.readAt() < RECHECK.toNanos()) { // ANY is never older than the recheck
            return last;
        }
        return readAgain(username, last);
    }

    /**
     * The account as a sign-in or a refresh just read it: its tokens are judged by it from now on, without waiting for a
     * read in the background.
     */
    public void read(Account account) {
        states.put(account.username(), CompletableFuture.completedFuture(stateOf(account)));
    }

    /** The account was disabled or enabled, or its password set, on this request: reads its state now. */
    public void changed(String username) {
        State now;
        try {
            now = read(username);
        } catch (RuntimeException ex) {
            // the change is stored; its state is read again in the background on the account's next request
            states.synchronous().invalidate(username);
            return;
        }
        states.put(username, CompletableFuture.completedFuture(now));
    }

    /**
     * An account's state as read at {@code readAt} (the ticker's nanoseconds), which was {@code readAtMillis} by the
     * wall clock (the clock tokens are issued by).
     */
    private record State(boolean disabled, String stamp, boolean gone, long readAt, long readAtMillis) {}
}
