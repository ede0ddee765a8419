package rw.intake.server.internal.auth;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Set;
import rw.intake.server.internal.http.ApiException;

/**
 * Authenticates every request below {@code /api/v1} except the public ones (health, token routes, docs): a valid
 * {@code Authorization: Bearer <access token>} of an account that still stands behind it ({@link AccountStanding}), or
 * 401.
 */
public final class AccessFilter {

    private static final Set<String> PUBLIC = Set.of(
            "/api/v1",
            "/api/v1/token",
            "/api/v1/token/refresh",
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
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(
                    401,
                    "auth.missing_token",
                    "Unauthorized",
                    "a bearer access token is required",
                    java.util.Map.of(),
                    java.util.Map.of("WWW-Authenticate", "Bearer"));
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "auth.invalid_token", "Unauthorized", "use the Bearer scheme");
        }
        Tokens.Access access = tokens.verifyStampedAccess(header.substring(7).strip());
        standing.check(access);
        access.principal().attachTo(ctx);
    }

    static boolean isPublic(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return PUBLIC.contains(p) || !p.startsWith("/api/v1");
    }
}
