package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/** A change's writes against the machine's Redis: one script, whole or nothing; a large one in parts, marked torn. */
final class RedisWritesTest {
    private static final long IDLE = 60_000;

    private final String prefix = TestServer.freshRedisPrefix();
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private RedisCommands<byte[], byte[]> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(TestServer.REDIS_URL);
        connection = client.connect(ByteArrayCodec.INSTANCE);
        redis = connection.sync();
    }

    @AfterEach
    void disconnect() {
        for (String part : new String[] {"meta", "torn", "c:0", "c:1", "edits", "ix", "ix:stale"}) {
            redis.del(key(part));
        }
        connection.close();
        client.shutdown();
    }

    private byte[] key(String part) {
        return bytes("{" + prefix + ":u}:" + part);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RedisWrites writes(long limit) {
        redis.set(key("meta"), bytes("m1"), SetArgs.Builder.px(IDLE));
        return new RedisWrites(redis, IDLE, key("meta"), key("torn"), 2, limit);
    }

    private static IdentityHashMap<byte[], byte[]> fields(String... kv) {
        IdentityHashMap<byte[], byte[]> out = new IdentityHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(bytes(kv[i]), bytes(kv[i + 1]));
        }
        return out;
    }

    @Test
    void aChangeGoesWithItsMetaInOneScript_nothingBefore() {
        RedisWrites w = writes(RedisWrites.SCRIPT_BYTES);

        w.set(key("c:0"), bytes("chunk"));
        w.hset(key("edits"), fields("3", "[e3]", "4", "[e4]"));
        w.sadd(key("ix"), new byte[][] {bytes("all::"), bytes("invalid::")});
        w.srem(key("ix"), bytes("stale"));
        w.del(key("ix:stale"));

        assertThat(redis.exists(key("c:0"), key("edits"), key("ix"))).isZero();
        redis.set(key("ix:stale"), bytes("old"));
        assertThat(w.finish(bytes("m2"))).isTrue();
        assertThat(redis.get(key("meta"))).isEqualTo(bytes("m2"));
        assertThat(redis.get(key("c:0"))).isEqualTo(bytes("chunk"));
        assertThat(redis.hget(key("edits"), bytes("4"))).isEqualTo(bytes("[e4]"));
        assertThat(redis.scard(key("ix"))).isEqualTo(2);
        assertThat(redis.exists(key("ix:stale"), key("torn"))).isZero();
        for (String part : new String[] {"meta", "c:0", "edits", "ix"}) {
            assertThat(redis.pttl(key(part))).as(part).isBetween(1L, IDLE);
        }
    }

    @Test
    void anUploadRemovedMeanwhile_nothingWritten() {
        RedisWrites w = writes(RedisWrites.SCRIPT_BYTES);
        w.set(key("c:0"), bytes("chunk"));
        redis.del(key("meta"));

        assertThat(w.finish(bytes("m2"))).isFalse();

        assertThat(redis.exists(key("c:0"), key("meta"), key("torn"))).isZero();
    }

    @Test
    void aChangePastTheBound_sentInPartsUnderTheTornMark() {
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 'x');
        RedisWrites w = writes(1_000);

        w.set(key("c:0"), big);
        w.set(key("c:1"), big);

        // the first part went, under the mark of the version being written; the meta is still the one before
        assertThat(redis.get(key("torn"))).isEqualTo(bytes("2"));
        assertThat(redis.get(key("c:0"))).isEqualTo(big);
        assertThat(redis.exists(key("c:1"))).isZero();
        assertThat(redis.get(key("meta"))).isEqualTo(bytes("m1"));
        assertThat(w.finish(bytes("m2"))).isTrue();
        assertThat(redis.get(key("c:1"))).isEqualTo(big);
        assertThat(redis.get(key("meta"))).isEqualTo(bytes("m2"));
        assertThat(redis.exists(key("torn"))).isZero();
    }

    @Test
    void direct_eachWriteAtOnce() {
        RedisWrites w = RedisWrites.direct(redis, IDLE);

        w.set(key("c:0"), bytes("chunk"));
        w.hset(key("edits"), fields("3", "[e3]"));

        assertThat(redis.get(key("c:0"))).isEqualTo(bytes("chunk"));
        assertThat(redis.pttl(key("edits"))).isBetween(1L, IDLE);
    }
}
