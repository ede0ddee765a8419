package rw.intake.server.internal.http;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.io.EndPoint;

/**
 * Request bodies read with a bound, never more: a workbook up to the upload limit, a JSON body up to
 * {@link #JSON_LIMIT}. Javalin alone reads any body up to its request limit (the upload limit, 128 MiB) into memory,
 * on every route, the unauthenticated token routes included.
 */
public final class RequestBodies {
    /** The code of a body that could not be read to its end (400). */
    public static final String UNREADABLE = "request.invalid";

    /** The largest JSON body a route takes: an edit holds at most six values of 1,000 characters. */
    public static final int JSON_LIMIT = 64 * 1024;
    /** A body up to this many times the limit is read to its end (and dropped) before the 413 goes out. */
    public static final long DRAIN_FACTOR = 4;
    /** The code of a body that arrives slower than {@link #MIN_BYTES_PER_SECOND} (408). */
    public static final String TOO_SLOW = "request.too_slow";
    /**
     * The slowest a body may arrive on average, once {@link #GRACE_SECONDS} have passed: a client that sends a byte
     * now and then (within the connection's idle timeout) would otherwise hold a request thread for as long as it
     * likes, and a few hundred such clients all of them.
     */
    public static final long MIN_BYTES_PER_SECOND = 1024;

    public static final long GRACE_SECONDS = 10;
    /**
     * The request attribute holding its connection's {@link EndPoint}: while a body is read, the connection's idle
     * timeout is the grace period, so that a body that stops arriving is cut off then (408) like one that trickles.
     */
    public static final String END_POINT = "intake.endPoint";

    /**
     * Strict: a body is one JSON value and nothing after it but whitespace, and no object in it names a member twice
     * (Jackson would otherwise take the first value and ignore the rest, or the last of two members).
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RequestBodies() {}

    /**
     * The body, at most {@code limit} bytes; {@code tooLarge} beyond that.
     *
     * @throws ApiException the problem of {@code tooLarge}
     */
    public static byte[] read(Context ctx, long limit, Supplier<ApiException> tooLarge) {
        // every line of the header, as one list (RFC 9110, 5.3)
        String coding = String.join(",", Collections.list(ctx.req().getHeaders("Content-Encoding")));
        if (Arrays.stream(coding.split(","))
                .map(String::strip)
                .anyMatch(c -> !c.isEmpty() && !c.equalsIgnoreCase("identity"))) {
            // its bytes would be read as they came, a gzipped file as a file of no known format (RFC 9110, 15.5.16)
            throw new ApiException(
                    415,
                    "request.unsupported_encoding",
                    "Unsupported Media Type",
                    "the body is sent with Content-Encoding " + coding.strip()
                            + ", which the server does not decode; send it as it is",
                    Map.of(),
                    Map.of("Accept-Encoding", "identity"));
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > DRAIN_FACTOR * limit
                || (declared > limit && "100-continue".equalsIgnoreCase(ctx.header("Expect")))) {
            // refused before reading: more than would ever be drained, or a client waiting for the go-ahead (which the
            // first read would give) before it sends the body
            throw tooLarge.get();
        }
        Pace pace = new Pace();
        EndPoint endPoint = ctx.req().getAttribute(END_POINT) instanceof EndPoint e ? e : null;
        long idleTimeout = endPoint == null ? 0 : endPoint.getIdleTimeout();
        if (endPoint != null && (idleTimeout <= 0 || idleTimeout > GRACE_SECONDS * 1000)) {
            endPoint.setIdleTimeout(GRACE_SECONDS * 1000);
        }
        try {
            InputStream in = ctx.req().getInputStream();
            if (declared > limit) {
                throw drained(in, limit, tooLarge, pace);
            }
            int cap = (int) Math.min(limit + 1, Integer.MAX_VALUE - 16);
            // A declared length is the array's: the body read into it is the workbook, not copied again.
            byte[] buf = new byte[(int) Math.min(cap, declared >= 0 ? declared : 1 << 16)];
            int size = 0;
            while (true) {
                if (size == buf.length) {
                    int next = in.read(); // the end, where a body of the declared length ends
                    if (next < 0) {
                        break;
                    }
                    if (buf.length >= cap) {
                        throw drained(in, limit, tooLarge, pace);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(1L << 16, (long) buf.length * 2)));
                    buf[size++] = (byte) next;
                    continue;
                }
                int n = in.read(buf, size, buf.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
                pace.check(size);
            }
            if (size > limit) {
                throw tooLarge.get();
            }
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        } catch (IOException ex) {
            // nothing more sent for the grace period: a body that stopped arriving is too slow
            pace.checkStalled();
            // a chunk that is not one, a body shorter than its Content-Length: the client's fault, not the server's
            throw ApiException.badRequest(
                    UNREADABLE,
                    "the request's body could not be read to its end (shorter than its Content-Length, or a chunk"
                            + " that is not one)");
        } finally {
            if (endPoint != null) {
                endPoint.setIdleTimeout(idleTimeout);
            }
        }
    }

