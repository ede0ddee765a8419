package rw.intake.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.Optional;
import rw.intake.server.ApiException;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;

/** The token routes: password login and refresh. */
public final class AuthController {

    /** A hash checked when the username is unknown, so that a miss costs as much time as a wrong password. */
    private static final String DUMMY_HASH = Passwords.hash(Passwords.random());

    private final AccountStore accounts;
    private final Tokens tokens;
    private final LoginThrottle throttle;

    public AuthController(AccountStore accounts, Tokens tokens, LoginThrottle throttle) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.throttle = throttle;
    }

    /** {@code POST /api/v1/token} {@code {"username","password"}}. */
    public void token(Context ctx) {
        JsonNode body = jsonBody(ctx);
        String username = text(body, "username");
        String password = text(body, "password");
        String address = ctx.ip();
        throttle.check(username, address);
        Optional<Account> account = accounts.find(username);
        boolean ok = Passwords.verify(password, account.map(Account::passwordHash).orElse(DUMMY_HASH))
                && account.isPresent();
        if (!ok) {
            throttle.failed(username, address);
            throw new ApiException(401, "auth.invalid_credentials", "Unauthorized", "wrong username or password");
        }
        throttle.succeeded(username);
        if (account.get().disabled()) {
            throw disabled();
        }
        ctx.json(response(tokens.issue(new Principal(account.get().username(), account.get().role()))));
    }

    /** {@code POST /api/v1/token/refresh} {@code {"refresh"}}. */
    public void refresh(Context ctx) {
        Principal p = tokens.verifyRefresh(text(jsonBody(ctx), "refresh"));
        Account account = accounts.find(p.username()).orElseThrow(
                () -> new ApiException(401, "auth.invalid_token", "Unauthorized", "the account no longer exists"));
        if (account.disabled()) {
            throw disabled();
        }
        ctx.json(response(tokens.issue(new Principal(account.username(), account.role()))));
    }

    private static ApiException disabled() {
        return new ApiException(401, "auth.account_disabled", "Unauthorized", "this account is disabled");
    }

    private static TokenResponse response(Tokens.Issued issued) {
        return new TokenResponse(issued.access(), issued.refresh(), "Bearer", issued.expiresIn());
    }

    /** The body as a JSON object, or 400 {@code request.invalid_body}. */
    static JsonNode jsonBody(Context ctx) {
        try {
            JsonNode node = ctx.bodyAsClass(JsonNode.class);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("request.invalid_body", "the body must be a JSON object");
            }
            return node;
        } catch (ApiException ex) {
            throw ex;
        } catch (Exception ex) { // Jackson's parse errors arrive unchecked through Javalin
            throw ApiException.badRequest("request.invalid_body", "the body must be a JSON object");
        }
    }

    /** A required, non-empty string member of the body, or 400 {@code request.invalid_body}. */
    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ApiException.badRequest("request.invalid_body", "\"" + field + "\" is required");
        }
        return v.asText();
    }

    /** The token routes' answer. */
    public record TokenResponse(String access, String refresh, String tokenType, long expiresIn) {
    }
}
