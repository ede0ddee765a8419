package rw.intake.server;

import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import rw.intake.excel.ReadLimits;
import rw.intake.server.internal.auth.Tokens;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Redacted;
import rw.intake.storage.Storage;

/**
 * The server's settings, read from environment variables (see the README's configuration table). Every setting has a
 * default that runs the server on embedded defaults: H2 file database under {@code ./data}, in-memory staging.
 *
 * @param port                    {@code PORT}, default 8080 (0 picks a free port)
 * @param jdbcUrl                 {@code DB_URL}, default {@code jdbc:h2:file:./data/intake}
 * @param dbUser                  {@code DB_USER}, default {@code sa}
 * @param dbPassword              {@code DB_PASSWORD}, default empty
 * @param dbPoolSize              {@code DB_POOL_SIZE}, default 8
 * @param dbPartitionMinRecords   {@code DB_PARTITION_MIN_RECORDS}: records from which a PostgreSQL commit goes into a
 *                                partition of its own, default 100,000; 0 never
 * @param jwtSecret               {@code JWT_SECRET}; null means a random secret per start (tokens die with the process)
 * @param accessTokenTtl          {@code ACCESS_TOKEN_MINUTES}, default 15 minutes
 * @param refreshTokenTtl         {@code REFRESH_TOKEN_HOURS}, default 12 hours
 * @param refreshTokenReuse       {@code REFRESH_TOKEN_REUSE_SECONDS}: how long after its first use a refresh token may be
 *                                sent again while the token its answer carried is unused (that answer lost), default
 *                                {@value #DEFAULT_REFRESH_TOKEN_REUSE_SECONDS}; 0 never (any second use ends the login)
 * @param adminUsername           {@code ADMIN_USERNAME}, default {@code admin}
 * @param adminPassword           {@code ADMIN_PASSWORD}; null means a random one, printed once, if no admin exists
 * @param readLimits              {@code MAX_UPLOAD_BYTES} (128 MiB), {@code MAX_INFLATED_BYTES} (1 GiB), {@code MAX_ROWS} (1,000,000),
 *                                {@code MAX_SHARED_STRINGS_BYTES} (a sixth of the heap, at most 256 MiB)
 * @param stagingMaxRecords       {@code STAGING_MAX_RECORDS}: records staged at once over all uploads, default 2,000,000
 *                                (what a 1 GB heap holds, see docs/decisions/0008-small-heap.md)
 * @param stagingMaxUploadsPerUser {@code STAGING_MAX_UPLOADS_PER_USER}, default 5
 * @param stagingIdleExpiry       {@code STAGING_IDLE_MINUTES}: a staged upload not read for this long is dropped, default 60
 * @param validationThreads       {@code VALIDATION_THREADS}: uploads read and validated at once, default 2
 * @param stagingMaxRecordsPerUser {@code STAGING_MAX_RECORDS_PER_USER}: records one user may have staged at once,
 *                                default half of {@code STAGING_MAX_RECORDS} (so no one user can fill staging, and
 *                                by default one user can stage a workbook of {@code MAX_ROWS})
 * @param metricsToken            {@code METRICS_TOKEN}: a bearer token that may read {@code GET /metrics} (besides an
 *                                admin's access token); null: admins only
 * @param dbConnectTimeout        {@code DB_CONNECT_TIMEOUT_SECONDS}: how long a request waits for a database connection
 *                                before it is answered 503 {@code database.unavailable}, default 3
 * @param dbNetworkTimeout        {@code DB_NETWORK_TIMEOUT_SECONDS}: how long a statement waits for the database's answer
 *                                (PostgreSQL, MariaDB) before a database that stopped answering fails it as
 *                                {@code database.unavailable}, default 60
 * @param shutdownGrace           {@code SHUTDOWN_GRACE_SECONDS}: on SIGTERM, how long running commits may take to
 *                                finish before the server stops anyway, default 30
 * @param warmup                  {@code WARMUP}: {@code true} (default) runs the read, validate and commit paths once on
 *                                a small built-in workbook after the server starts listening (nothing staged, the
 *                                commit rolled back), and {@code /ready} waits for it; {@code false} skips it
 * @param staging                 {@code STAGING}: {@code memory} (default) or {@code redis}
 * @param redisUrl                {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}; for a Redis Cluster one or
 *                                more seed nodes, {@code redis://host1:6379,host2:6379}
 * @param stagingRedisPrefix      {@code STAGING_REDIS_PREFIX}: the prefix of every staging key, default {@code intake}
 * @param stagingRedisAllowPersistence {@code STAGING_REDIS_ALLOW_PERSISTENCE}: {@code true} starts even if Redis
 *                                writes to its disk, default {@code false}
 * @param stagingRedisLease       {@code STAGING_REDIS_LEASE_SECONDS}: how long an upload's validation, edit or commit
 *                                outlives its instance before another takes over, default 30
 * @param stagingRedisCluster     {@code STAGING_REDIS_CLUSTER}: {@code true} connects to a Redis Cluster through the
 *                                seed nodes of {@code REDIS_URL}, default {@code false} (one Redis)
 * @param stagingRedisCacheBytes  {@code STAGING_REDIS_CACHE_MB}: the heap each instance gives the chunks it read from
 *                                Redis for pages, default {@value #DEFAULT_STAGING_REDIS_CACHE_MB} MiB (the chunks of
 *                                a 1,000,000-row upload)
 * @param httpThreadsPerAddress   {@code HTTP_THREADS_PER_ADDRESS}: request threads that the requests from one client
 *                                address may hold at once, default {@value #DEFAULT_HTTP_THREADS_PER_ADDRESS}; its
 *                                further requests wait, holding no thread, until one ends; 0 no limit
 */
