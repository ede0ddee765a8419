package rw.intake.server.internal.auth;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import rw.intake.server.internal.http.ApiException;

/**
 * Authenticates every request below {@code /api/v1} except the public ones (health, token routes, docs): a valid
 * {@code Authorization: Bearer <access token>} of an account that still stands behind it ({@link AccountStanding}), or
 * 401 with a {@code WWW-Authenticate: Bearer} challenge. A request with more than one {@code Authorization} header is
 * refused (401 {@code auth.invalid_token}, {@code error="invalid_request"}) whatever they hold, rather than judged by
 * one of them.
 */
public final class AccessFilter {

    private static final Set<String> PUBLIC = Set.of(
            "/api/v1",
            "/api/v1/token",
            "/api/v1/token/refresh",
            "/api/v1/token/revoke",
            "/api/v1/openapi.json",
            "/api/v1/docs",
            "/api/v1/health/live",
            "/api/v1/health/ready");

    private final Tokens tokens;
    private final AccountStanding standing;

    public AccessFilter(Tokens tokens, AccountStanding standing) {
        this.tokens = tokens;
        this.standing = standing;
    }

    public void handle(Context ctx) {
        if (HandlerType.OPTIONS.equals(ctx.method()) || isPublic(ctx.path())) {
            return;
        }
        String header = authorization(ctx);
        if (header == null || header.isBlank()) {
            throw ApiException.unauthorized(
                    "auth.missing_token", "a bearer access token is required", ApiException.BEARER);
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("auth.invalid_token", "use the Bearer scheme", ApiException.BEARER);
        }
        principal(header.substring(7).strip()).attachTo(ctx);
    }

    /**
     * The caller an access token stands for, if the token is valid and its account still stands behind it.
     *
     * @throws ApiException 401 otherwise (an invalid, expired or revoked token, a disabled account)
     */
    public Principal principal(String accessToken) {
        Tokens.Access access = tokens.verifyStampedAccess(accessToken);
        standing.check(access);
        return access.principal();
    }

    /**
     * The request's {@code Authorization} header, or null without one.
     *
     * @throws ApiException 401 {@code auth.invalid_token} ({@code error="invalid_request"}) if it has more than one
     */
    public static String authorization(Context ctx) {
        List<String> headers = Collections.list(ctx.req().getHeaders("Authorization"));
        if (headers.size() > 1) {
            throw ApiException.unauthorized(
                    "auth.invalid_token",
                    "send one Authorization header, not " + headers.size(),
                    ApiException.BEARER_INVALID_REQUEST);
        }
        return headers.isEmpty() ? null : headers.get(0);
    }

    static boolean isPublic(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return PUBLIC.contains(p) || !p.startsWith("/api/v1");
    }
}
