package rw.intake.server.internal.ops;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The id of each request: a sane incoming {@code X-Request-Id} (1 to 128 letters, digits or {@code ._:-}) is kept,
 * anything else is replaced by a random UUID. The id goes out in the {@code X-Request-Id} answer header of every
 * answer, as {@code requestId} in every problem, and into the request log line.
 *
 * <p>A new id is a version 4 UUID drawn from {@link ThreadLocalRandom}: it names a request in the logs and is no
 * secret, and {@link UUID#randomUUID()} draws from the one {@code SecureRandom} every request thread would share,
 * under its lock.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "intake.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {}

    /** The before-filter of every request: picks the id and sets the answer header at once. */
    public static void assign(Context ctx) {
        of(ctx);
    }

    /** The id of this request (picked on first use). */
    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        if (id == null) {
            id = pick(ctx.header(HEADER));
            ctx.attribute(ATTRIBUTE, id);
            ctx.header(HEADER, id);
        }
        return id;
    }

    /** {@code incoming} if it is a sane id, else a new random one. */
    public static String pick(String incoming) {
        return incoming != null && SANE.matcher(incoming).matches() ? incoming : newId();
    }

    /** A random version 4 UUID, as text. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC0L << 56)) | (0x80L << 56); // the IETF variant
        return new UUID(high, low).toString();
    }
}
