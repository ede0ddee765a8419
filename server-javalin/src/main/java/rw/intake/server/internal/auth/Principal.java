package rw.intake.server.internal.auth;

import io.javalin.http.Context;
import java.util.Objects;
import java.util.Optional;
import rw.intake.server.internal.http.ApiException;

/**
 * The authenticated caller of a request, set by the access filter before any protected handler runs.
 *
 * @param role {@code clerk} or {@code admin}
 */
public record Principal(String username, String role) {

    public static final String ADMIN = "admin";
    public static final String CLERK = "clerk";
    private static final String ATTRIBUTE = "intake.principal";

    public Principal {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(role, "role");
    }

    public boolean isAdmin() {
        return ADMIN.equals(role);
    }

    /** Whether this caller may see what {@code owner} uploaded: its own, or anything for an admin. */
    public boolean maySee(String owner) {
        return isAdmin() || username.equals(owner);
    }

    public void attachTo(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    /** The caller of this request, if it was authenticated. */
    public static Optional<Principal> find(Context ctx) {
        return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
    }

    /**
     * The caller of this request.
     *
     * @throws ApiException 401 if the request was not authenticated
     */
    public static Principal of(Context ctx) {
        Principal p = ctx.attribute(ATTRIBUTE);
        if (p == null) {
            throw ApiException.unauthorized(
                    "auth.missing_token", "a bearer access token is required", ApiException.BEARER);
        }
        return p;
    }
}
