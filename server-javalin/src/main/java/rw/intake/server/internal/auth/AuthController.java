package rw.intake.server.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.RefreshToken;

/**
 * The token routes: password login and refresh. Refresh tokens are single-use and rotate: each refresh answers a new
 * pair and uses up the token it was given (kept in the database, see {@link AccountStore#rotateRefreshToken}); a
 * second use of one revokes every token rotated from the same login ({@code auth.token_reused}), unless it comes within
 * the reuse time of the first while the token that first answer carried is still unused: that answer was lost (a
 * retry, a page reloaded while it waited), and the second gets a new pair in its place. A refresh is refused
 * for an account that no longer exists or is disabled, and after a password change (which deletes the account's
 * refresh tokens), so an access token outlives any of those by at most its own lifetime.
 */
public final class AuthController {

    private static final Logger LOG = LoggerFactory.getLogger(AuthController.class);
    /** A hash checked when the username is unknown, so that a miss costs as much time as a wrong password. */
    private static final String DUMMY_HASH = Passwords.hash(Passwords.random());
    /** How often expired refresh tokens are deleted (on a login). */
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(10);

    private final AccountStore accounts;
    private final Tokens tokens;
    private final LoginThrottle throttle;
    private final AccountStanding standing;
    private final Duration reuse;
    private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);

    /**
     * @param reuse how long after its first use a refresh token may be sent again while its successor is unused
     *              ({@code REFRESH_TOKEN_REUSE_SECONDS})
     */
    public AuthController(
            AccountStore accounts, Tokens tokens, LoginThrottle throttle, AccountStanding standing, Duration reuse) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.throttle = throttle;
        this.standing = standing;
        this.reuse = reuse;
    }

    /** {@code POST /api/v1/token} {@code {"username","password"}}. */
    public void token(Context ctx) {
        JsonNode body = RequestBodies.jsonObject(ctx);
        String username = text(body, "username");
        String password = text(body, "password");
        String address = ctx.ip();
        throttle.check(username, address);
        Optional<Account> found;
        try {
            found = accounts.find(username);
        } catch (RuntimeException ex) {
            throttle.notJudged(username, address);
            throw ex;
        }
        boolean ok =
                Passwords.verify(password, found.map(Account::passwordHash).orElse(DUMMY_HASH)) && found.isPresent();
        if (!ok) {
            throttle.failed(username, address);
            throw ApiException.unauthorized(
                    "auth.invalid_credentials", "wrong username or password", ApiException.BEARER);
        }
        throttle.succeeded(username, address);
        Account account = found.get();
        if (account.disabled()) {
            throw disabled(ApiException.BEARER);
        }
        sweepExpired();
        standing.read(account);
        Tokens.Issued issued = tokens.issue(
                principal(account), UUID.randomUUID().toString(), AccountStanding.stampOf(account.passwordHash()));
        RefreshToken refresh =
                new RefreshToken(issued.refreshId(), issued.family(), account.id(), issued.refreshExpiresAt());
        if (!accounts.addRefreshToken(refresh, account.passwordHash())) {
            // the password changed, or the account was disabled, since it was read: judged as of now
            refuseIfDisabledNow(username, ApiException.BEARER);
            throw ApiException.unauthorized(
                    "auth.invalid_credentials", "wrong username or password", ApiException.BEARER);
        }
        ctx.json(response(issued));
    }

    /** {@code POST /api/v1/token/refresh} {@code {"refresh"}}. */
    public void refresh(Context ctx) {
        Tokens.RefreshClaims claims = tokens.verifyRefresh(text(RequestBodies.jsonObject(ctx), "refresh"));
        String username = claims.principal().username();
        Account account = accounts.find(username)
                .orElseThrow(() -> ApiException.unauthorized(
                        "auth.invalid_token", "the account no longer exists", ApiException.BEARER_INVALID_TOKEN));
        standing.read(account);
        if (account.disabled()) {
            throw disabled(ApiException.BEARER_INVALID_TOKEN);
        }
        Tokens.Issued issued =
                tokens.issue(principal(account), claims.family(), AccountStanding.stampOf(account.passwordHash()));
        RefreshToken next =
                new RefreshToken(issued.refreshId(), claims.family(), account.id(), issued.refreshExpiresAt());
        switch (accounts.rotateRefreshToken(claims.id(), account.id(), next, tokens.now(), reuse)) {
            case ROTATED -> ctx.json(response(issued));
            case RESENT -> {
                LOG.info(
                        "refresh token of '{}' sent again from {} before its successor was used: a new pair in the"
                                + " place of the first answer's",
                        LoginThrottle.printable(username),
                        ctx.ip());
                ctx.json(response(issued));
            }
            case REUSED -> {
                LOG.warn(
                        "refresh token of '{}' used a second time from {}: its login's tokens are revoked",
                        LoginThrottle.printable(username),
                        ctx.ip());
                throw ApiException.unauthorized(
                        "auth.token_reused",
                        "this refresh token was used before; every token of its login is revoked, log in again",
                        ApiException.BEARER_INVALID_TOKEN);
            }
            default -> {
                // a disable that came between the account's read and the rotation ended the token: said as such
                refuseIfDisabledNow(username, ApiException.BEARER_INVALID_TOKEN);
                throw ApiException.unauthorized(
                        "auth.token_revoked",
                        "this refresh token is no longer valid (used, or ended by a password change or by disabling"
                                + " the account); log in again",
                        ApiException.BEARER_INVALID_TOKEN);
            }
        }
    }

    /**
     * {@code POST /api/v1/token/revoke} {@code {"refresh"}}: a sign-out. Every refresh token of that login (the one
     * sent and those rotated from the same first) is deleted, so none of them refreshes again; 204 also when the login
     * holds none any more. Its access tokens are not looked up: each lives until it expires.
     */
    public void revoke(Context ctx) {
        Tokens.RefreshClaims claims = tokens.verifyRefresh(text(RequestBodies.jsonObject(ctx), "refresh"));
        accounts.revokeRefreshFamily(claims.principal().username(), claims.family());
        ctx.status(204);
    }

    /**
     * 401 {@code auth.account_disabled} if account {@code username} is disabled as read now (it may have been disabled
     * since it was read for the request), its state noted either way.
     */
    private void refuseIfDisabledNow(String username, String challenge) {
        Optional<Account> now = accounts.find(username);
        now.ifPresent(standing::read);
        if (now.isPresent() && now.get().disabled()) {
            throw disabled(challenge);
        }
    }

    private static Principal principal(Account account) {
        return new Principal(account.username(), account.role());
    }

    /** Deletes expired refresh tokens, at most once per {@link #SWEEP_EVERY}. */
    private void sweepExpired() {
        Instant now = tokens.now();
        Instant due = nextSweep.get();
        if (now.isAfter(due) && nextSweep.compareAndSet(due, now.plus(SWEEP_EVERY))) {
            accounts.deleteExpiredRefreshTokens(now);
        }
    }

    /** 401 {@code auth.account_disabled}, with {@code challenge} ({@link ApiException#BEARER} at a login). */
    static ApiException disabled(String challenge) {
        return ApiException.unauthorized("auth.account_disabled", "this account is disabled", challenge);
    }

    private static TokenResponse response(Tokens.Issued issued) {
        return new TokenResponse(issued.access(), issued.refresh(), "Bearer", issued.expiresIn());
    }

    /** A required, non-empty string member of the body, or 400 {@code request.invalid_body}. */
    static String text(JsonNode body, String field) {
        String v = string(body, field);
        if (v.isEmpty()) {
            throw required(field);
        }
        return v;
    }

    /**
     * A required string member of the body, perhaps empty (for the account rules to judge, with their own codes), or
     * 400 {@code request.invalid_body}.
     */
    static String string(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw ApiException.badRequest("request.invalid_body", "\"" + field + "\" must be a string");
        }
        if (v == null || v.isNull()) {
            throw required(field);
        }
        return v.asText();
    }

    private static ApiException required(String field) {
        return ApiException.badRequest("request.invalid_body", "\"" + field + "\" is required");
    }

    /** The token routes' answer. */
    public record TokenResponse(String access, String refresh, String tokenType, long expiresIn) {}
}