    /**
     * {@code refusal}, once the body (up to {@link #DRAIN_FACTOR} times {@code limit}) has been read and thrown away,
     * as for a body over the limit ({@link #drained}): a refusal answered before the body is read may be lost.
     */
    public static ApiException afterDraining(Context ctx, long limit, ApiException refusal) {
        try {
            return drained(ctx.req().getInputStream(), limit, () -> refusal, new Pace());
        } catch (IOException ex) {
            return refusal;
        }
    }

    /**
     * The body as JSON: null if it is empty, else the tree of its value.
     *
     * @throws ApiException 413 {@code request.too_large} over {@link #JSON_LIMIT} bytes; 400
     *                      {@code request.invalid_body} if it is not JSON ({@link #parse})
     */
    public static JsonNode json(Context ctx) {
        byte[] body = read(ctx, JSON_LIMIT, RequestBodies::jsonTooLarge);
        if (body.length == 0) {
            return null;
        }
        return parse(body);
    }

    /**
     * One JSON value, parsed strictly: trailing content after it and a member named twice in one object are refused,
     * as is anything else that is not JSON.
     *
     * @throws ApiException 400 {@code request.invalid_body}
     */
    public static JsonNode parse(byte[] body) {
        JsonNode tree;
        try {
            // parsed from the text decoded here, not from the bytes, from which Jackson would guess UTF-16 or UTF-32
            tree = JSON.readTree(utf8(body));
        } catch (IOException ex) {
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "the body must be one JSON object, with nothing after it and no member named twice");
        }
        if (tree != null && !unicode(tree)) {
            // "\ud800" alone: no character, and UTF-8 has no bytes for it (a password would be hashed as "?")
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "the body holds a string that is not Unicode text (a surrogate escape without its pair)");
        }
        return tree;
    }

    /**
     * The body as UTF-8 text, without a byte order mark. Strict: Jackson decodes an overlong form ("C1 A9" for "i") as
     * the character it spells, so that two byte strings would be one username and a NID with a hidden byte in it a
     * valid one, and reads a body without a byte order mark as UTF-16 or UTF-32 when its bytes look so (RFC 8259: JSON
     * text is UTF-8).
     *
     * @throws ApiException 400 {@code request.invalid_body} at the first byte that is not part of a UTF-8 character (an
     *                      overlong form, a surrogate, a code point beyond U+10FFFF, a stray or missing continuation
     *                      byte)
     */
    static String utf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "the body is not UTF-8 text: the bytes at offset " + in.position() + " spell no character");
        }
        out.flip();
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                // no JSON text holds a zero byte: UTF-16 or UTF-32 text does, for every ASCII character
                throw ApiException.badRequest(
                        "request.invalid_body",
                        "the body is not UTF-8 text: it holds a zero byte at offset " + i
                                + " (UTF-16 and UTF-32 are not taken)");
            }
        }
        if (out.hasRemaining() && out.get(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }

    /** Whether every string in {@code node} (member names too) is Unicode text: no surrogate without its pair. */
    private static boolean unicode(JsonNode node) {
        if (node.isTextual()) {
            return unicode(node.textValue());
        }
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            if (!unicode(member.getKey()) || !unicode(member.getValue())) {
                return false;
            }
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!unicode(element)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean unicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The names of the members of {@code body} not in {@code known}, in their order. */
    public static List<String> unknownMembers(JsonNode body, Set<String> known) {
        return body.properties().stream()
                .map(Map.Entry::getKey)
                .filter(k -> !known.contains(k))
                .toList();
    }

    /**
     * The body as a JSON object.
     *
     * @throws ApiException 413 {@code request.too_large}; 400 {@code request.invalid_body} if it is not an object
     */
    public static JsonNode jsonObject(Context ctx) {
        JsonNode node = json(ctx);
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("request.invalid_body", "the body must be a JSON object");
        }
        return node;
    }

    private static ApiException jsonTooLarge() {
        return new ApiException(
                413,
                "request.too_large",
                "Content Too Large",
                "a JSON body is at most " + JSON_LIMIT + " bytes",
                Map.of("limit", JSON_LIMIT),
                Map.of());
    }

    /**
     * The problem for a body over the limit, once the rest of the body has been read and thrown away (nothing is
     * kept), up to {@link #DRAIN_FACTOR} times the limit: answering while the client still sends makes the server close
     * the connection under it, and the client may then lose the answer (a reset) or reuse the closed connection. A
     * larger body is not read further; the connection is closed.
     */
    private static ApiException drained(InputStream in, long limit, Supplier<ApiException> tooLarge, Pace pace)
            throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long budget = DRAIN_FACTOR * limit;
        long read = 0;
        int n;
        while (read <= budget && (n = in.read(scratch)) >= 0) {
            read += n;
            pace.check(read);
        }
        return tooLarge.get();
    }

    /** How fast a body arrives: past the grace period, slower than the floor on average is 408. */
    private static final class Pace {
        /** How much sooner than the grace period a read may end and still count as the idle timeout's. */
        private static final long STALL_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

        private final long start = System.nanoTime();

        /** Bytes read at the last check. */
        private long lastBytes;
        /** When bytes last arrived. */
        private long lastArrival = start;

        /**
         * A read failed: if nothing arrived for the grace period before it (the connection's idle timeout, which is the
         * grace period while a body is read), the body stopped arriving: 408, whatever its pace before.
         */
        void checkStalled() {
            if (System.nanoTime() - lastArrival >= TimeUnit.SECONDS.toNanos(GRACE_SECONDS) - STALL_SLACK_NANOS) {
                throw tooSlow(String.format(
                        Locale.ROOT,
                        "nothing more of the request's body arrived for %d seconds, after %d bytes; send it again",
                        GRACE_SECONDS,
                        lastBytes));
            }
            check(lastBytes);
        }

        void check(long bytes) {
            if (bytes != lastBytes) {
                lastArrival = System.nanoTime();
            }
            lastBytes = bytes;
            double seconds = (System.nanoTime() - start) / 1e9;
            if (seconds > GRACE_SECONDS && bytes < MIN_BYTES_PER_SECOND * seconds) {
                throw tooSlow(String.format(
                        Locale.ROOT,
                        "the request's body arrived at %d bytes a second, under the %d the server waits for;"
                                + " send it again over a faster connection",
                        Math.round(bytes / seconds),
                        MIN_BYTES_PER_SECOND));
            }
        }

        private static ApiException tooSlow(String detail) {
            return new ApiException(408, TOO_SLOW, "Request Timeout", detail, Map.of(), Map.of("Connection", "close"));
        }
    }
}
