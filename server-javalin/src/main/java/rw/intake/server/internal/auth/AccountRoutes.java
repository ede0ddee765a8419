package rw.intake.server.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.storage.Account;
import rw.intake.storage.AccountStore;
import rw.intake.storage.LastAdminException;
import rw.intake.storage.UsernameTakenException;

/**
 * The accounts routes, for admins only (anyone else gets 403 {@code auth.forbidden}): list, create, reset a password
 * (which ends the account's refresh tokens), disable or enable. Disabling ends every token issued before it for good:
 * the refresh tokens are deleted and the account's stamp changes ({@link Passwords#remarked}), so its access tokens
 * stay refused once it is enabled again. The last enabled admin cannot be disabled (409 {@code account.last_admin}).
 */
public final class AccountRoutes {

    static final String BASE = "/api/v1/accounts";

    private final AccountStore store;
    private final AccountStanding standing;

    public AccountRoutes(AccountStore store, AccountStanding standing) {
        this.store = store;
        this.standing = standing;
    }

    public void register(JavalinDefaultRoutingApi routes) {
        routes.get(BASE, this::list);
        routes.post(BASE, this::create);
        routes.post(BASE + "/{username}/password", this::password);
        routes.get(BASE + "/{username}", this::one);
        routes.patch(BASE + "/{username}", this::patch);
    }

    /** {@code GET /api/v1/accounts}. */
    void list(Context ctx) {
        requireAdmin(ctx);
        ctx.json(store.list().stream().map(AccountView::of).toList());
    }

    /** {@code GET /api/v1/accounts/{username}}: the account a create's {@code Location} names. */
    void one(Context ctx) {
        requireAdmin(ctx);
        String username = ctx.pathParam("username");
        ctx.json(AccountView.of(store.find(username).orElseThrow(() -> notFound(username))));
    }

    /** {@code POST /api/v1/accounts} {@code {"username","password","role"}}. */
    void create(Context ctx) {
        requireAdmin(ctx);
        JsonNode body = RequestBodies.jsonObject(ctx);
        List<String> unknown = RequestBodies.unknownMembers(body, Set.of("username", "password", "role"));
        if (!unknown.isEmpty()) {
            // a "disabled": true ignored would make an enabled account that its creator believes disabled
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "an account is created from username, password and role only, not " + unknown);
        }
        String username = AuthController.string(body, "username");
        String password = AuthController.string(body, "password");
        String role = AuthController.string(body, "role");
        Account account;
        try {
            account = Accounts.create(store, username, password, role);
        } catch (AccountRuleException ex) {
            throw ApiException.badRequest(ex.code(), ex.getMessage());
        } catch (UsernameTakenException ex) {
            throw ApiException.conflict("account.username_taken", "username " + username + " is taken");
        }
        ctx.status(201).header("Location", BASE + "/" + account.username()).json(AccountView.of(account));
    }

    /** {@code POST /api/v1/accounts/{username}/password} {@code {"password"}}: 204. */
    void password(Context ctx) {
        requireAdmin(ctx);
        String username = ctx.pathParam("username");
        JsonNode body = RequestBodies.jsonObject(ctx);
        List<String> unknown = RequestBodies.unknownMembers(body, Set.of("password"));
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("request.invalid_body", "only \"password\" is set here, not " + unknown);
        }
        String password = AuthController.string(body, "password");
        boolean found;
        try {
            found = Accounts.setPassword(store, username, password);
            standing.changed(username);
        } catch (AccountRuleException ex) {
            throw ApiException.badRequest(ex.code(), ex.getMessage());
        }
        if (!found) {
            throw notFound(username);
        }
        ctx.status(204);
    }

    /** {@code PATCH /api/v1/accounts/{username}} {@code {"disabled":true|false}}. */
    void patch(Context ctx) {
        requireAdmin(ctx);
        String username = ctx.pathParam("username");
        JsonNode body = RequestBodies.jsonObject(ctx);
        List<String> unknown = RequestBodies.unknownMembers(body, Set.of("disabled"));
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("request.invalid_body", "only \"disabled\" can be changed, not " + unknown);
        }
        JsonNode disabled = body.get("disabled");
        if (disabled == null || !disabled.isBoolean()) {
            throw ApiException.badRequest("request.invalid_body", "\"disabled\" must be true or false");
        }
        try {
            // disabling gives a new stamp, as a password change does: the access tokens issued before stay refused
            // for good, after the account is enabled again too
            Account account = store.setDisabled(username, disabled.booleanValue(), Passwords::remarked)
                    .orElseThrow(() -> notFound(username));
            standing.changed(username);
            ctx.json(AccountView.of(account));
        } catch (LastAdminException ex) {
            throw ApiException.conflict(
                    "account.last_admin",
                    username + " is the last enabled admin; enable or create another admin first");
        }
    }

    private static ApiException notFound(String username) {
        return ApiException.notFound("account.not_found", "no account " + username);
    }

    /** The caller, if it is an admin; else 403 {@code auth.forbidden}. */
    static Principal requireAdmin(Context ctx) {
        Principal p = Principal.of(ctx);
        if (!p.isAdmin()) {
            throw new ApiException(403, "auth.forbidden", "Forbidden", "only an admin may do this");
        }
        return p;
    }

    /** An account as the routes show it (never its password hash). */
    public record AccountView(String username, String role, boolean disabled, Instant createdAt) {
        static AccountView of(Account a) {
            return new AccountView(a.username(), a.role(), a.disabled(), a.createdAt());
        }
    }
}
