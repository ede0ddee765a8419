package rw.intake.server.internal.upload;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The writes of one change of an upload to Redis, each key with the idle expiry: sent at once ({@link #direct}), or
 * gathered and sent with the meta as one Lua script ({@link #atomic}), which Redis runs whole or not at all, so that an
 * instance that dies while writing leaves the upload as it was or as it is after the change, never half of each.
 *
 * <p>A change too large for one script (a bulk edit of many rows) is sent in several, under the upload's torn mark: an
 * instance that dies in between leaves the mark, and the next edit or commit mends the upload first.
 */
final class RedisWrites {
    /**
     * Runs the writes that ARGV describes, one a key of KEYS[2..]: the command, its count of arguments, then those;
     * nothing if the meta KEYS[1] is gone (the upload was removed). 1 if written, else 0.
     */
    private static final String WRITE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return 0
            end
            local a = 1
            for i = 2, #KEYS do
              local n = tonumber(ARGV[a + 1])
              redis.call(ARGV[a], KEYS[i], unpack(ARGV, a + 2, a + 1 + n))
              a = a + 2 + n
            end
            return 1
            """;

    /** The bytes of writes sent in one script, at most (a larger change goes in several, under the torn mark). */
    static final long SCRIPT_BYTES = 32L << 20;

    private static final byte[] SET = ascii("SET");
    private static final byte[] HSET = ascii("HSET");
    private static final byte[] SADD = ascii("SADD");
    private static final byte[] SREM = ascii("SREM");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] PEXPIRE = ascii("PEXPIRE");
    private static final byte[] PX = ascii("PX");
    private static final byte[] XX = ascii("XX");

    private final RedisClusterCommands<byte[], byte[]> redis;
    private final byte[] idle;
    private final long idleMillis;
    /** The upload's meta key; null when each write is sent at once. */
    private final byte[] meta;
    /** The upload's torn mark, and the version it is set to before the first of several scripts. */
    private final byte[] torn;

    private final byte[] tornVersion;
    /** The bytes of writes in one script, at most. */
    private final long limit;

    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> args = new ArrayList<>();
    private long bytes;
    private boolean marked;

    /** Sent at once if {@code meta} is null, else as {@link #atomic}, in scripts of at most {@code limit} bytes. */
    RedisWrites(
            RedisClusterCommands<byte[], byte[]> redis,
            long idleMillis,
            byte[] meta,
            byte[] torn,
            long version,
            long limit) {
        this.redis = redis;
        this.limit = limit;
        this.idleMillis = idleMillis;
        this.idle = ascii(Long.toString(idleMillis));
        this.meta = meta;
        this.torn = torn;
        this.tornVersion = ascii(Long.toString(version));
    }

    /** Writes sent as they are made. */
    static RedisWrites direct(RedisClusterCommands<byte[], byte[]> redis, long idleMillis) {
        return new RedisWrites(redis, idleMillis, null, null, 0, 0);
    }

    /**
     * Writes gathered until {@link #finish}, which sends them with the meta {@code meta} of the upload; a change past
     * {@link #SCRIPT_BYTES} is sent in parts under the torn mark {@code torn}, set to {@code version} first.
     */
    static RedisWrites atomic(
            RedisClusterCommands<byte[], byte[]> redis, long idleMillis, byte[] meta, byte[] torn, long version) {
        return new RedisWrites(redis, idleMillis, meta, torn, version, SCRIPT_BYTES);
    }

    void set(byte[] key, byte[] value) {
        if (meta == null) {
            redis.set(key, value, SetArgs.Builder.px(idleMillis));
            return;
        }
        add(key, SET, value, PX, idle);
    }

    /** Sets the fields of the hash {@code key}, then its expiry. */
    void hset(byte[] key, Map<byte[], byte[]> fields) {
        if (fields.isEmpty()) {
            return;
        }
        if (meta == null) {
            redis.hset(key, fields);
            redis.pexpire(key, idleMillis);
            return;
        }
        byte[][] a = new byte[fields.size() * 2][];
        int i = 0;
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            a[i++] = f.getKey();
            a[i++] = f.getValue();
        }
        add(key, HSET, a);
        add(key, PEXPIRE, idle);
    }

    /** Adds the members to the set {@code key}, then sets its expiry. */
    void sadd(byte[] key, byte[][] members) {
        if (meta == null) {
            redis.sadd(key, members);
            redis.pexpire(key, idleMillis);
            return;
        }
        add(key, SADD, members);
        add(key, PEXPIRE, idle);
    }

    /** Removes {@code member} from the set {@code key}. */
    void srem(byte[] key, byte[] member) {
        if (meta == null) {
            redis.srem(key, member);
            return;
        }
        add(key, SREM, member);
    }

    void del(byte[] key) {
        if (meta == null) {
            redis.del(key);
            return;
        }
        add(key, DEL);
    }

    /** Gathers {@code command} on {@code key} with its arguments; what is gathered goes first if this would pass the bound. */
    private void add(byte[] key, byte[] command, byte[]... a) {
        long size = key.length;
        for (byte[] x : a) {
            size += x.length;
        }
        if (bytes > 0 && bytes + size > limit) {
            send();
        }
        keys.add(key);
        args.add(command);
        args.add(ascii(Integer.toString(a.length)));
        args.addAll(Arrays.asList(a));
        bytes += size;
    }

    /** Sends what is gathered as one script, the torn mark set first: more is to come. */
    private void send() {
        if (!marked) {
            redis.set(torn, tornVersion, SetArgs.Builder.px(idleMillis));
            marked = true;
        }
        run();
    }

    private boolean run() {
        byte[][] k = new byte[keys.size() + 1][];
        k[0] = meta;
        for (int i = 0; i < keys.size(); i++) {
            k[i + 1] = keys.get(i);
        }
        Long written = redis.eval(WRITE, ScriptOutputType.INTEGER, k, args.toArray(new byte[0][]));
        keys.clear();
        args.clear();
        bytes = 0;
        return written != null && written == 1;
    }

    /**
     * Sends the rest of the writes and the meta {@code value} last, in one script, then clears the torn mark if parts
     * went before. False, with nothing of this script written, if the upload was removed meanwhile.
     */
    boolean finish(byte[] value) {
        add(meta, SET, value, XX, PX, idle);
        boolean written = run();
        if (marked) {
            redis.del(torn);
        }
        return written;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
