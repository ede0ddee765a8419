package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    /** Settings that start but will not work as set are named in the log at start; the defaults are not. */
    @Test
    void aBudgetTheHeapCannotHold_andAUsersSharePastTheBudget_warned() {
        long gib = 1L << 30;
        assertThat(ServerConfig.defaults().warnings(gib)).isEmpty();
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "1100000"))
                        .warnings(gib / 2))
                .isEmpty();
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "3000000"))
                        .warnings(gib))
                .containsExactly("STAGING_MAX_RECORDS=3000000 needs a heap of about 1,316 MB once staging is full, more"
                        + " than this JVM's 1,024 MB (-Xmx): uploads would fail for want of memory before the budget is"
                        + " used; lower it to 2334221, or give the JVM a larger heap");
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "9223372036854775807"))
                        .warnings(gib))
                .singleElement()
                .asString()
                .startsWith("STAGING_MAX_RECORDS=9223372036854775807 needs a heap of about 4,046,202,790,215,680 MB");
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "9223372036854775807", "STAGING", "redis"))
                        .warnings(gib))
                .isEmpty();
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "1000", "STAGING_MAX_RECORDS_PER_USER", "1001"))
                        .warnings(gib))
                .containsExactly("STAGING_MAX_RECORDS_PER_USER=1001 is above STAGING_MAX_RECORDS=1000: one user may"
                        + " stage at most the whole budget");
    }

    /**
     * A setting holding U+FFFD is refused, naming the variable: that is what Java 17 reads for a byte its charset cannot
     * decode (a password typed in a UTF-8 shell, read under {@code LANG=C} without jvm.options' {@code
     * -Dfile.encoding=UTF-8}), and the password would silently be another one.
     */
    @Test
    void aSettingTheJvmCouldNotReadWhole_refusedNamingIt() {
        for (String key : new String[] {"ADMIN_PASSWORD", "JWT_SECRET", "DB_PASSWORD", "DB_URL", "METRICS_TOKEN"}) {
            assertThatThrownBy(
                            () -> ServerConfig.fromEnv(Map.of(key, "Adm1n-P\uFFFD\uFFFDssw\uFFFD\uFFFDrd-long-enough")))
                    .as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(key + " holds characters that this JVM could not read from the environment")
                    .hasMessageContaining("-Dfile.encoding=UTF-8");
        }
        assertThat(ServerConfig.fromEnv(Map.of("ADMIN_PASSWORD", "Adm1n-Pässwörd-İstanbul"))
                        .adminPassword())
                .isEqualTo("Adm1n-Pässwörd-İstanbul");
    }

    /** A quarter of the 250 request threads for one address by default; at most all of them; 0 no limit. */
    @Test
    void threadsPerAddress_64ByDefault_atMostTheServersThreads() {
        assertThat(ServerConfig.defaults().httpThreadsPerAddress()).isEqualTo(64);
        assertThat(ServerConfig.fromEnv(Map.of("HTTP_THREADS_PER_ADDRESS", "0")).httpThreadsPerAddress())
                .isZero();
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("HTTP_THREADS_PER_ADDRESS", "251")))
                .hasMessage("HTTP_THREADS_PER_ADDRESS is too large (at most 250): 251");
    }

    /** A setting of which none would leave the server unable to serve is refused at 0, naming the variable. */
    @Test
    void zeroRefusedWhereNoneCannotServe_aPortOutOfRangeAndAnIntegerOverflowToo() {
        for (String key : new String[] {
            "ACCESS_TOKEN_MINUTES",
            "REFRESH_TOKEN_HOURS",
            "MAX_UPLOAD_BYTES",
            "MAX_INFLATED_BYTES",
            "MAX_ROWS",
            "MAX_SHARED_STRINGS_BYTES",
            "STAGING_MAX_RECORDS",
            "STAGING_MAX_RECORDS_PER_USER",
            "STAGING_MAX_UPLOADS_PER_USER",
            "STAGING_IDLE_MINUTES",
            "VALIDATION_THREADS",
            "DB_CONNECT_TIMEOUT_SECONDS",
            "DB_NETWORK_TIMEOUT_SECONDS"
        }) {
            assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of(key, "0")))
                    .as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(key + " must be more than 0: 0");
        }
        // where 0 means something: a free port, no cache, no partitions, no grace, no limit
        for (String key : new String[] {
            "PORT",
            "STAGING_REDIS_CACHE_MB",
            "DB_PARTITION_MIN_RECORDS",
            "SHUTDOWN_GRACE_SECONDS",
            "HTTP_THREADS_PER_ADDRESS"
        }) {
            assertThat(ServerConfig.fromEnv(Map.of(key, "0"))).as(key).isNotNull();
        }
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", "70000")))
                .hasMessage("PORT must be from 0 to 65535: 70000");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_ROWS", "3000000000")))
                .hasMessage("MAX_ROWS is too large (at most 2147483647): 3000000000");
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_MAX_RECORDS", "1")).stagingMaxRecordsPerUser())
                .isEqualTo(1);
    }

    /** A pool of one connection cannot migrate PostgreSQL or H2 (Flyway needs two): refused at start, with why. */
    @Test
    void aPoolOfLessThanTwo_refused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DB_POOL_SIZE", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DB_POOL_SIZE must be at least 2 (Flyway migrates the database on a connection of its"
                        + " own): 1");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DB_POOL_SIZE", "0")))
                .hasMessage("DB_POOL_SIZE must be more than 0: 0");
        assertThat(ServerConfig.fromEnv(Map.of("DB_POOL_SIZE", "2")).dbPoolSize())
                .isEqualTo(2);
    }

    /** A whole number too large for its setting's type is refused as too large, with the maximum, not as no number. */
    @Test
    void aNumberTooLargeForItsType_refusedAsTooLargeWithTheMaximum() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_ROWS", "99999999999999999999")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MAX_ROWS is too large (at most 2147483647): 99999999999999999999");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_UPLOAD_BYTES", "99_999_999_999_999_999_999")))
                .hasMessage("MAX_UPLOAD_BYTES is too large (at most 2147483639): 99_999_999_999_999_999_999");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", "99999999999999999999")))
                .hasMessage("PORT must be from 0 to 65535: 99999999999999999999");
        // mebibytes: the most whose bytes a long holds
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("STAGING_REDIS_CACHE_MB", "8796093022208")))
                .hasMessage("STAGING_REDIS_CACHE_MB is too large (at most 8796093022207): 8796093022208");
        assertThat(ServerConfig.fromEnv(Map.of("STAGING_REDIS_CACHE_MB", "8796093022207"))
                        .stagingRedisCacheBytes())
                .isEqualTo(8796093022207L << 20);
        // the largest of each type is taken; a number past any type's range is still a number, and negative is refused
        assertThat(ServerConfig.fromEnv(Map.of("MAX_ROWS", "2147483647"))
                        .readLimits()
                        .maxRows())
                .isEqualTo(Integer.MAX_VALUE);
        // the shared strings: a sixth of the heap by default, at most 256 MiB; set, at most the largest array
        assertThat(ServerConfig.fromEnv(Map.of()).readLimits().maxSharedStringsBytes())
                .isEqualTo(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 6));
        assertThat(ServerConfig.fromEnv(Map.of("MAX_SHARED_STRINGS_BYTES", "1048576"))
                        .readLimits()
                        .maxSharedStringsBytes())
                .isEqualTo(1L << 20);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_SHARED_STRINGS_BYTES", "2147483640")))
                .hasMessage("MAX_SHARED_STRINGS_BYTES is too large (at most 2147483639): 2147483640");
        assertThat(ServerConfig.fromEnv(Map.of("DB_PARTITION_MIN_RECORDS", "9223372036854775807"))
                        .dbPartitionMinRecords())
                .isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_ROWS", "-99999999999999999999")))
                .hasMessage("MAX_ROWS must not be negative: -99999999999999999999");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("MAX_ROWS", "1e9")))
                .hasMessage("MAX_ROWS must be a whole number: 1e9");
    }

    /** A {@code _} groups digits, between two of them; anywhere else the value is no number. */
    @Test
    void underscores_onlyBetweenDigits() {
        assertThat(ServerConfig.fromEnv(Map.of("MAX_ROWS", "2_000_000"))
                        .readLimits()
                        .maxRows())
                .isEqualTo(2_000_000);
        for (String v : new String[] {"18111_", "_18111", "1__8111", "_", "1_ 000"}) {
            assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", v)))
                    .as(v)
                    .hasMessage("PORT must be a whole number: " + v);
        }
    }

    /**
     * A setting past what the server can work with is refused at start, naming the most it takes: not taken, then
     * failing every upload, login or start (an array past the JVM's largest, a date past a database's, a pool that
     * fills the heap, a lease Redis cannot set).
     */
    @Test
    void aSettingPastWhatTheServerCanWorkWith_refusedWithItsMaximum() {
        Map<String, String> most = Map.of(
                "MAX_UPLOAD_BYTES", "2147483639",
                "MAX_INFLATED_BYTES", "1099511627776",
                "DB_POOL_SIZE", "1000",
                "ACCESS_TOKEN_MINUTES", "1440",
                "REFRESH_TOKEN_HOURS", "8760",
                "VALIDATION_THREADS", "64",
                "DB_CONNECT_TIMEOUT_SECONDS", "3600",
                "DB_NETWORK_TIMEOUT_SECONDS", "3600",
                "STAGING_REDIS_LEASE_SECONDS", "3600");
        most.forEach((key, max) -> {
            assertThat(ServerConfig.fromEnv(Map.of(key, max))).as(key).isNotNull();
            String past =
                    new java.math.BigInteger(max).add(java.math.BigInteger.ONE).toString();
            assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of(key, past)))
                    .as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(key + " is too large (at most " + max + "): " + past);
        });
        ServerConfig config = ServerConfig.fromEnv(most);
        assertThat(config.readLimits().maxBytes()).isEqualTo(Integer.MAX_VALUE - 8);
        assertThat(config.refreshTokenTtl()).hasHours(8760);
        assertThat(ServerConfig.fromEnv(Map.of()).refreshTokenReuse()).hasSeconds(30);
        assertThat(ServerConfig.fromEnv(Map.of("REFRESH_TOKEN_REUSE_SECONDS", "0"))
                        .refreshTokenReuse())
                .isZero();
        assertThat(ServerConfig.fromEnv(Map.of("REFRESH_TOKEN_REUSE_SECONDS", "300"))
                        .refreshTokenReuse())
                .hasSeconds(300);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("REFRESH_TOKEN_REUSE_SECONDS", "301")))
                .hasMessage("REFRESH_TOKEN_REUSE_SECONDS is too large (at most 300): 301");
        assertThat(config.stagingRedisLease()).hasSeconds(3600);
        // the lease is whole seconds, as every other number
        for (String v : new String[] {"0.5", "1e300", "Infinity"}) {
            assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("STAGING_REDIS_LEASE_SECONDS", v)))
                    .hasMessage("STAGING_REDIS_LEASE_SECONDS must be a whole number: " + v);
        }
    }

    @Test
    void aMetricsTokenShorterThan16CharactersIsRefused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("METRICS_TOKEN", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("METRICS_TOKEN must be at least 16 characters long");
        assertThat(ServerConfig.fromEnv(Map.of("METRICS_TOKEN", "0123456789abcdef"))
                        .metricsToken())
                .isEqualTo("0123456789abcdef");
    }

    @Test
    void aJwtSecretShorterThan32BytesIsRefused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("JWT_SECRET", "short-secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JWT_SECRET must be at least 32 bytes long (UTF-8)");
        // 11 characters of 3 bytes each: 33 bytes
        ServerConfig.fromEnv(Map.of("JWT_SECRET", "\u20ac".repeat(11)));
    }

    @Test
    void aRedisTimeoutTheClientCannotReadIsRefused() {
        for (String timeout : List.of("abc", "30", "-1s", "0s", "5x", "")) {
            assertThatThrownBy(() -> ServerConfig.fromEnv(
                            Map.of("STAGING", "redis", "REDIS_URL", "redis://:pw@127.0.0.1:6379/0?timeout=" + timeout)))
                    .as(timeout)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "REDIS_URL: timeout=" + timeout + " is not a timeout; give a positive whole number with a"
                                    + " unit: ns, us, ms, s, m, h or d (such as timeout=30s)");
        }
        for (String timeout : List.of("30s", "500ms", "2m", "10S")) {
            assertThat(ServerConfig.fromEnv(
                                    Map.of("STAGING", "redis", "REDIS_URL", "redis://h:6379?timeout=" + timeout))
                            .redisUrl())
                    .endsWith(timeout);
        }
    }

    @Test
    void aStagingStoreOtherThanMemoryOrRedisIsRefused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("STAGING", "disk")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STAGING must be memory or redis: disk");
    }
}
