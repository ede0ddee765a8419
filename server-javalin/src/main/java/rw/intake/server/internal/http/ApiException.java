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

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(400, code, "Bad request", detail);
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(404, code, "Not found", detail);
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
