package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.UploadSummary.Failure;
import rw.intake.storage.CommitResult;
import rw.intake.storage.Page;
import rw.intake.storage.RecordEdit;
import rw.intake.validation.ValidatedRecord;

/**
 * The staged uploads in Redis, shared by every instance of the server, so that any instance answers for any upload.
 *
 * <p>Each upload's keys share the hash tag {@code {prefix:id}} (one slot in Redis Cluster): {@code :meta} (its
 * state, {@link Upload.Stored} as JSON after a version byte), {@code :edits} (its edits: a hash, one field a row,
 * the row's edits as a JSON array, so that an edit writes its own row's and a record is read with its own), {@code
 * :c:N} (record chunks, {@link RecordChunks}), {@code :lease} (held by the instance that validates it), {@code
 * :lock} (held by the edit or the commit running) and {@code :torn} (set while a change too large for one script is
 * written in several: left behind, the write failed part way, and the next edit or commit mends the upload first).
 * Every key of an upload has the idle expiry as TTL, refreshed on access. The budget lives under {@code {prefix}}:
 * three hashes by upload id (records reserved, owner, deadline) that a Lua script reads, sweeps of expired uploads,
 * and reserves from atomically.
 *
 * <p>Validation writes each full chunk as it is staged, and the upload's progress, on the instance that received the
 * workbook; it renews the lease meanwhile. An upload still validating whose lease ran out (its instance died) is turned
 * {@code failed} with {@code upload.validation_lost} by the first instance that reads it. Its summary, pages and
 * single records are served from Redis a chunk and an index slice at a time ({@link RedisPages}, {@link
 * RemoteUpload}), with the validating instance's filter indexes there too. An edit, a report or the commit reads the
 * upload whole into this instance, which keeps it while its version (bumped by every edit and commit) is the one in
 * Redis. Edits and the commit hold the upload's lock ({@code SET NX PX}, renewed while they run), work on
 * the fresh copy and write back the chunks, history and lists they changed with the meta in one script, whole or not
 * at all ({@link RedisWrites}).
 */
final class RedisStaging implements StagingStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStaging.class);
    /** The first byte of a meta value; a reader refuses another. */
    static final byte META_VERSION = 2;

    static final String VALIDATION_LOST = "upload.validation_lost";
    static final String UNAVAILABLE = "staging.unavailable";
    /** The failure of an upload whose records a failed write left torn, with no whole copy to write them again. */
    static final String WRITE_LOST = "upload.write_lost";
    /** The key part that marks an upload's write under way: left behind, the write failed part way. */
    private static final String TORN = "torn";
    /** The key part of an upload's edits, a hash by row. */
    private static final String EDITS = "edits";
    /** Rows of edits written or read in one call. */
    private static final int EDITS_BATCH = 1_000;

    private static final int MGET_BATCH = 64;
    private static final long LOCK_WAIT_MILLIS = 30_000;
    private static final long LOCK_RETRY_MILLIS = 20;
    /** Chunk writes of a validating upload sent and not answered yet, at most. */
    static final int CHUNKS_IN_FLIGHT = 8;
    /** How often a validating upload's progress, reservation and lease are written. */
    static final long PROGRESS_MILLIS = 100;

    /**
     * Lua that sums the budget's reservations (KEYS[1]: upload to records, KEYS[2]: upload to owner): {@code total},
     * owner ARGV[2]'s {@code mine} and the {@code count} of its uploads.
     */
    private static final String BUDGET_SUMS = """
            local total = 0
            local mine = 0
            local count = 0
            local records = redis.call('HGETALL', KEYS[1])
            for i = 1, #records, 2 do
              local n = tonumber(records[i + 1])
              total = total + n
              if redis.call('HGET', KEYS[2], records[i]) == ARGV[2] then
                mine = mine + n
                count = count + 1
              end
            end
            """;

    /** Drops expired uploads from the budget; then reserves ARGV[3] records for upload ARGV[1] of owner ARGV[2]. */
    private static final String RESERVE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local deadlines = redis.call('HGETALL', KEYS[3])
            for i = 1, #deadlines, 2 do
              if tonumber(deadlines[i + 1]) < now then
                redis.call('HDEL', KEYS[1], deadlines[i])
                redis.call('HDEL', KEYS[2], deadlines[i])
                redis.call('HDEL', KEYS[3], deadlines[i])
              end
            end
""" + BUDGET_SUMS + """
            if ARGV[1] == '' then
              return {0, total, mine, count}
            end
            local want = tonumber(ARGV[3])
            if count >= tonumber(ARGV[6]) then
              return {1, total, mine, count}
            end
            if mine + want > tonumber(ARGV[5]) then
              return {2, total, mine, count}
            end
            if total + want > tonumber(ARGV[4]) then
              return {3, total, mine, count}
            end
            redis.call('HSET', KEYS[1], ARGV[1], want)
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[1], now + tonumber(ARGV[7]))
            for i = 1, #KEYS do
              redis.call('PEXPIRE', KEYS[i], ARGV[7])
            end
            return {0, total + want, mine + want, count + 1}
            """;
    /**
     * Raises upload ARGV[1]'s reservation to ARGV[3] if it is still staged and the budget takes it: within owner
     * ARGV[2]'s share ARGV[5] and the total ARGV[4]. Returns {0 or 2 (the share) or 3 (the total), the owner's records,
     * all records}, as they would be.
     */
    private static final String GROW = """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if not current then
              return {0, 0, 0}
            end
            local more = tonumber(ARGV[3]) - tonumber(current)
