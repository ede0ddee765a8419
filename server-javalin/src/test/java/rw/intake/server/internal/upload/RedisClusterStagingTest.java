package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.server.TestServer;

/**
 * The redis store on a Redis Cluster of three masters that the class starts on free ports ({@link PrivateRedis}), two
 * server instances sharing it ({@code STAGING_REDIS_CLUSTER=true}, {@code REDIS_URL} naming two of the nodes as seeds,
 * a fresh key prefix per test) and one database: the scenarios of {@link SharedStagingTest}, with the uploads' keys
 * spread over the masters by their hash tags.
 */
final class RedisClusterStagingTest {
    /** More than two chunks of {@link RecordChunks#SIZE} records. */
    private static final int ROWS = 10_000;

    @TempDir
    static Path dir;

    private static List<PrivateRedis> nodes = List.of();

    private final String prefix = TestServer.freshRedisPrefix();
    private final String db =
            "jdbc:h2:mem:cluster" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    private TestServer a;
    private TestServer b;

    @BeforeAll
    static void startCluster() {
        nodes = PrivateRedis.cluster(dir, 3);
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(PrivateRedis::close);
    }

    private TestServer instance(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("STAGING", "redis");
        env.put("STAGING_REDIS_CLUSTER", "true");
        env.put(
                "REDIS_URL",
                "redis://" + nodes.get(0).address() + "," + nodes.get(1).address());
        env.put("STAGING_REDIS_PREFIX", prefix);
        env.put("DB_URL", db);
        env.putAll(extra);
        return TestServer.start(env);
    }

    @AfterEach
    void stop() {
        TestServer.closeAll(a, b);
    }

    @Test
    void uploadOnA_pagedOnB_committedOnB_secondCommitOnA409_deleteOnA_404OnB() {
        a = instance(Map.of());
        b = instance(Map.of());
        String token = a.clerkToken("cluster");
        String id = SharedStagingTest.stagedOnA_pagedAndEditedOnB(a, b, token, ROWS);

        // the upload's chunks and its meta in the cluster, in the one slot of its hash tag
        String tag = "{" + prefix + ":" + id + "}";
        int last = (ROWS - 1) / RecordChunks.SIZE;
        String slot = nodes.get(0).cli("cluster", "keyslot", tag + ":meta").strip();
        assertThat(nodes.get(0).cli("cluster", "keyslot", tag + ":c:" + last).strip())
                .isEqualTo(slot);
        assertThat(nodes.get(0)
                        .cli(
                                "-c",
                                "exists",
                                tag + ":meta",
                                tag + ":c:0",
                                tag + ":c:1",
                                tag + ":c:" + last,
                                tag + ":c:" + (last + 1))
                        .strip())
                .isEqualTo("4");

        SharedStagingTest.committedOnB_secondCommitOnA409_deleteOnA_404OnB(a, b, token, id, ROWS);
        assertThat(nodes.get(0).cli("-c", "exists", tag + ":meta", tag + ":c:0").strip())
                .isEqualTo("0");
    }

    @Test
    void theBudgetHoldsAcrossInstances() {
        a = instance(SharedStagingTest.BUDGET);
        b = instance(SharedStagingTest.BUDGET);
        SharedStagingTest.theBudgetHoldsAcross(a, b);
    }

    @Test
    void oneMasterThatPersistsIsRefused() {
        PrivateRedis second = nodes.get(1);
        PrivateRedis third = nodes.get(2);
        third.cli("config", "set", "appendonly", "yes");
        second.cli("config", "set", "save", "3600 1");
        try {
            assertThatThrownBy(() -> instance(Map.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("RDB snapshots (save \"3600 1\") on " + second.address())
                    .hasMessageContaining("the append-only file on " + third.address())
                    .hasMessageNotContaining(nodes.get(0).address())
                    .hasMessageContaining("STAGING_REDIS_ALLOW_PERSISTENCE");
            a = instance(Map.of("STAGING_REDIS_ALLOW_PERSISTENCE", "true"));
            assertThat(a.get("/api/v1/uploads", a.clerkToken("p")).statusCode()).isEqualTo(200);
        } finally {
            third.cli("config", "set", "appendonly", "no");
            second.cli("config", "set", "save", "");
        }
    }

    @Test
    void aClusterWithoutStagingRedisClusterIsRefused() {
        // one seed without the setting would reach only its own node's slots
        Map<String, String> oneNode = Map.of(
                "STAGING_REDIS_CLUSTER",
                "false",
                "REDIS_URL",
                "redis://" + nodes.get(2).address());
        assertThatThrownBy(() -> instance(oneNode))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is a node of a Redis Cluster")
                .hasMessageContaining("set STAGING_REDIS_CLUSTER=true");
        assertThatThrownBy(() -> instance(Map.of("STAGING_REDIS_CLUSTER", "false")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REDIS_URL names several nodes")
                .hasMessageContaining("STAGING_REDIS_CLUSTER=true");
    }
}
