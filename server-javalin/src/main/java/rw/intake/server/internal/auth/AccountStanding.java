package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;
import rw.intake.storage.AccountStore;
import rw.intake.storage.Storage;

/**
 * Whether an account still stands behind its access tokens: a disabled account's access tokens are refused (401
 * {@code auth.account_disabled}), and so are those issued before its password last changed (401
 * {@code auth.token_revoked}: each access token carries a stamp of the password hash it was issued under,
 * {@link #stampOf}), at once on the instance where that happened, and within {@link #RECHECK} on the others, rather
 * than living out their lifetime. Each instance reads an account's state when its tokens are first used, then again
 * at most every {@link #RECHECK} while they are used, in the background (a request never waits for that second read).
 * If the database cannot be reached, the state last read stands; with none read, the token is taken as it is, as it
 * was before accounts could be disabled: reviewing a staged upload needs no database. A token of no account (the
 * warm-up's own, or of an account deleted by hand) or without a stamp is taken as it is too.
 */
public final class AccountStanding {
    /** How stale an instance's view of an account's state may be while its tokens are used. */
    public static final Duration RECHECK = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(AccountStanding.class);
    /** The state of no account, or of one that could not be read: nothing to refuse. */
    private static final State ANY = new State(false, null);

    private static final int STAMP_BYTES = 12;

    private final LoadingCache<String, State> states;

    public AccountStanding(AccountStore store, Ticker ticker) {
        this.states = Caffeine.newBuilder()
                .maximumSize(10_000)
                .refreshAfterWrite(RECHECK)
                .expireAfterAccess(Duration.ofHours(1))
                .ticker(ticker)
                .build(username -> store.find(username)
                        .map(a -> new State(a.disabled(), stampOf(a.passwordHash())))
                        .orElse(ANY));
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
     * Refuses the caller of an access token if its account is disabled, or if its password changed after the token
     * was issued.
     *
     * @throws ApiException 401 {@code auth.account_disabled} or {@code auth.token_revoked}
     */
    public void check(Tokens.Access access) {
        String username = access.principal().username();
        State state;
        try {
            state = states.get(username);
        } catch (RuntimeException ex) {
            if (!Storage.isUnavailable(ex)) {
                throw ex;
            }
            // taken as it is, and remembered so until the next read in the background: the requests that follow do
            // not each wait for a database that is away
            LOG.debug("the state of account {} could not be read; its token is taken as it is", username);
            states.put(username, ANY);
            return;
        }
        if (state.disabled()) {
            throw AuthController.disabled();
        }
        if (access.stamp() != null && state.stamp() != null && !access.stamp().equals(state.stamp())) {
            throw new ApiException(
                    401,
                    "auth.token_revoked",
                    "Unauthorized",
                    "this account's password changed after the token was issued; log in again");
        }
    }

    /** The account was disabled or enabled, or its password changed, here: its next request reads it again. */
    public void changed(String username) {
        states.invalidate(username);
    }

    private record State(boolean disabled, String stamp) {}
}