public record ServerConfig(
        int port,
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        long dbPartitionMinRecords,
        String jwtSecret,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        Duration refreshTokenReuse,
        String adminUsername,
        String adminPassword,
        ReadLimits readLimits,
        long stagingMaxRecords,
        int stagingMaxUploadsPerUser,
        Duration stagingIdleExpiry,
        int validationThreads,
        long stagingMaxRecordsPerUser,
        String metricsToken,
        Duration dbConnectTimeout,
        Duration dbNetworkTimeout,
        Duration shutdownGrace,
        boolean warmup,
        String staging,
        String redisUrl,
        String stagingRedisPrefix,
        boolean stagingRedisAllowPersistence,
        Duration stagingRedisLease,
        boolean stagingRedisCluster,
        long stagingRedisCacheBytes,
        int httpThreadsPerAddress) {

    /**
     * {@code HTTP_THREADS_PER_ADDRESS} by default: a quarter of the HTTP server's 250 request threads, so that no one
     * address (a client sending its bodies a byte at a time) can hold them all, while a busy client (a page's requests,
     * a load test's 32 connections) is never held back.
     */
    public static final int DEFAULT_HTTP_THREADS_PER_ADDRESS = 64;

    /** {@code STAGING_REDIS_CACHE_MB} by default. */
    public static final int DEFAULT_STAGING_REDIS_CACHE_MB = 160;

    /** {@code STAGING_MAX_RECORDS} by default: what the documented {@code -Xmx1g} holds (decision 8). */
    public static final long DEFAULT_STAGING_MAX_RECORDS = 2_000_000L;
    /** The shortest {@code METRICS_TOKEN}: one no one guesses. */
    static final int MIN_METRICS_TOKEN_CHARS = 16;

    public ServerConfig {
        if (jwtSecret != null && jwtSecret.getBytes(StandardCharsets.UTF_8).length < Tokens.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "JWT_SECRET must be at least " + Tokens.MIN_SECRET_BYTES + " bytes long (UTF-8)");
        }
        if (metricsToken != null && metricsToken.length() < MIN_METRICS_TOKEN_CHARS) {
            // a token short enough to guess would open the metrics to anyone who tries
            throw new IllegalArgumentException(
                    "METRICS_TOKEN must be at least " + MIN_METRICS_TOKEN_CHARS + " characters long");
        }
        if (!"memory".equals(staging) && !"redis".equals(staging)) {
            throw new IllegalArgumentException("STAGING must be memory or redis: " + staging);
        }
        if ("redis".equals(staging)) {
            requireRedisTimeout(redisUrl);
        }
        if ("redis".equals(staging) && !stagingRedisCluster && redisUrl.contains(",")) {
            throw new IllegalArgumentException("REDIS_URL names several nodes (" + Redacted.url(redisUrl)
                    + "), which only a Redis Cluster takes: set STAGING_REDIS_CLUSTER=true, or name one Redis");
        }
    }

    /**
     * A {@code timeout} parameter of {@code REDIS_URL} is a positive whole number with a unit ({@code 500ms}, {@code
     * 30s}, {@code 2m}): the Redis client ignores one it cannot read, and reads a number alone as milliseconds.
     */
    private static void requireRedisTimeout(String redisUrl) {
        int query = redisUrl.indexOf('?');
        if (query < 0) {
            return;
        }
        for (String parameter : redisUrl.substring(query + 1).split("&", -1)) {
            if (parameter.toLowerCase(Locale.ROOT).startsWith("timeout=")
                    && !REDIS_TIMEOUT
                            .matcher(parameter.substring("timeout=".length()))
                            .matches()) {
                throw new IllegalArgumentException("REDIS_URL: " + parameter
                        + " is not a timeout; give a positive whole number with a unit: ns, us, ms, s, m, h or d"
                        + " (such as timeout=30s)");
            }
        }
    }

    private static final Pattern REDIS_TIMEOUT =
            Pattern.compile("0*[1-9][0-9]{0,8}(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    /** The defaults, as if no variable were set. */
    public static ServerConfig defaults() {
        return fromEnv(Map.of());
    }

    /** The most connections a pool may hold. */
    static final long MAX_POOL_SIZE = 1_000;
    /** Access tokens live at most a day, refresh tokens a year (a date every database stores). */
    static final long MAX_ACCESS_TOKEN_MINUTES = 24 * 60;

    static final long MAX_REFRESH_TOKEN_HOURS = 365 * 24;
    /**
     * A refresh whose answer was lost is sent again within seconds (a client's retry, a page reloaded while it waited);
     * at most five minutes, since a thief's sending within that time ends no login (the owner's next refresh does).
     */
    static final long DEFAULT_REFRESH_TOKEN_REUSE_SECONDS = 30;

    static final long MAX_REFRESH_TOKEN_REUSE_SECONDS = 300;
    /** An upload is read into one array: at most the largest the JVM makes. */
    static final long MAX_UPLOAD_BYTES = Integer.MAX_VALUE - 8;
    /** 1 TiB. */
    static final long MAX_INFLATED_BYTES = 1L << 40;
    /**
     * The part of the heap a workbook's shared strings may take by default: while their array doubles it holds half as
     * much again, beside the file itself and the staged records.
     */
    static final int SHARED_STRINGS_HEAP_DIVISOR = 6;
    /** The shared strings' array: at most the largest the JVM makes. */
    static final long MAX_SHARED_STRINGS_BYTES = Integer.MAX_VALUE - 8;

    static final long MAX_VALIDATION_THREADS = 64;
    /** The HTTP server's request threads: a limit per address above it limits nothing. */
    static final long MAX_HTTP_THREADS = 250;
    /** The least pool: on PostgreSQL and H2, Flyway holds one connection while it migrates on another. */
    static final long MIN_POOL_SIZE = 2;
    /** An hour: the database timeouts and the shared staging's lease. */
    static final long MAX_TIMEOUT_SECONDS = 3_600;

    /**
     * {@code value}, the variable {@code key} as the JVM read it from the environment, if it read it whole: one holding
     * U+FFFD is refused, since that is what Java 17 reads for a byte its default charset cannot decode (a password in
     * a UTF-8 shell read under {@code LANG=C}), and a password so read would be another one.
     *
     * @throws IllegalArgumentException naming the variable and the charset
     */
    static String readable(String key, String value) {
        if (value != null && value.indexOf('\uFFFD') >= 0) {
            throw new IllegalArgumentException(key + " holds characters that this JVM could not read from the"
                    + " environment in its charset, " + Charset.defaultCharset() + ": run it with -Dfile.encoding=UTF-8"
                    + " (jvm.options has it) or in a UTF-8 locale");
        }
        return value;
    }

    /** Reads the settings from {@code env}; unknown keys are ignored, unset ones take their defaults. */
    public static ServerConfig fromEnv(Map<String, String> env) {
        Env e = new Env(env);
        long stagingMaxRecords = e.positive("STAGING_MAX_RECORDS", DEFAULT_STAGING_MAX_RECORDS);
        return new ServerConfig(
                e.port("PORT", 8080),
                e.text("DB_URL", "jdbc:h2:file:./data/intake"),
                e.text("DB_USER", "sa"),
                e.text("DB_PASSWORD", ""),
                (int) e.atLeast(
                        "DB_POOL_SIZE",
                        MIN_POOL_SIZE,
                        e.positive("DB_POOL_SIZE", 8, MAX_POOL_SIZE),
                        "Flyway migrates the database on a connection of its own"),
                e.longer("DB_PARTITION_MIN_RECORDS", Storage.DEFAULT_PARTITION_MIN_RECORDS),
                e.text("JWT_SECRET", null),
                Duration.ofMinutes(e.positive("ACCESS_TOKEN_MINUTES", 15, MAX_ACCESS_TOKEN_MINUTES)),
                Duration.ofHours(e.positive("REFRESH_TOKEN_HOURS", 12, MAX_REFRESH_TOKEN_HOURS)),
                Duration.ofSeconds(e.atMost(
                        "REFRESH_TOKEN_REUSE_SECONDS",
                        DEFAULT_REFRESH_TOKEN_REUSE_SECONDS,
                        MAX_REFRESH_TOKEN_REUSE_SECONDS)),
                e.text("ADMIN_USERNAME", "admin"),
                e.text("ADMIN_PASSWORD", null),
                new ReadLimits(
                        e.positive("MAX_UPLOAD_BYTES", ReadLimits.DEFAULT_MAX_BYTES, MAX_UPLOAD_BYTES),
                        e.positive("MAX_INFLATED_BYTES", ReadLimits.DEFAULT_MAX_INFLATED_BYTES, MAX_INFLATED_BYTES),
                        e.positiveInteger("MAX_ROWS", ReadLimits.DEFAULT_MAX_ROWS),
                        e.positive(
                                "MAX_SHARED_STRINGS_BYTES",
                                Math.min(
                                        ReadLimits.DEFAULT_MAX_SHARED_STRINGS_BYTES,
                                        Runtime.getRuntime().maxMemory() / SHARED_STRINGS_HEAP_DIVISOR),
                                MAX_SHARED_STRINGS_BYTES)),
                stagingMaxRecords,
                e.positiveInteger("STAGING_MAX_UPLOADS_PER_USER", 5),
                Duration.ofMinutes(e.positiveInteger("STAGING_IDLE_MINUTES", 60)),
                (int) e.positive("VALIDATION_THREADS", 2, MAX_VALIDATION_THREADS),
                e.positive("STAGING_MAX_RECORDS_PER_USER", Math.max(1, stagingMaxRecords / 2)),
                e.text("METRICS_TOKEN", null),
                Duration.ofSeconds(e.positive(
                        "DB_CONNECT_TIMEOUT_SECONDS",
                        DatabaseConfig.DEFAULT_CONNECTION_TIMEOUT.toSeconds(),
                        MAX_TIMEOUT_SECONDS)),
                Duration.ofSeconds(e.positive(
                        "DB_NETWORK_TIMEOUT_SECONDS",
                        Storage.DEFAULT_NETWORK_TIMEOUT.toSeconds(),
                        MAX_TIMEOUT_SECONDS)),
                Duration.ofSeconds(e.integer("SHUTDOWN_GRACE_SECONDS", 30)),
                e.bool("WARMUP", true),
                e.text("STAGING", "memory").toLowerCase(java.util.Locale.ROOT),
                e.text("REDIS_URL", "redis://127.0.0.1:6379"),
                e.text("STAGING_REDIS_PREFIX", "intake"),
                e.bool("STAGING_REDIS_ALLOW_PERSISTENCE", false),
                Duration.ofSeconds(e.positive("STAGING_REDIS_LEASE_SECONDS", 30, MAX_TIMEOUT_SECONDS)),
                e.bool("STAGING_REDIS_CLUSTER", false),
                e.atMost("STAGING_REDIS_CACHE_MB", DEFAULT_STAGING_REDIS_CACHE_MB, Long.MAX_VALUE >> 20) << 20,
                (int) e.atMost("HTTP_THREADS_PER_ADDRESS", DEFAULT_HTTP_THREADS_PER_ADDRESS, MAX_HTTP_THREADS));
    }

    /**
     * Heap a staged record takes, all counted, when staging in memory is full: a 1 GB heap holds the default 2,000,000
     * records and a 512 MB one 1,100,000 (docs/decisions/0016-the-heap-ceiling-stays.md).
     */
    static final long HEAP_BYTES_PER_STAGED_RECORD = 460;

    /**
     * What in these settings will not work as set, each a line for the log at start: a staging budget in memory that
     * the heap cannot hold ({@code maxHeap}, the JVM's {@code -Xmx}), a user's share above the whole budget.
     */
    public List<String> warnings(long maxHeap) {
        List<String> warnings = new ArrayList<>();
        if ("memory".equals(staging) && stagingMaxRecords > maxHeap / HEAP_BYTES_PER_STAGED_RECORD) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "STAGING_MAX_RECORDS=%d needs a heap of about %,.0f MB once staging is full, more than this JVM's"
                            + " %,d MB (-Xmx): uploads would fail for want of memory before the budget is used; lower"
                            + " it to %d, or give the JVM a larger heap",
                    stagingMaxRecords,
                    (double) stagingMaxRecords * HEAP_BYTES_PER_STAGED_RECORD / (1024 * 1024),
                    maxHeap / (1024 * 1024),
                    maxHeap / HEAP_BYTES_PER_STAGED_RECORD));
        }
        if (stagingMaxRecordsPerUser > stagingMaxRecords) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "STAGING_MAX_RECORDS_PER_USER=%d is above STAGING_MAX_RECORDS=%d: one user may stage at most the"
                            + " whole budget",
                    stagingMaxRecordsPerUser,
                    stagingMaxRecords));
        }
        return warnings;
    }

    /** Opens the database these settings name. */
    public Storage openStorage() {
        return Storage.builder(new DatabaseConfig(jdbcUrl, dbUser, dbPassword, dbPoolSize, dbConnectTimeout))
                .partitionMinRecords(dbPartitionMinRecords)
                .networkTimeout(dbNetworkTimeout)
                .open();
    }

    /** A copy with some variables changed (for tests and embedding). */
    public static ServerConfig with(Map<String, String> base, Map<String, String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(base);
        m.putAll(overrides);
        return fromEnv(m);
    }

    private record Env(Map<String, String> env) {
        /** A whole number as a setting takes it: a sign, then digits, a {@code _} allowed between two of them. */
        private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+(?:_[0-9]+)*");

        String text(String key, String def) {
            String v = readable(key, env.get(key));
            return v == null || v.isBlank() ? def : v.strip();
        }

        boolean bool(String key, boolean def) {
            String v = text(key, null);
            if (v == null) {
                return def;
            }
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new IllegalArgumentException(key + " must be true or false: " + v);
        }

        int integer(String key, int def) {
            return (int) atMost(key, def, Integer.MAX_VALUE);
        }

        /** A whole number above 0: a setting of which none would leave the server unable to serve. */
        long positive(String key, long def) {
            return aboveZero(key, longer(key, def));
        }

        int positiveInteger(String key, int def) {
            return (int) aboveZero(key, integer(key, def));
        }

        /** A whole number from 1 to {@code max}. */
        long positive(String key, long def, long max) {
            return aboveZero(key, atMost(key, def, max));
        }

        /** {@code n} if it is {@code min} or more, else a refusal naming the variable, the least and {@code why}. */
        long atLeast(String key, long min, long n, String why) {
            if (n < min) {
                throw new IllegalArgumentException(key + " must be at least " + min + " (" + why + "): " + n);
            }
            return n;
        }

        private static long aboveZero(String key, long n) {
            if (n == 0) {
                throw new IllegalArgumentException(key + " must be more than 0: " + n);
            }
            return n;
        }

        int port(String key, int def) {
            String v = text(key, null);
            if (v == null) {
                return def;
            }
            BigInteger n = whole(key, v);
            if (n.compareTo(BigInteger.valueOf(65_535)) > 0) {
                throw new IllegalArgumentException(key + " must be from 0 to 65535: " + v);
            }
            return n.intValueExact();
        }

        long longer(String key, long def) {
            return atMost(key, def, Long.MAX_VALUE);
        }

        /** A whole number from 0 to {@code max}: one past it is refused as too large, naming the maximum. */
        long atMost(String key, long def, long max) {
            String v = text(key, null);
            if (v == null) {
                return def;
            }
            BigInteger n = whole(key, v);
            if (n.compareTo(BigInteger.valueOf(max)) > 0) {
                throw new IllegalArgumentException(key + " is too large (at most " + max + "): " + v);
            }
            return n.longValueExact();
        }

        /**
         * {@code v} as a whole number of any size, a {@code _} allowed between two digits ({@code 2_000_000}); refused
         * if negative.
         */
        private static BigInteger whole(String key, String v) {
            if (!WHOLE.matcher(v).matches()) {
                throw new IllegalArgumentException(key + " must be a whole number: " + v);
            }
            BigInteger n = new BigInteger(v.replace("_", ""));
            if (n.signum() < 0) {
                throw new IllegalArgumentException(key + " must not be negative: " + v);
            }
            return n;
        }
    }
}
