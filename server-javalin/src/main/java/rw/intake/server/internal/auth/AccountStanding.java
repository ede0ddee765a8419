package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.Storage;

/**
 * Whether an account is disabled, for its access tokens: a disabled account's access tokens are refused (401
 * {@code auth.account_disabled}) at once on the instance that disabled it, and within {@link #RECHECK} on the
 * others, rather than living out their lifetime. Each instance reads an account's state when its tokens are first
 * used, then again at most every {@link #RECHECK} while they are used, in the background (a request never waits for
 * that second read). If the database cannot be reached, the state last read stands; with none read, the token is
 * taken as it is, as it was before accounts could be disabled: paging a staged upload needs no database. A token of
 * no account (the warm-up's own, or an account deleted by hand) is taken as it is too.
 */
public final class AccountStanding {
    /** How stale an instance's view of an account's state may be while its tokens are used. */
    public static final Duration RECHECK = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(AccountStanding.class);

    private final LoadingCache<String, Boolean> disabled;

    public AccountStanding(AccountStore store, Ticker ticker) {
        this.disabled = Caffeine.newBuilder()
                .maximumSize(10_000)
                .refreshAfterWrite(RECHECK)
                .expireAfterAccess(Duration.ofHours(1))
                .ticker(ticker)
                .build(username -> store.find(username).map(Account::disabled).orElse(false));
    }

    /**
     * Refuses the caller if its account is disabled.
     *
     * @throws ApiException 401 {@code auth.account_disabled}
     */
    public void check(Principal caller) {
        Boolean off;
        try {
            off = disabled.get(caller.username());
        } catch (RuntimeException ex) {
            if (!Storage.isUnavailable(ex)) {
                throw ex;
            }
            // taken as it is, and remembered so until the next read in the background: the requests that follow do
            // not each wait for a database that is away
            LOG.debug("the state of account {} could not be read; its token is taken as it is", caller.username());
            disabled.put(caller.username(), Boolean.FALSE);
            return;
        }
        if (Boolean.TRUE.equals(off)) {
            throw AuthController.disabled();
        }
    }

    /** The account was disabled or enabled here: its next request reads its state again. */
    public void changed(String username) {
        disabled.invalidate(username);
    }
}
