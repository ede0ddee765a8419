package rw.intake.server.internal.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The query string, checked before any route reads it: each {@code name=value} pair must be percent-encoded UTF-8. A
 * pair that is not ({@code status=%zz}, {@code size=%}, {@code %ff}) would otherwise be dropped on decoding, and the
 * route would answer as if the parameter were not given (every record for a filter that was meant). A parameter given
 * twice with different values ({@code size=10&size=abc}) is refused too: a route reads the first, and would answer as
 * if the second, the one a client may have meant, were not there.
 */
public final class QueryStrings {

    /** How much of a refused pair the problem's detail quotes. */
    private static final int QUOTED = 100;

    private QueryStrings() {}

    /**
     * Checks the request's query string.
     *
     * @throws ApiException 400 {@code request.invalid_parameter}, naming the parameter, for a pair that does not decode
     *                      or a parameter given again with another value
     */
    public static void check(Context ctx) {
        String query = ctx.queryString();
        if (query == null || query.isEmpty()) {
            return;
        }
        Map<String, String> values = new HashMap<>();
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String raw = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(raw);
            if (decode(pair) == null) {
                String quoted = pair.length() > QUOTED ? pair.substring(0, QUOTED) + "…" : pair;
                throw invalid(name != null ? name : raw, "a query parameter is not percent-encoded UTF-8: " + quoted);
            }
            // compared as the routes read them: without the spaces around them, in any case; an empty one is none
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1)).strip().toLowerCase(Locale.ROOT);
            String before = value.isEmpty() ? null : values.putIfAbsent(name, value);
            if (before != null && !before.equals(value)) {
                throw invalid(name, "the query parameter " + name + " is given twice, with different values");
            }
        }
    }

    private static ApiException invalid(String name, String detail) {
        return new ApiException(
                400, "request.invalid_parameter", "Bad Request", detail, Map.of("parameter", name), Map.of());
    }

    /** The text a part of a query string stands for ({@code +} a space), or null if it is no percent-encoded UTF-8. */
    static String decode(String part) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        int i = 0;
        while (i < part.length()) {
            int c = part.codePointAt(i);
            if (c == '%') {
                int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
                int lo = i + 2 < part.length() ? Character.digit(part.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                byte[] b = (c == '+' ? " " : Character.toString(c)).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i += Character.charCount(c);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
