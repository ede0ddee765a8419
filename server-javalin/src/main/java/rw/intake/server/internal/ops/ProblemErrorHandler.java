package rw.intake.server.internal.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.web.SecurityHeaders;

/**
 * Jetty's answers to requests that never reach the router (a URI too long: 414, headers too large: 431, a request
 * Jetty cannot parse: 400) as problems like every other answer, instead of Jetty's HTML page, with a request id and
 * the headers of every answer ({@link SecurityHeaders#everyAnswer}, the API's policy, {@code no-store}). A request
 * line with no HTTP version Jetty knows is not HTTP: 400, where Jetty says 505, which would read as the server's
 * fault. Any other 4xx of Jetty's (426 for HTTP/2 without TLS, 404 for {@code OPTIONS *}) is {@code request.invalid}
 * or {@code route.not_found}. Jetty's 503, to a request that arrives on a connection kept alive while the HTTP server
 * stops, is {@code server.shutting_down} with {@code Retry-After}, as the uploads and commits refused then say.
 */
public final class ProblemErrorHandler extends ErrorHandler {

    /** What Jetty answers 503 to: a request that arrives while the HTTP server stops. */
    private static final String SHUTTING_DOWN = "server.shutting_down";
    /** As the uploads and commits refused while shutting down say. */
    private static final String RETRY_AFTER_SECONDS = "30";

    private final ObjectMapper mapper;
    private final Metrics metrics;

    /** Answers with {@code mapper}'s JSON, logging each answer and counting it in {@code metrics}. */
    public ProblemErrorHandler(ObjectMapper mapper, Metrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() < 400 ? 500 : response.getStatus();
        if (status == HttpStatus.INTERNAL_SERVER_ERROR_500
                && cutShort(request.getAttribute(ErrorHandler.ERROR_EXCEPTION))) {
            // a request whose head ended before it was complete (the client closed the connection, or sent nothing more
            // for the connection's idle timeout): the client's doing, not a fault of the server's
            status = HttpStatus.BAD_REQUEST_400;
            response.setStatus(status);
        }
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            status = HttpStatus.BAD_REQUEST_400;
            response.setStatus(status);
        }
        String id = RequestIds.pick(request.getHeaders().get(RequestIds.HEADER));
        Map<String, Object> body = new LinkedHashMap<>();
        String title = HttpStatus.getMessage(status);
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail(status, title));
        body.put("code", code(status));
        body.put("requestId", id);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiException.PROBLEM_JSON);
        response.getHeaders().put(RequestIds.HEADER, id);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        SecurityHeaders.everyAnswer(response.getHeaders()::put);
        response.getHeaders().put("Content-Security-Policy", SecurityHeaders.API_POLICY);
        RequestLog.line(request.getMethod(), RequestLog.UNMATCHED, status, 0, id, "-");
        metrics.request(request.getMethod(), RequestLog.UNMATCHED, status, 0);
        response.write(true, ByteBuffer.wrap(json), callback);
        return true;
    }

    /** Whether {@code failure} (an attribute's value, perhaps null) is the end of a request's input before its end. */
    private static boolean cutShort(Object failure) {
        for (Throwable t = failure instanceof Throwable f ? f : null;
                t != null;
                t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    public static String code(int status) {
        return switch (status) {
            case 404 -> "route.not_found";
            case 413 -> "request.too_large";
            case 414 -> "request.uri_too_long";
            case 431 -> "request.headers_too_large";
            case 503 -> SHUTTING_DOWN;
            default -> status >= 500 ? "server.error" : "request.invalid";
        };
    }

    private static String detail(int status, String title) {
        return switch (status) {
            case 414 -> "the request's URI is longer than the server accepts";
            case 431 -> "the request's headers are larger than the server accepts";
            case 400 -> "the request could not be parsed as HTTP, or it ended before it was complete";
            case 503 -> "the server is shutting down; send the request again in a moment";
            default -> title;
        };
    }
}
