package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings read from the environment: defaults, and values refused before anything starts. */
final class ServerConfigTest {

    @Test
    void theRedisChunkCacheHoldsThe1MRowUploadByDefault_takesMebibytes_refusesANegativeSize() {
        assertThat(ServerConfig.defaults().stagingRedisCacheBytes()).isEqualTo(160L << 20);
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_REDIS_CACHE_MB", "64")).stagingRedisCacheBytes())
                .isEqualTo(64L << 20);
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_REDIS_CACHE_MB", "0")).stagingRedisCacheBytes())
                .isZero();
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("STAGING_REDIS_CACHE_MB", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STAGING_REDIS_CACHE_MB must not be negative: -1");
    }

    @Test
    void aStagingStoreOtherThanMemoryOrRedisIsRefused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("STAGING", "disk")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STAGING must be memory or redis: disk");
    }
}
