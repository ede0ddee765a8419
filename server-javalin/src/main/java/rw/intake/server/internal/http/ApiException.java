package rw.intake.server.internal.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be served, answered as an RFC 9457 problem ({@code application/problem+json}) with a stable
 * {@code code}. Handlers throw it; the one exception mapper in the server's {@code ServerApp} writes it.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The media type of every problem answer. */
    public static final String PROBLEM_JSON = "application/problem+json";
    /** Seconds a client is asked to wait after 503 {@code database.unavailable} or {@code server.not_ready}. */
    public static final String DATABASE_RETRY_AFTER = "5";

    /** The challenge of a 401 where no bearer token was presented (or its credentials were a password). */
    public static final String BEARER = "Bearer";
    /** The challenge of a 401 for a bearer token that is invalid, expired or revoked. */
    public static final String BEARER_INVALID_TOKEN = "Bearer error=\"invalid_token\"";
    /** The challenge of a 401 for a request that presents its credentials more than once. */
    public static final String BEARER_INVALID_REQUEST = "Bearer error=\"invalid_request\"";

    private final int status;
    private final String code;
    private final String title;
    private final transient Map<String, Object> extras;
    private final transient Map<String, String> headers;

    public ApiException(
            int status,
            String code,
            String title,
            String detail,
            Map<String, Object> extras,
            Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.code = code;
        this.title = title;
        this.extras = new LinkedHashMap<>(extras);
        this.headers = Map.copyOf(headers);
    }

    public ApiException(int status, String code, String title, String detail) {
        this(status, code, title, detail, Map.of(), Map.of());
    }

    /** 503 {@code database.unavailable} with Retry-After. */
    public static ApiException databaseUnavailable() {
        return new ApiException(
                503,
                "database.unavailable",
                "Service Unavailable",
                "the database cannot be reached; try again in a moment",
                Map.of(),
                Map.of("Retry-After", DATABASE_RETRY_AFTER));
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(400, code, "Bad Request", detail);
    }

    /**
     * 401 with the {@code WWW-Authenticate} challenge every 401 carries (RFC 9110 section 15.5.2): {@link #BEARER} when
     * no token was presented, {@link #BEARER_INVALID_TOKEN} when the one presented is refused (RFC 6750 section 3.1).
     */
    public static ApiException unauthorized(String code, String detail, String challenge) {
        return new ApiException(401, code, "Unauthorized", detail, Map.of(), Map.of("WWW-Authenticate", challenge));
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(404, code, "Not Found", detail);
    }

    /** 405 {@code route.method_not_allowed}: {@code allow} (such as {@code "GET, HEAD"}) in the body and in {@code Allow}. */
    public static ApiException methodNotAllowed(String allow) {
        return new ApiException(
                405,
                "route.method_not_allowed",
                "Method Not Allowed",
                "this route allows " + allow,
                Map.of("allowedMethods", allow),
                Map.of("Allow", allow));
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(409, code, "Conflict", detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra members of the problem object ({@code errors}, the limits hit, ...). */
    public Map<String, Object> extras() {
        return extras;
    }

    /** Extra response headers ({@code Retry-After}, ...). */
    public Map<String, String> headers() {
        return headers;
    }
}