""" + BUDGET_SUMS + """
            if mine + more > tonumber(ARGV[5]) then
              return {2, mine + more, total + more}
            end
            if total + more > tonumber(ARGV[4]) then
              return {3, mine + more, total + more}
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            return {0, mine + more, total + more}
            """;
    /** Sets upload ARGV[1]'s reservation to ARGV[2] if it is still staged. */
    private static final String ADJUST = """
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            end
            return 0
            """;
    /**
     * Pushes upload ARGV[1]'s deadline ARGV[2] ms ahead if it is still staged, and the budget's keys with it (they
     * expire once no upload is left to refresh them).
     */
    private static final String DEADLINE = """
            if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
              local t = redis.call('TIME')
              redis.call('HSET', KEYS[3], ARGV[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2]))
              for i = 1, #KEYS do
                redis.call('PEXPIRE', KEYS[i], ARGV[2])
              end
            end
            return 0
            """;
    /**
     * The next number of the sequence of admissions KEYS[1]: Redis' time in microseconds, or one above the last number
     * if that is later. A sequence lost (Redis flushed, the key evicted under {@code maxmemory}) goes on above every
     * number it gave before, as long as Redis' clock does not go back.
     */
    private static final String NEXT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local last = tonumber(redis.call('GET', KEYS[1]) or '0')
            local n = math.max(now, last + 1)
            redis.call('SET', KEYS[1], string.format('%.0f', n))
            return n
            """;
    /**
     * Sets owner ARGV[1]'s last upload to ARGV[3], admitted as number ARGV[2], unless one admitted later is set: one
     * whose number is above the sequence KEYS[2] now was admitted before the sequence was lost (Redis flushed, the key
     * evicted under {@code maxmemory}), and counts as earlier.
     */
    private static final String LATEST = """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            local n = current and tonumber(string.match(current, '^%d+'))
            if not current or n < tonumber(ARGV[2]) or n > tonumber(redis.call('GET', KEYS[2]) or '0') then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
            end
            return 0
            """;
    /** Gives every key of an upload the TTL ARGV[1]. */
    private static final String EXPIRE = """
            for i = 1, #KEYS do
              redis.call('PEXPIRE', KEYS[i], ARGV[1])
            end
            return 0
            """;
    /** Deletes KEYS[1] if it holds ARGV[1]. */
    private static final String UNLOCK = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;
    /** Extends KEYS[1] to ARGV[2] ms if it holds ARGV[1]. */
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;
    /** Replaces the meta KEYS[1] by ARGV[2] if it still holds ARGV[1] and the lease KEYS[2] is gone. */
    private static final String LOSE = """
            if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
              return 1
            end
            return 0
            """;

    private final RedisConnector connector;
    /** One Redis's commands or the cluster's, routed by key (see {@link RedisConnector}). */
    private final RedisClusterCommands<byte[], byte[]> redis;

    private final String prefix;
    private final long maxRecords;
    private final long maxRecordsPerUser;
    private final int maxUploadsPerUser;
    private final long idleMillis;
    private final long leaseMillis;
    private final String instance = UUID.randomUUID().toString();
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The uploads this instance validates now, with the chunks written of each. */
    private final Map<String, Home> home = new ConcurrentHashMap<>();
    /** Validated uploads read into this instance, by id, with the version they were read at. */
    private final Cache<String, Local> cache;
    /** The uploads held here ({@link #hold}): their expiry is pushed ahead with the leases. */
    private final Holds held = new Holds();
    /** The locks this instance holds (key → token), renewed until released. */
    private final Map<String, byte[]> locks = new ConcurrentHashMap<>();
    /** The uploads whose values of a format not read here this instance logged ({@link #unreadable}), each once. */
    private final Set<String> unreadableLogged = ConcurrentHashMap.newKeySet();
    /** The meta last decoded of each upload read here, with its bytes. */
    private final Map<String, Decoded> decoded = new ConcurrentHashMap<>();
    /** When this instance last pushed each upload's expiry ahead. */
    private final Map<String, Long> touched = new ConcurrentHashMap<>();
    /** The whole reads under way ("id@version"), which a request wanting the same one waits for. */
    private final Map<String, CompletableFuture<Upload>> loading = new ConcurrentHashMap<>();
    /** The filter indexes in Redis and the chunks read lately; made at first use (see {@link #pages()}). */
    private volatile RedisPages pages;
    /** Heap for the chunks {@link #pages} keeps. */
    private final long cacheBytes;
    /** Uploads read whole into this instance (for an edit, a report, a commit). */
    private final LongAdder uploadsRead = new LongAdder();

    private final LongAdder newerReads = new LongAdder();

    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "intake-redis-lease");
        t.setDaemon(true);
        return t;
    });

    /**
     * An upload validating here: the chunks sent so far, when its progress was last written, and the chunk writes not
     * known to be done (all changed by its validating thread only).
     */
    private record Home(Upload upload, int[] written, long[] progressAt, Deque<RedisFuture<String>> sent) {}

    private record Local(Upload upload, long version) {}

    private record Decoded(byte[] raw, Meta meta) {}

    /**
     * What {@code :meta} holds: the upload's state, its content version, its chunk count and how many edits its history
     * holds as of that version.
     */
    record Meta(Upload.Stored upload, long version, int chunks, int edits) {
        /** A meta of an upload with no edits. */
        Meta(Upload.Stored upload, long version, int chunks) {
            this(upload, version, chunks, 0);
        }
    }

    /**
     * Connects (to one Redis or a Redis Cluster) and checks that Redis keeps nothing on disk.
     *
     * @throws IllegalStateException when Redis persists (RDB {@code save} rules or {@code appendonly yes}, on any node
     *                               of a cluster) and {@code allowPersistence} is false, or cannot be reached
     */
    RedisStaging(
            UploadModule.Redis config,
            long maxRecords,
            long maxRecordsPerUser,
            int maxUploadsPerUser,
            Duration idleExpiry,
            long cachedRecords) {
        this.prefix = config.prefix();
        this.cacheBytes = config.cacheBytes();
        this.maxRecords = maxRecords;
        this.maxRecordsPerUser = maxRecordsPerUser;
        this.maxUploadsPerUser = maxUploadsPerUser;
        this.idleMillis = Math.max(1, idleExpiry.toMillis());
        this.leaseMillis = Math.max(100, config.lease().toMillis());
        this.connector = RedisConnector.open(config);
        this.redis = connector.commands();
        this.cache = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, cachedRecords))
                .weigher((String id, Local l) ->
                        (int) Math.min(Integer.MAX_VALUE, 1 + l.upload().recordCount()))
                .executor(Runnable::run)
                .build();
        long every = Math.max(50, leaseMillis / 3);
        // runs until the store closes (shutdownNow); renew() reports its own failures
        var unusedRenewal = renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** The indexes and the chunk cache, over this store's connection. */
    private RedisPages pages() {
        RedisPages p = pages;
        if (p == null) {
            synchronized (this) {
                p = pages;
                if (p == null) {
                    p = new RedisPages(redis, prefix, cacheBytes, this::unreadable);
                    pages = p;
                }
            }
        }
        return p;
    }

    // ---- keys

    private byte[] key(String id, String part) {
        return ("{" + prefix + ":" + id + "}:" + part).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] chunkKey(String id, int n) {
        return key(id, "c:" + n);
    }

    private byte[] budgetKey(String part) {
        return ("{" + prefix + "}:" + part).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The budget's hashes (records, owners, deadlines), which expire once no upload is left to refresh them. The
     * sequence of admissions does not: the owners' last uploads ({@code latest}, kept for the legacy routes) are
     * compared by it, and a sequence begun again at 1 would have a user's next uploads taken for older ones.
     */
    private byte[][] budgetKeys() {
        return new byte[][] {budgetKey("records"), budgetKey("owners"), budgetKey("deadlines")};
    }

    private static byte[] bytes(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
    }

    /** meta, edits, torn, lease, lock, then the chunks. */
    private byte[][] uploadKeys(String id, int chunks) {
        byte[][] keys = new byte[5 + chunks][];
        keys[0] = key(id, "meta");
        keys[1] = key(id, EDITS);
        keys[2] = key(id, TORN);
        keys[3] = key(id, "lease");
        keys[4] = key(id, "lock");
        System.arraycopy(chunkKeys(id, 0, chunks), 0, keys, 5, chunks);
        return keys;
    }

    /** The keys of chunks {@code from} to {@code from + count - 1}. */
    private byte[][] chunkKeys(String id, int from, int count) {
        byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++) {
            keys[i] = chunkKey(id, from + i);
        }
        return keys;
    }

    // ---- meta

    private byte[] encode(Meta m) {
        try {
            byte[] body = json.writeValueAsBytes(m);
            byte[] out = new byte[body.length + 1];
            out[0] = META_VERSION;
            System.arraycopy(body, 0, out, 1, body.length);
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The meta {@code value} of upload {@code id} decoded; null for null.
     *
     * @throws ApiException 503 {@code staging.unavailable} with {@code formatUnknown} ({@link #unreadable}) for a meta
     *                      of a format this server does not read
     */
    private Meta parse(String id, byte[] value) {
        if (value == null) {
            return null;
        }
        if (!readable(value)) {
            throw unreadable(id, "meta", value, META_VERSION);
        }
        try {
            return json.readValue(value, 1, value.length - 1, Meta.class);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Writes the history of each row that the edits from the {@code from}-th on changed (the row's whole list). */
    private void writeEdits(RedisWrites w, Upload u, int from) {
        int[] rows = u.historyRows(from);
        byte[] k = key(u.id, EDITS);
        for (int i = 0; i < rows.length; i += EDITS_BATCH) {
            IdentityHashMap<byte[], byte[]> batch = new IdentityHashMap<>();
            for (int j = i; j < Math.min(rows.length, i + EDITS_BATCH); j++) {
                batch.put(bytes(rows[j]), editsJson(u.historyOf(rows[j])));
            }
            w.hset(k, batch);
        }
    }

    private byte[] editsJson(List<RecordEdit> edits) {
        try {
            return json.writeValueAsBytes(edits);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private RecordEdit[] edits(byte[] value) {
        try {
            return json.readValue(value, RecordEdit[].class);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The history of the record on {@code row} of upload {@code id}, oldest first. */
    private List<RecordEdit> historyOf(String id, int row) {
        byte[] value = redis.hget(key(id, EDITS), bytes(row));
        return value == null ? List.of() : List.of(edits(value));
    }

    /**
     * The history of upload {@code id}, read a batch of rows at a time: each row's edits in their order, the rows' in
     * the order of the edits' times. The names, accounts, times and flags that repeat are kept once.
     */
    private List<RecordEdit> history(String id) {
        Map<Integer, RecordEdit[]> byRow = new HashMap<>();
        ScanArgs batch = ScanArgs.Builder.limit(EDITS_BATCH);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            MapScanCursor<byte[], byte[]> read = redis.hscan(key(id, EDITS), cursor, batch);
            // a field may come twice in one scan: the last read is as good as the first
            read.getMap()
                    .forEach((row, value) ->
                            byRow.put(Integer.parseInt(new String(row, StandardCharsets.UTF_8)), edits(value)));
            cursor = read;
        } while (!cursor.isFinished());
        Map<Object, Object> once = new HashMap<>();
        List<RecordEdit> history = new ArrayList<>();
        byRow.keySet().stream().sorted().forEach(row -> {
            for (RecordEdit e : byRow.get(row)) {
                history.add(new RecordEdit(
                        e.row(),
                        once(once, e.field()),
                        flag(once, e.oldValue()),
                        flag(once, e.newValue()),
                        once(once, e.account()),
                        once(once, e.at())));
            }
        });
        history.sort(Comparator.comparing(RecordEdit::at));
        return history;
    }

    /** A short value (a flag's {@code true} or {@code false}, an empty field) kept once; others as they are. */
    private static String flag(Map<Object, Object> seen, String value) {
        return value != null && value.length() <= 5 ? once(seen, value) : value;
    }

    @SuppressWarnings("unchecked")
    private static <T> T once(Map<Object, Object> seen, T value) {
        return (T) seen.computeIfAbsent(value, v -> v);
    }

    /**
     * The meta {@code raw} of upload {@code id} decoded, or as last decoded when its bytes are the same (every request
     * reads the meta; most find it unchanged). Null for null.
     */
    private Meta decode(String id, byte[] raw) {
        if (raw == null) {
            decoded.remove(id);
            return null;
        }
        Decoded d = decoded.get(id);
        if (d != null && Arrays.equals(d.raw(), raw)) {
            return d.meta();
        }
        Meta m = parse(id, raw);
        decoded.put(id, new Decoded(raw, m));
        return m;
    }

    /** Whether the meta {@code value} is of the format this server reads (false for null). */
    private static boolean readable(byte[] value) {
        return value != null && value.length > 0 && value[0] == META_VERSION;
    }

    /**
     * 503 {@code staging.unavailable} with {@code "formatUnknown":true} and a Retry-After: a value of upload {@code id}
     * ({@code what}: its meta, a chunk of its records, an index list) begins with a format byte this server does not
     * read, so an instance of another version wrote it (a rolling upgrade that changes a format, staging not drained).
     * An instance of that version serves the upload meanwhile; this one leaves it out of lists and of the uploads it
     * drops to make room, and lets its owner or an admin delete it. Logs a WARN once per upload.
     */
    ApiException unreadable(String id, String what, byte[] value, int reads) {
        String format = unreadableLogged(id, what, value, reads);
        return new ApiException(
                503,
                UNAVAILABLE,
                "Service Unavailable",
                "upload " + id + " is staged in a format this server instance does not read (its " + what
                        + " is of format " + format + ", this instance reads " + reads + "): an instance of another"
                        + " version of the server wrote it, during an upgrade; try again, an instance of that version"
                        + " serves it",
                Map.of("formatUnknown", true),
                Map.of("Retry-After", "5"));
    }

    /** Logs that a value of upload {@code id} is of a format not read here, once per upload; returns the format. */
    private String unreadableLogged(String id, String what, byte[] value, int reads) {
        String format = value.length == 0 ? "none" : String.valueOf(Byte.toUnsignedInt(value[0]));
        if (unreadableLogged.add(id)) {
            LOG.warn(
                    "upload {}: its {} in Redis is of format {}, this server reads {}: an instance of another version"
                            + " wrote it (a rolling upgrade that changes a format while uploads are staged); this"
                            + " instance leaves the upload out of lists and answers it 503 staging.unavailable"
                            + " (formatUnknown) until it is deleted, expires or an instance that reads it serves it",
                    id,
                    what,
                    format,
                    reads);
        }
        return format;
    }

    /**
     * Upload {@code id}, whose meta {@code raw} is of a format this server does not read, as the read-only routes and a
     * delete see it: its owner as the budget knows it (null if it does not, so that only an admin may delete it); its
     * summary, pages and records answer as {@link #unreadable}.
     */
    private ReadableUpload unreadableUpload(String id, byte[] raw) {
        byte[] ownerBytes = redis.hget(budgetKey("owners"), bytes(id));
        String owner = ownerBytes == null ? null : new String(ownerBytes, StandardCharsets.UTF_8);
        return new ReadableUpload() {
            @Override
            public String owner() {
                return owner;
            }

            @Override
            public UploadSummary summary() {
                throw unreadable(id, "meta", raw, META_VERSION);
            }

            @Override
            public PageJson pageJson(RecordFilter filter, int page, int size) {
                throw unreadable(id, "meta", raw, META_VERSION);
            }

            @Override
            public Page<ValidatedRecord> page(RecordFilter filter, int page, int size) {
                throw unreadable(id, "meta", raw, META_VERSION);
            }

            @Override
            public Upload.Detail record(int row) {
                throw unreadable(id, "meta", raw, META_VERSION);
            }
        };
    }

    private byte[] rawMeta(String id) {
        return redis.get(key(id, "meta"));
    }

    /** Writes the meta only if the upload is still staged; false if it was removed (or expired). */
    private boolean writeMeta(String id, Meta m) {
        return "OK"
                .equals(redis.set(
                        key(id, "meta"), encode(m), SetArgs.Builder.xx().px(idleMillis)));
    }

    // ---- the store

    @Override
    public void admit(Upload upload, long records) {
        guard(() -> {
            // SET gives the key no expiry (an earlier version of the budget's scripts gave it one)
            upload.sequence = (Long) redis.eval(NEXT, ScriptOutputType.INTEGER, new byte[][] {budgetKey("sequence")});
            reserve(upload, records);
            upload.reserved.set(records);
            redis.eval(
                    LATEST,
                    ScriptOutputType.INTEGER,
                    new byte[][] {budgetKey("latest"), budgetKey("sequence")},
                    bytes(upload.owner),
                    bytes(upload.sequence),
                    bytes(upload.id));
            home.put(upload.id, new Home(upload, new int[1], new long[] {System.nanoTime()}, new ArrayDeque<>()));
            redis.set(key(upload.id, "lease"), bytes(instance), SetArgs.Builder.px(leaseMillis));
            redis.set(
                    key(upload.id, "meta"),
                    encode(new Meta(upload.stored(false), 0, 0)),
                    SetArgs.Builder.px(idleMillis));
            touched.put(upload.id, System.nanoTime());
            // waiters wait for the end written here, not for the validation's end, which readers cannot see before
            upload.visibleAfter(upload.settled().whenComplete((status, ex) -> settle(upload)));
            return null;
        });
    }

    /** Reserves the records, dropping committed and failed uploads oldest first while the budget is short. */
    private void reserve(Upload upload, long records) {
        while (true) {
            List<?> r = redis.eval(
                    RESERVE,
                    ScriptOutputType.MULTI,
                    budgetKeys(),
                    bytes(upload.id),
                    bytes(upload.owner),
                    bytes(records),
                    bytes(maxRecords),
                    bytes(maxRecordsPerUser),
                    bytes(maxUploadsPerUser),
                    bytes(idleMillis));
            long outcome = (Long) r.get(0);
            if (outcome == 0) {
                return;
            }
            List<Upload> evictable = new ArrayList<>();
            for (Upload u : all()) {
                if ((outcome == 3 || u.owner.equals(upload.owner))
                        && (u.status() == UploadStatus.COMMITTED || u.status() == UploadStatus.FAILED)) {
                    evictable.add(u);
                }
            }
            if (evictable.isEmpty()) {
                throw refusal(outcome, (Long) r.get(1), (Long) r.get(2), (Long) r.get(3), records);
            }
            evictable.sort(Comparator.comparingLong(u -> u.sequence));
            remove(evictable.get(0).id);
        }
    }

    private ApiException refusal(long outcome, long total, long mine, long count, long records) {
        if (outcome == 1) {
            return Staging.full(
                    "you have " + count + " uploads staged, the most allowed; delete or commit one",
                    Map.of("maxUploadsPerUser", maxUploadsPerUser));
        }
        if (outcome == 2) {
            return Staging.full(
                    "your uploads hold " + mine + " of the " + maxRecordsPerUser + " records one user may"
                            + " have staged, and this one needs " + records
                            + "; wait for them to be committed or delete one",
                    Map.of("maxRecordsPerUser", maxRecordsPerUser, "reservedByYou", mine, "needed", records));
        }
        return Staging.full(
                "the staging area is full for all users (" + total + " of " + maxRecords
                        + " records reserved, this upload needs " + records + ")",
                Map.of("maxRecords", maxRecords, "reserved", total, "needed", records));
    }

    @Override
    public long mostRecordsPerUpload() {
        return Math.min(maxRecords, maxRecordsPerUser);
    }

    /**
     * On the validating thread: writes the chunks completed since the last call and, at most every {@value
     * #PROGRESS_MILLIS} ms while the reservation is an estimate (and always once it is not: at the end, or 0 on a
     * failure), sets the reservation, writes the progress and renews the lease. An upload
     * removed meanwhile (on any instance) is released, which stops its validation.
     */
    @Override
    public void adjust(Upload upload, long records) {
        if (upload.released()) {
            return;
        }
        Home h = home.get(upload.id);
        guard(() -> {
            boolean validating = h != null && upload.status() == UploadStatus.VALIDATING;
            StagedRecords staged = validating ? upload.stagedRecords() : null;
            if (staged != null) {
                h.written()[0] = sendChunks(h, staged, staged.size() / RecordChunks.SIZE);
            }
            long now = System.nanoTime();
            if (validating
                    && records > upload.recordCount()
                    && now - h.progressAt()[0] < TimeUnit.MILLISECONDS.toNanos(PROGRESS_MILLIS)) {
                return null;
            }
            if (records > upload.reserved.get()) {
                // a sheet that holds more rows than it declared: more of the budget, if it has room
                List<?> grown = redis.eval(
                        GROW,
                        ScriptOutputType.MULTI,
                        new byte[][] {budgetKey("records"), budgetKey("owners")},
                        bytes(upload.id),
                        bytes(upload.owner),
                        bytes(records),
                        bytes(maxRecords),
                        bytes(maxRecordsPerUser));
                if ((Long) grown.get(0) != 0) {
                    throw Staging.understated(
                            (Long) grown.get(1), maxRecordsPerUser, (Long) grown.get(2), maxRecords, records);
                }
            } else {
                redis.eval(
                        ADJUST,
                        ScriptOutputType.INTEGER,
                        new byte[][] {budgetKey("records")},
                        bytes(upload.id),
                        bytes(records));
            }
            upload.reserved.set(records);
            if (!validating) {
                return null;
            }
            h.progressAt()[0] = now;
            redis.set(key(upload.id, "lease"), bytes(instance), SetArgs.Builder.px(leaseMillis));
            if (!writeMeta(upload.id, new Meta(upload.stored(false), 0, h.written()[0]))) {
                // removed on another instance: what this one sent since goes too, and the validation stops
                dropRemoved(h, h.written()[0]);
                home.remove(upload.id);
                upload.release();
            }
            return null;
        });
    }

    /**
     * Sends the chunks from the first not sent yet to {@code to} (exclusive) at version 0, without waiting for each
     * answer: validation goes on while Redis stores them, with at most {@value #CHUNKS_IN_FLIGHT} unanswered. Returns
     * {@code to}.
     */
    private int sendChunks(Home h, StagedRecords staged, int to) {
        String id = h.upload().id;
        for (int n = h.written()[0]; n < to; n++) {
            h.sent().add(connector.async().set(chunkKey(id, n), chunk(staged, n, 0), SetArgs.Builder.px(idleMillis)));
            while (h.sent().size() > CHUNKS_IN_FLIGHT) {
                await(h.sent().poll());
            }
        }
        return to;
    }

    /** Waits until every chunk sent for {@code h} is stored. */
    private static void drain(Home h) {
        while (!h.sent().isEmpty()) {
            await(h.sent().poll());
        }
    }

    /**
     * The end of {@code h}'s validation, failed as {@code failed}: the chunks it sent deleted, its reservation released
     * (again: Redis at its maxmemory may have refused that when the validation failed, and has room once the chunks
     * are gone), its failed state written and its lease given up.
     */
    private void writeFailed(Home h, Upload.Stored failed) {
        String id = h.upload().id;
        drainQuietly(h);
        dropRecords(id, h.written()[0]);
        release(id);
        if (!writeMeta(id, new Meta(failed, 1, 0))) {
            leaveBudget(id); // removed on another instance meanwhile: the release above put it back in the budget
        }
        redis.del(key(id, "lease"));
    }

    /** Sets upload {@code id}'s reservation to 0 records: a failed upload holds none of the budget. */
    private void release(String id) {
        redis.eval(ADJUST, ScriptOutputType.INTEGER, new byte[][] {budgetKey("records")}, bytes(id), bytes(0));
    }

    /** As {@link #drain}, a write that failed left for the next command to meet. */
    private static void drainQuietly(Home h) {
        try {
            drain(h);
        } catch (RuntimeException ex) {
            h.sent().clear();
        }
    }

    /**
     * Deletes what an upload that failed left of its records: its chunks ({@link #dropChunks}) and its page lists, which
     * an end of validation that Redis stopped taking part way may have written before its meta.
     */
    private void dropRecords(String id, int known) {
        dropChunks(id, known);
        List<byte[]> lists = pages().keys(id);
        redis.del(lists.toArray(new byte[0][]));
    }

    /**
     * Deletes the record chunks of an upload that failed, chunks {@code 0} to {@code known - 1} and any written after
     * them: chunks are sent in order, so they end at the first batch of which none was there. Its failed meta is then
     * all Redis keeps of it, not its records until the idle expiry.
     */
    private void dropChunks(String id, int known) {
        if (known > 0) {
            redis.del(chunkKeys(id, 0, known));
        }
        int batch = 4 * CHUNKS_IN_FLIGHT;
        int from = known;
        while (redis.del(chunkKeys(id, from, batch)) > 0) {
            from += batch;
        }
    }

    /** Waits for a write's answer; a failed write fails as a synchronous one would. */
    private static void await(RedisFuture<String> write) {
        try {
            write.get();
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new RedisException(ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while writing staged records to Redis", ex);
        }
    }

    /** Writes chunks {@code from} (inclusive) to {@code to} (exclusive) at the upload's {@code version}; returns {@code to}. */
    private int writeChunks(RedisWrites w, String id, StagedRecords staged, int from, int to, long version) {
        for (int n = from; n < to; n++) {
            w.set(chunkKey(id, n), chunk(staged, n, version));
        }
        return to;
    }

    /**
     * Writes the upload's chunks from {@code from} to its last, and every filter list, at {@code version}; what they
     * held as changed is then written (the end of a validation, the mending of a torn write).
     */
    private void writeRecords(Upload u, int from, long version) {
        StagedRecords staged = u.stagedRecords();
        RedisWrites w = RedisWrites.direct(redis, idleMillis);
        writeChunks(w, u.id, staged, from, chunks(u), version);
        staged.takeChanged();
        RecordIndex index = u.recordIndex();
        index.takeChanged();
        pages().writeAll(w, u.id, index, staged, version);
    }

    /** Chunk {@code n} of the records, at the upload's {@code version}. */
    private static byte[] chunk(StagedRecords staged, int n, long version) {
        int end = Math.min(staged.size(), (n + 1) * RecordChunks.SIZE);
        return RecordChunks.encode(staged, n * RecordChunks.SIZE, end, version);
    }

    private static int chunks(Upload u) {
        StagedRecords s = u.stagedRecords();
        return s == null ? 0 : (s.size() + RecordChunks.SIZE - 1) / RecordChunks.SIZE;
    }

    /**
     * Validation ended (or the upload was released): the last chunk and the final state go to Redis, also on a thread
     * that a shutdown interrupted (its interrupt is kept for after).
     */
    private void settle(Upload upload) {
        boolean interrupted = Thread.interrupted();
        try {
            settleNow(upload);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void settleNow(Upload upload) {
        Home h = home.get(upload.id);
        if (h == null || upload.released()) {
            home.remove(upload.id);
            return;
        }
        try {
            if (upload.status() == UploadStatus.VALIDATED) {
                drain(h);
                writeRecords(upload, h.written()[0], 1);
                if (writeMeta(upload.id, new Meta(upload.stored(false), 1, chunks(upload)))) {
                    cache.put(upload.id, new Local(upload, 1));
                    redis.del(key(upload.id, "lease"));
                } else {
                    dropRemoved(h, chunks(upload));
                }
            } else {
                writeFailed(h, upload.stored(false));
            }
        } catch (RuntimeException ex) {
            if (!failRefused(upload, ex)) {
                LOG.error(
                        "upload {}: its end of validation could not be written to Redis; other instances will see it"
                                + " fail as {} once its lease runs out",
                        upload.id,
                        VALIDATION_LOST,
                        ex);
            }
        } finally {
            // only now: until the state above is in Redis, this instance answers from the upload itself
            home.remove(upload.id);
        }
    }

    /**
     * The end of a validation that Redis refused to take (at its {@code maxmemory}): the upload fails with {@code
     * staging.unavailable}, as one whose records it refused while they were read does. Its chunks and page lists are
     * dropped first (Redis takes deletes when full), which makes the room to write it failed. False if it could not be
     * written so either (Redis out of reach): then its lease decides.
     */
    private boolean failRefused(Upload upload, RuntimeException refused) {
        if (upload.status() != UploadStatus.VALIDATED || !(refused instanceof RedisException)) {
            return false;
        }
        try {
            dropRecords(upload.id, chunks(upload));
            upload.fail(UNAVAILABLE, why(refused) + "; upload the workbook again in a moment", upload.rowsRead());
            release(upload.id);
            writeMeta(upload.id, new Meta(upload.stored(false), 1, 0));
            redis.del(key(upload.id, "lease"));
            LOG.warn("upload {} failed: Redis could not take its records: {}", upload.id, refused.getMessage());
            return true;
        } catch (RuntimeException ex) {
            refused.addSuppressed(ex);
            return false;
        }
    }

    @Override
    public Upload get(String id) {
        return guard(() -> find(id));
    }

    /**
     * A validated upload that this instance does not hold at its version is read a page, a record at a time ({@link
     * RemoteUpload}); the others as {@link #get}.
     */
    @Override
    public ReadableUpload read(String id) {
        return guard(() -> {
            byte[] raw = rawMeta(id);
            if (raw != null && !readable(raw) && !home.containsKey(id)) {
                return unreadableUpload(id, raw);
            }
            Meta m = home.containsKey(id) ? null : decode(id, raw);
            if (m != null && m.upload().status() == UploadStatus.VALIDATING) {
                if (redis.exists(key(id, "lease")) > 0) {
                    // validating elsewhere, as the meta read: not through find, which looks at the lease again and,
                    // if the end was written in between (the lease goes after it), would read the upload whole
                    touch(id, m.chunks());
                    return Upload.restore(m.upload(), null);
                }
                // its end may have been written since the meta was read (the lease goes after it): read as such,
                // not read whole, as find would once it saw the new meta
                byte[] again = rawMeta(id);
                Meta now = decode(id, again);
                if (now != null && now.upload().status().readable()) {
                    raw = again;
                    m = now;
                }
            }
            if (m == null || !m.upload().status().readable()) {
                // as the meta read (one validated since is read as such by the next request)
                return find(id, raw);
            }
            touch(id, m.chunks());
            Upload held = held(id, m);
            if (held != null) {
                return held;
            }
            long version = m.version();
            return new RemoteUpload(
                    pages(), m.upload(), version, () -> newer(id, version), row -> guard(() -> historyOf(id, row)));
        });
    }

    private Upload find(String id) {
        return find(id, rawMeta(id));
    }

    /**
     * Upload {@code id} as read from a meta past version {@code stale}, whose chunks or lists a read met: an edit
     * landed since the meta was read, or is being written in parts, its meta to come (waited for, up to 30 s, as
     * {@link #find} waits). A torn write left behind is not mended by a read: this instance holds no whole copy (it
     * would have served the read from it), and mending without one fails the upload, which an instance that holds it
     * whole mends at the next edit or commit sent to it; the read answers 503 {@code staging.unavailable}.
     *
     * @throws ApiException 404 {@code upload.not_found} if it was removed meanwhile; 503 {@code staging.unavailable}
     *                      while a torn write is left to mend
     */
    private ReadableUpload newer(String id, long stale) {
        newerReads.increment();
        long waited = 0;
        while (true) {
            ReadableUpload now = guard(() -> {
                Meta m = decode(id, rawMeta(id));
                if (m == null || m.version() != stale || !m.upload().status().readable()) {
                    return read(id);
                }
                if (redis.exists(key(id, TORN)) > 0 && redis.exists(key(id, "lock")) == 0) {
                    throw unavailable(
                            "a change of upload " + id + " could not be written whole to the shared staging store;"
                                    + " it is read again once the next edit or commit has mended it",
                            null);
                }
                if (redis.exists(key(id, "lock")) == 0 && redis.exists(chunkKeys(id, 0, m.chunks())) < m.chunks()) {
                    throw chunksLost(id); // no edit under way, none to come: a chunk is gone, not rewritten
                }
                return null;
            });
            if (now != null) {
                return now;
            }
            if (guard(() -> rawMeta(id)) == null) {
                throw ApiException.notFound("upload.not_found", "no upload " + id);
            }
            if (waited >= LOCK_WAIT_MILLIS) {
                throw unavailable("upload " + id + " is being changed on another instance; try again", null);
            }
            pause();
            waited += LOCK_RETRY_MILLIS;
        }
    }

    /** As {@link #find(String)}, of the meta {@code raw} just read. */
    private Upload find(String id, byte[] raw) {
        Meta m = decode(id, raw);
        if (m == null) {
            cache.invalidate(id);
            touched.remove(id);
            return null;
        }
        touch(id, m.chunks());
        Home h = home.get(id);
        if (h != null) {
            if (h.upload().status() != UploadStatus.VALIDATING && m.upload().status() == UploadStatus.VALIDATING) {
                // ended here, its end not in Redis yet: answered as the other instances answer it, so that none says
                // validated before every one can serve it
                return Upload.restore(m.upload(), null);
            }
            return h.upload();
        }
        if (m.upload().status() == UploadStatus.VALIDATING) {
            if (redis.exists(key(id, "lease")) > 0) {
                return Upload.restore(m.upload(), null);
            }
            // its instance died, or finished just now (the lease goes once the end is written)
            m = lose(id, raw, m);
            if (m == null) {
                return null;
            }
            if (m.upload().status() == UploadStatus.VALIDATING) {
                return Upload.restore(m.upload(), null);
            }
        }
        if (m.upload().status() == UploadStatus.FAILED) {
            return Upload.restore(m.upload(), null);
        }
        Upload held = held(id, m);
        if (held != null) {
            return held;
        }
        Upload u = loadOnce(id, m);
        long waited = 0;
        while (u == null) {
            // chunks of a version newer than the meta read: an edit elsewhere landed since, or is written in parts
            long stale = m.version();
            do {
                if (redis.exists(key(id, TORN)) > 0 && redis.exists(key(id, "lock")) == 0) {
                    // no edit under way (any more: its instance may have died holding the lock), yet chunks newer
                    // than the meta: a write that failed part way left them (an edit clears its mark before it lets
                    // go of the lock); mended under the lock, or failed, then read again
                    locked(id, "mend", unchanged -> null);
                    return find(id);
                }
                if (waited >= LOCK_WAIT_MILLIS) {
                    throw unavailable("upload " + id + " is being changed on another instance; try again", null);
                }
                pause();
                waited += LOCK_RETRY_MILLIS;
                m = decode(id, rawMeta(id));
                if (m == null || !m.upload().status().readable()) {
                    return find(id);
                }
            } while (m.version() == stale);
            held = held(id, m);
            if (held != null) {
                return held;
            }
            u = loadOnce(id, m);
        }
        cache.put(id, new Local(u, m.version()));
        return u;
    }

    /**
     * This instance's copy of the upload if it is as fresh as the meta {@code m} or fresher (one this instance changed
     * and is saving now), else null.
     */
    private Upload held(String id, Meta m) {
        Local l = cache.getIfPresent(id);
        return l != null && l.version() >= m.version() ? l.upload() : null;
    }

    /** The meta of {@code m}'s upload failed with {@code code}: no records, no reservation, at {@code version}. */
    private static Meta failed(Meta m, long version, String code, String detail) {
        Upload.Stored failed = m.upload().failed(new Failure(code, detail));
        return new Meta(failed, version, 0);
    }

    /** The upload's validation was lost with its instance: it fails, and holds no more of the budget. */
    private Meta lose(String id, byte[] raw, Meta m) {
        Upload.Stored s = m.upload();
        Meta lost = failed(
                m,
                m.version() + 1,
                VALIDATION_LOST,
                "the server instance that was validating this upload stopped before it finished (" + s.rowsRead()
                        + " rows read); upload the workbook again");
        Object swapped = redis.eval(
                LOSE, ScriptOutputType.INTEGER, new byte[][] {key(id, "meta"), key(id, "lease")}, raw, encode(lost));
        if (Long.valueOf(1).equals(swapped)) {
            LOG.warn(
                    "upload {} ({}, of {}): the instance validating it stopped; it is failed as {}",
                    id,
                    s.fileName(),
                    s.owner(),
                    VALIDATION_LOST);
            release(id);
            dropRecords(id, m.chunks());
            return lost;
        }
        return parse(id, rawMeta(id));
    }

    /**
     * As {@link #load}, once for requests that want the same upload at the same version at the same time (reports of
     * it asked together, say): the second waits for the first's copy instead of reading the upload whole again beside
     * it.
     */
    private Upload loadOnce(String id, Meta m) {
        String key = id + "@" + m.version();
        CompletableFuture<Upload> mine = new CompletableFuture<>();
        CompletableFuture<Upload> running = loading.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException ex) {
                throw ex.getCause() instanceof RuntimeException r ? r : ex;
            }
        }
        try {
            Upload u = load(id, m);
            mine.complete(u);
            return u;
        } catch (RuntimeException | Error ex) {
            mine.completeExceptionally(ex);
            throw ex;
        } finally {
            loading.remove(key, mine);
        }
    }

    /**
     * Reads a validated upload's chunks and history and rebuilds it here, as of the meta {@code m}; null if a chunk was
     * rewritten since (by an edit elsewhere, whose meta is there or, for one written in parts, comes next).
     */
    private Upload load(String id, Meta m) {
        uploadsRead.increment();
        List<RecordChunks.Entry> entries = new ArrayList<>(m.chunks() * RecordChunks.SIZE);
        for (int from = 0; from < m.chunks(); from += MGET_BATCH) {
            byte[][] keys = chunkKeys(id, from, Math.min(MGET_BATCH, m.chunks() - from));
            for (KeyValue<byte[], byte[]> kv : redis.mget(keys)) {
                if (!kv.hasValue()) {
                    throw chunksLost(id);
                }
                if (!RecordChunks.readable(kv.getValue())) {
                    throw unreadable(id, "chunk", kv.getValue(), RecordChunks.VERSION);
                }
                if (RecordChunks.version(kv.getValue()) > m.version()) {
                    return null;
                }
                entries.addAll(RecordChunks.entries(kv.getValue()));
            }
        }
        List<RecordEdit> history = history(id);
        if (history.size() > m.edits()) {
            return null; // the edits of a change not in the meta yet
        }
        Upload.Stored s = m.upload();
        Upload.Stored withHistory = s.with(s.status(), s.reserved(), s.failure(), s.commit(), history);
        return Upload.restore(withHistory, entries);
    }

    /** Pushes the upload's expiry ahead, at most ten times per idle period from this instance. */
    private void touch(String id, int chunks) {
        long now = System.nanoTime();
        Long last = touched.get(id);
        if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(idleMillis / 10)) {
            return;
        }
        touched.put(id, now);
        byte[][] keys = uploadKeys(id, chunks);
        // the lease and the lock keep their own TTL
        byte[][] expiring = new byte[keys.length - 2][];
        System.arraycopy(keys, 0, expiring, 0, 3);
        System.arraycopy(keys, 5, expiring, 3, chunks);
        List<byte[]> indexes = pages().keys(id);
        byte[][] all = new byte[expiring.length + indexes.size()][];
        System.arraycopy(expiring, 0, all, 0, expiring.length);
        for (int i = 0; i < indexes.size(); i++) {
            all[expiring.length + i] = indexes.get(i);
        }
        redis.eval(EXPIRE, ScriptOutputType.INTEGER, all, bytes(idleMillis));
        redis.eval(DEADLINE, ScriptOutputType.INTEGER, budgetKeys(), bytes(id), bytes(idleMillis));
    }

    @Override
    public String latestOf(String owner) {
        return guard(() -> {
            byte[] value = redis.hget(budgetKey("latest"), bytes(owner));
            if (value == null) {
                return null;
            }
            String s = new String(value, StandardCharsets.UTF_8);
            return s.substring(s.indexOf(' ') + 1);
        });
    }

    @Override
    public List<Upload> all() {
        return guard(() -> {
            List<Upload> out = new ArrayList<>();
            Map<byte[], byte[]> owners = redis.hgetall(budgetKey("owners"));
            for (byte[] idBytes : owners.keySet()) {
                String id = new String(idBytes, StandardCharsets.UTF_8);
                Home h = home.get(id);
                if (h != null) {
                    out.add(h.upload());
                    continue;
                }
                byte[] raw = rawMeta(id);
                if (raw == null) {
                    continue;
                }
                if (!readable(raw)) {
                    // written by an instance of another version: left out (logged once), so that everyone else's
                    // list, and the room made for a new upload, go on without it
                    unreadableLogged(id, "meta", raw, META_VERSION);
                    continue;
                }
                Meta m = parse(id, raw);
                Upload held = held(id, m);
                if (held != null) {
                    out.add(held);
                } else {
                    if (m.upload().status() == UploadStatus.VALIDATING && redis.exists(key(id, "lease")) == 0) {
                        m = lose(id, raw, m);
                    }
                    out.add(Upload.restore(m.upload(), null));
                }
            }
            return out;
        });
    }

    @Override
    public void remove(String id) {
        guard(() -> {
            byte[] raw = rawMeta(id);
            Meta m = readable(raw) ? parse(id, raw) : null;
            redis.del(uploadKeys(id, m == null ? 0 : Math.max(m.chunks(), maxChunks(m))));
            if (raw != null && m == null) {
                // a meta of a format not read here (an instance of another version wrote it): its chunks, which it
                // counts, are deleted by batches until one finds none
                dropChunks(id, 0);
            }
            redis.del(pages().keys(id).toArray(new byte[0][]));
            leaveBudget(id);
            return null;
        });
        Home h = home.remove(id);
        if (h != null) {
            h.upload().release();
        }
        forgetLocal(id);
    }

    /** Takes upload {@code id} out of the budget: its reservation, its owner and its admission. */
    private void leaveBudget(String id) {
        byte[][] budget = budgetKeys();
        for (int i = 0; i < 3; i++) {
            redis.hdel(budget[i], bytes(id));
        }
    }

    /**
     * What the validating instance wrote of upload {@code h} after another instance removed it (its meta was gone when
     * the progress or the end was to be written): the chunks and page lists sent since, its lease and its place in the
     * budget are deleted, as the removal deleted the rest, not left in Redis until the idle expiry.
     */
    private void dropRemoved(Home h, int chunks) {
        String id = h.upload().id;
        drainQuietly(h);
        dropRecords(id, chunks);
        redis.del(uploadKeys(id, 0));
        leaveBudget(id);
    }

    /** Drops what this instance keeps of upload {@code id} read from Redis: its copy, pages, meta and last touch. */
    private void forgetLocal(String id) {
        Local l = cache.getIfPresent(id);
        if (l != null) {
            l.upload().release();
        }
        cache.invalidate(id);
        pages().forget(id);
        touched.remove(id);
        decoded.remove(id);
        unreadableLogged.remove(id);
    }

    /** The chunks a validating upload may have written already (its meta counts those of its last progress). */
    private static int maxChunks(Meta m) {
        return (int) ((m.upload().maxDataRows() + RecordChunks.SIZE - 1) / RecordChunks.SIZE);
    }

    @Override
    public long reservedRecords() {
        return guard(() -> {
            List<?> r = redis.eval(RESERVE, ScriptOutputType.MULTI, budgetKeys(), new byte[0], new byte[0]);
            return (Long) r.get(1);
        });
    }

    @Override
    public long retainedBytes() {
        long sum = 0;
        for (Home h : home.values()) {
            sum += h.upload().retainedBytes();
        }
        for (Local l : cache.asMap().values()) {
            sum += l.upload().retainedBytes();
        }
        return sum + pages().retainedBytes();
    }

    @Override
    public long uploadsRead() {
        return uploadsRead.sum();
    }

    @Override
    public long chunksRead() {
        return pages().chunksRead();
    }

    @Override
    public long newerReads() {
        return newerReads.sum();
    }

    @Override
    public int size() {
        return guard(() -> redis.hlen(budgetKey("owners")).intValue());
    }

    /** The upload's lock is a commit's, and not one of this instance's (whose copy says committing itself). */
    @Override
    public boolean committingElsewhere(String id) {
        byte[] lockKey = key(id, "lock");
        byte[] holder = guard(() -> redis.get(lockKey));
        return holder != null
                && new String(holder, StandardCharsets.UTF_8).startsWith("commit:")
                && !locks.containsKey(new String(lockKey, StandardCharsets.UTF_8));
    }

    @Override
    public <T> T edit(Upload upload, Function<Upload, T> change) {
        return locked(upload.id, "edit", change);
    }

    /** The upload does not expire while it is committed. */
    @Override
    public <T> T commit(Upload upload, Function<Upload, T> commit) {
        Hold committing = hold(upload.id);
        try {
            return locked(upload.id, "commit", commit);
        } finally {
            committing.release();
        }
    }

    /** Held uploads have their keys' expiry pushed ahead while they are held, by {@link #renew}. */
    @Override
    public Hold hold(String id) {
        return held.take(id, () -> {});
    }

    /**
     * Runs {@code change} on the fresh copy of the upload under its lock, then writes back what changed with the
     * next version. Waits for an edit that holds the lock; a commit that holds it refuses with 409.
     */
    private <T> T locked(String id, String kind, Function<Upload, T> change) {
        Meta before = guard(() -> parse(id, rawMeta(id)));
        if (before != null && before.upload().status() != UploadStatus.VALIDATED) {
            // not to be changed (validating, failed, committed): refused as the upload itself refuses, without taking
            // the lock, which would make a commit sent meanwhile to another instance read "being committed"
            Upload.restore(before.upload(), null).requireEditable();
        }
        byte[] lockKey = key(id, "lock");
        byte[] token = bytes(kind + ":" + instance + ":" + UUID.randomUUID());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
        while (!"OK"
                .equals(guard(
                        () -> redis.set(lockKey, token, SetArgs.Builder.nx().px(leaseMillis))))) {
            byte[] holder = guard(() -> redis.get(lockKey));
            if (holder != null && new String(holder, StandardCharsets.UTF_8).startsWith("commit:")) {
                // a commit sent meanwhile: that one may yet fail; an edit: it would come after the commit, as never
                throw "commit".equals(kind)
                        ? Upload.commitUnderWay(id)
                        : ApiException.conflict("upload.already_committed", "upload " + id + " is being committed");
            }
            if (System.nanoTime() > deadline) {
                throw unavailable("upload " + id + " is being changed by another request; try again", null);
            }
            pause();
        }
        locks.put(new String(lockKey, StandardCharsets.UTF_8), token);
        // a commit the database made is answered as such, whatever Redis does after it: one whose committed state
        // Redis did not take leaves the lock to lapse with its lease, rather than wait for Redis again to release it
        boolean committed = false;
        boolean lapse = false;
        try {
            Meta read = guard(() -> parse(id, rawMeta(id)));
            byte[] torn = guard(() -> redis.get(key(id, TORN)));
            Meta m = read != null && torn != null
                    ? guard(() -> mend(id, read, Long.parseLong(new String(torn, StandardCharsets.UTF_8))))
                    : read;
            if (m != null && m.upload().status() == UploadStatus.FAILED) {
                Upload.restore(m.upload(), null).requireEditable();
            }
            Upload fresh = guard(() -> find(id));
            if (m == null || fresh == null) {
                throw ApiException.notFound("upload.not_found", "no upload " + id);
            }
            if ("commit".equals(kind) && fresh.status() == UploadStatus.VALIDATED) {
                guard(() -> writeMeta(
                        id,
                        new Meta(
                                withStatus(fresh.stored(false), UploadStatus.COMMITTING),
                                m.version(),
                                m.chunks(),
                                m.edits())));
            }
            T done;
            try {
                done = change.apply(fresh);
            } catch (RuntimeException | Error e) {
                save(fresh, m);
                throw e;
            }
            committed = "commit".equals(kind) && fresh.status() == UploadStatus.COMMITTED;
            try {
                save(fresh, m);
            } catch (ApiException e) {
                if (!committed) {
                    throw e;
                }
                lapse = true;
                LOG.warn(
                        "upload {} is committed in the database, but Redis did not take its committed state (its lock"
                                + " lapses with its lease): {}",
                        id,
                        e.getMessage());
            }
            return done;
        } finally {
            locks.remove(new String(lockKey, StandardCharsets.UTF_8));
            if (!lapse) {
                unlock(id, lockKey, token, committed);
            }
        }
    }

    /**
     * Releases the upload's lock. After a commit that the database made, a Redis that does not answer fails nothing
     * (the client is told what was committed): the lock lapses with its lease.
     */
    private void unlock(String id, byte[] lockKey, byte[] token, boolean committed) {
        try {
            guard(() -> redis.eval(UNLOCK, ScriptOutputType.INTEGER, new byte[][] {lockKey}, token));
        } catch (ApiException e) {
            if (!committed) {
                throw e;
            }
            LOG.warn("upload {}: its lock lapses with its lease, as Redis did not answer: {}", id, e.getMessage());
        }
    }

    private static Upload.Stored withStatus(Upload.Stored s, UploadStatus status) {
        return s.with(status, s.reserved(), s.failure(), s.commit(), s.history());
    }

    /**
     * Writes the chunks the change touched (all of them after a commit that restaged conflicts), then the meta. If a
     * write fails, this instance's copy, which holds the change, is dropped: what Redis holds is read again, so that
     * no page, edit or commit here goes on from a change that was not saved.
     */
    private void save(Upload u, Meta before) {
        if (!u.status().readable()) {
            return;
        }
        try {
            write(u, before);
        } catch (RuntimeException e) {
            cache.invalidate(u.id);
            throw e;
        }
    }

    private void write(Upload u, Meta before) {
        guard(() -> {
            StagedRecords staged = u.stagedRecords();
            BitSet changed = staged.takeChanged();
            CommitResult c = u.summary().commit();
            boolean restaged =
                    c != null && c.conflicts() > 0 && (before.upload().commit() == null);
            if (restaged) {
                changed.set(0, chunks(u));
            }
            long version = before.version() + 1;
            // the chunks, edits and lists with the meta, in one script; a change too large for one goes in parts
            // under the torn mark, which, left behind by a write that fails part way, tells the next edit or commit
            // (under the lock) that chunks or lists newer than the meta may be in Redis
            RedisWrites w = RedisWrites.atomic(redis, idleMillis, key(u.id, "meta"), key(u.id, TORN), version);
            for (int n = changed.nextSetBit(0); n >= 0; n = changed.nextSetBit(n + 1)) {
                writeChunks(w, u.id, staged, n, n + 1, version);
            }
            writeEdits(w, u, before.edits());
            RecordIndex index = u.recordIndex();
            Set<RecordFilter> lists = index.takeChanged();
            if (restaged) {
                pages().writeAll(w, u.id, index, staged, version);
            } else if (!lists.isEmpty()) {
                pages().writeChanged(w, u.id, index, lists, version);
            }
            // this instance's copy first: a page read here while the meta moves on is served from it, whole and
            // consistent under its own locks, never from chunks that the next change may be rewriting meanwhile
            cache.put(u.id, new Local(u, version));
            if (!w.finish(encode(new Meta(u.stored(false), version, chunks(u), u.historySize())))) {
                cache.invalidate(u.id);
            }
            return null;
        });
    }

    /**
     * Under the upload's lock, after a write of it failed part way (its {@code torn} mark left behind): writes every
     * chunk, list and the history again from this instance's whole copy, at a version above the torn write's; without
     * one, reads what Redis holds, which is whole if no chunk is newer than the meta (the write failed before its
     * first chunk); else the upload fails as {@value #WRITE_LOST}. Returns the meta now in Redis.
     */
    private Meta mend(String id, Meta m, long tornVersion) {
        Upload held = held(id, m);
        if (held != null && held.status().readable()) {
            long version = Math.max(m.version(), tornVersion) + 1;
            writeRecords(held, 0, version);
            redis.del(key(id, EDITS));
            writeEdits(RedisWrites.direct(redis, idleMillis), held, 0);
            Meta mended = new Meta(held.stored(false), version, chunks(held), held.historySize());
            cache.put(id, new Local(held, version));
            writeMeta(id, mended);
            redis.del(key(id, TORN));
            LOG.warn("upload {}: a write of it had failed part way; its records were written again whole", id);
            return mended;
        }
        if (load(id, m) != null) {
            redis.del(key(id, TORN));
            return m;
        }
        Upload.Stored s = m.upload();
        Meta lost = failed(
                m,
                Math.max(m.version(), tornVersion) + 1,
                WRITE_LOST,
                "a change of this upload could not be written whole to the shared staging store, and no server"
                        + " instance holds it whole any more; upload the workbook again");
        writeMeta(id, lost);
        release(id);
        redis.del(key(id, TORN));
        cache.invalidate(id);
        LOG.warn(
                "upload {} ({}, of {}): a write of it failed part way; it is failed as {}",
                id,
                s.fileName(),
                s.owner(),
                WRITE_LOST);
        return lost;
    }

    /**
     * Renews the leases of the uploads validating here and the locks held here, pushes ahead the expiry of the uploads
     * validating or held here (at most ten times an idle period, as a read does), and drops the copies read here of
     * uploads gone from Redis.
     */
    private void renew() {
        try {
            for (Home h : home.values()) {
                redis.set(key(h.upload().id, "lease"), bytes(instance), SetArgs.Builder.px(leaseMillis));
            }
            Set<String> working = new HashSet<>(held.ids());
            home.keySet().forEach(working::add);
            // a copy of an upload whose keys expired in Redis (or another instance deleted) is not kept until asked for
            Set<String> copies = new HashSet<>(cache.asMap().keySet());
            copies.addAll(pages().ids());
            copies.addAll(decoded.keySet());
            copies.addAll(unreadableLogged);
            for (String id : copies) {
                if (!working.contains(id) && redis.exists(key(id, "meta")) == 0) {
                    forgetLocal(id);
                }
            }
            for (String id : working) {
                Long last = touched.get(id);
                if (last == null || System.nanoTime() - last >= TimeUnit.MILLISECONDS.toNanos(idleMillis / 10)) {
                    byte[] raw = rawMeta(id);
                    // one of a format not read here is left to the instances that read it
                    if (readable(raw)) {
                        Meta m = parse(id, raw);
                        touch(id, Math.max(m.chunks(), maxChunks(m)));
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : Set.copyOf(locks.entrySet())) {
                redis.eval(
                        RENEW,
                        ScriptOutputType.INTEGER,
                        new byte[][] {e.getKey().getBytes(StandardCharsets.UTF_8)},
                        e.getValue(),
                        bytes(leaseMillis));
            }
        } catch (RuntimeException ex) {
            LOG.warn("renewing staging leases in Redis failed: {}", ex.getMessage());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(LOCK_RETRY_MILLIS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for an upload's lock", ex);
        }
    }

    /** Runs a Redis call; Redis unreachable becomes 503 {@code staging.unavailable}. */
    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RedisException ex) {
            throw unavailable(why(ex), ex);
        }
    }

    /** What went wrong with Redis, in the words of a {@code staging.unavailable} problem. */
    private static String why(RuntimeException ex) {
        String message = String.valueOf(ex.getMessage());
        return message.startsWith("OOM ")
                ? "the staging store (Redis) is out of memory (its maxmemory) and refused a write: " + message
                : "the staging store (Redis) could not be reached: " + message;
    }

    /**
     * 503 {@code staging.unavailable} with no Retry-After, since trying again cannot help: a chunk of the upload's
     * records is gone from Redis while its meta is there (evicted under a {@code maxmemory-policy} other than
     * {@code noeviction}, or deleted by hand), so it cannot be read whole, edited or committed. 404 if the upload was
     * removed meanwhile.
     */
    private ApiException chunksLost(String id) {
        if (rawMeta(id) == null) {
            return ApiException.notFound("upload.not_found", "no upload " + id);
        }
        LOG.error("upload {}: a chunk of its records is missing from Redis (evicted, or deleted by hand)", id);
        return new ApiException(
                503,
                UNAVAILABLE,
                "Service Unavailable",
                "upload " + id + " lost part of its records in the shared staging store (Redis dropped them: keep its"
                        + " maxmemory-policy noeviction); it cannot be read whole, edited or committed: upload the"
                        + " file again",
                Map.of("recordsLost", true),
                Map.of());
    }

    private static ApiException unavailable(String detail, Exception cause) {
        if (cause != null) {
            LOG.warn("staging unavailable: {}", detail);
        }
        return new ApiException(503, UNAVAILABLE, "Service Unavailable", detail, Map.of(), Map.of("Retry-After", "5"));
    }

    /** Stops renewing: uploads validating here are lost (other instances fail them once their lease ran out). */
    @Override
    public void close() {
        renewer.shutdownNow();
        for (Home h : home.values()) {
            Upload u = h.upload();
            Failure stop = u.stopped();
            if (stop != null && u.status() == UploadStatus.VALIDATING) {
                // stopped by the shutdown, a stage still waiting (for the database, say): its end is written now, so
                // that the other instances show it failed at once rather than once its lease runs out
                try {
                    writeFailed(h, u.stored(false).failed(stop));
                } catch (RuntimeException ex) {
                    LOG.warn(
                            "upload {}: its stop could not be written to Redis; its lease decides: {}",
                            u.id,
                            ex.getMessage());
                }
            }
            u.release();
        }
        home.clear();
        cache.invalidateAll();
        RedisPages p = pages;
        if (p != null) {
            p.close();
        }
        connector.close();
    }
}
