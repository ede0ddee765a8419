package rw.intake.server.internal.upload;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.validation.Field;

/**
 * The filter indexes of the uploads staged in Redis, and the chunks of records that this instance read from there
 * lately, so that a page reads only the chunks it covers and a filtered page only its slice of an index.
 *
 * <p>Each list of an upload's {@link RecordIndex} (by status, by status and field, by status and code) is a binary
 * value {@code {prefix:id}:ix:<status>:<field>:<code>}: a version byte, the code's field (or 255), the upload's version
 * when the list was written (8 bytes), then the record indexes as 4-byte integers; its length gives the count and
 * {@code GETRANGE} a page's slice. {@code :ix:rows} holds the first row of each chunk the same way (for a single
 * record), and the set {@code :ix} names every list written, for expiry and removal. The validating instance writes
 * them all when validation ends; an edit rewrites the lists it changed, with the next version, before the meta.
 *
 * <p>Chunks read are kept unpacked ({@link StagedRecords}, written to JSON as they are) in a cache bounded by bytes,
 * each with the upload's version it was read at: a newer version (an edit or a commit) makes every chunk of the upload
 * be read again. A chunk carries the version it was written at, so that one rewritten by an edit whose meta is not
 * written yet is not mixed into a page of the version before. A page in the second half of a chunk has the next chunk
 * read ahead, off the request, so that someone paging on does not wait for it.
 */
final class RedisPages {
    /** The first byte of an index value; a reader refuses another. */
    static final byte INDEX_VERSION = 1;

    private static final int HEADER = 10;
    private static final int NO_FIELD = 255;
    private static final Logger LOG = LoggerFactory.getLogger(RedisPages.class);
    private static final String ROWS = "rows";
    private static final Field[] FIELDS = Field.values();
    /** The length, header and the ints ARGV[1] to ARGV[1] + ARGV[2] (exclusive) of the index value KEYS[1]. */
    private static final String SLICE = """
            local n = redis.call('STRLEN', KEYS[1])
            if n == 0 then
              return {0}
            end
            local head = redis.call('GETRANGE', KEYS[1], 0, 9)
            local from = 10 + tonumber(ARGV[1]) * 4
            if from >= n or tonumber(ARGV[2]) == 0 then
              return {n, head, ''}
            end
            local to = math.min(n, from + tonumber(ARGV[2]) * 4) - 1
            return {n, head, redis.call('GETRANGE', KEYS[1], from, to)}
            """;

    private final RedisClusterCommands<byte[], byte[]> redis;
    private final String prefix;
    private final Refusal refusal;
    private final Cache<ChunkKey, Chunk> chunks;
    private final LongAdder chunksRead = new LongAdder();
    /** Reads chunks ahead of someone paging through an upload, one at a time. */
    private final ExecutorService ahead = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "intake-redis-read-ahead");
        t.setDaemon(true);
        return t;
    });
    /** The chunks being read ahead, each once. */
    private final Set<ChunkKey> pending = ConcurrentHashMap.newKeySet();

    private record ChunkKey(String id, int n) {}

    private record Chunk(long version, StagedRecords records) {}

    /** A run of an index: the matches in all, the code's field (null if none) and the record indexes asked for. */
    record Slice(int total, Field codeField, int[] indexes) {}

    /**
     * What a read throws for a value of upload {@code id} ({@code what}: a chunk, an index list) whose format byte is
     * not {@code reads}, the one this server reads: an instance of another version wrote it.
     */
    @FunctionalInterface
    interface Refusal {
        RuntimeException unreadable(String id, String what, byte[] value, int reads);
    }

    RedisPages(RedisClusterCommands<byte[], byte[]> redis, String prefix, long cacheBytes, Refusal refusal) {
        this.redis = redis;
        this.prefix = prefix;
        this.refusal = refusal;
        this.chunks = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, cacheBytes))
                .weigher((ChunkKey k, Chunk c) ->
                        (int) Math.min(Integer.MAX_VALUE, c.records().retainedBytes()))
                .executor(Runnable::run)
                .build();
    }

    private byte[] key(String id, String part) {
        return ("{" + prefix + ":" + id + "}:" + part).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] namesKey(String id) {
        return key(id, "ix");
    }

    private byte[] listKey(String id, String name) {
        return key(id, "ix:" + name);
    }

    /** The name of the list that serves a filter of a status and at most a field or a code. */
    private static String name(RecordFilter f) {
        return f.status() + ":" + (f.field() == null ? "" : f.field().key()) + ":" + (f.code() == null ? "" : f.code());
    }

    // ---- writing

    /**
     * Writes every list of the index and the first row of each chunk, at {@code version}, and drops the lists written
     * before that the index no longer has (after a commit restaged records), through {@code w}.
     */
    void writeAll(RedisWrites w, String id, RecordIndex index, StagedRecords records, long version) {
        Set<String> before = names(id);
        Set<String> written = new HashSet<>();
        index.forEach((filter, codeField, list) -> {
            write(w, id, name(filter), codeField, list, version);
            written.add(name(filter));
        });
        int count = (records.size() + RecordChunks.SIZE - 1) / RecordChunks.SIZE;
        IntList rows = new IntList(count);
        for (int n = 0; n < count; n++) {
            rows.add(records.row(n * RecordChunks.SIZE));
        }
        write(w, id, ROWS, null, rows, version);
        written.add(ROWS);
        register(w, id, written);
        before.removeAll(written);
        for (String stale : before) {
            w.del(listKey(id, stale));
            w.srem(namesKey(id), stale.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Writes the lists that serve {@code changed} (an edit's), at {@code version}, through {@code w}; an emptied one
     * stays, empty.
     */
    void writeChanged(RedisWrites w, String id, RecordIndex index, Set<RecordFilter> changed, long version) {
        Set<String> written = new HashSet<>();
        for (RecordFilter f : changed) {
            index.visit(f, (filter, codeField, list) -> write(w, id, name(filter), codeField, list, version));
            written.add(name(f));
        }
        register(w, id, written);
    }

    private void write(RedisWrites w, String id, String name, Field codeField, IntList list, long version) {
        ByteBuffer value = ByteBuffer.allocate(HEADER + 4 * list.size());
        value.put(INDEX_VERSION);
        value.put((byte) (codeField == null ? NO_FIELD : codeField.ordinal()));
        value.putLong(version);
        for (int i = 0; i < list.size(); i++) {
            value.putInt(list.get(i));
        }
        w.set(listKey(id, name), value.array());
    }

    private void register(RedisWrites w, String id, Set<String> names) {
        if (names.isEmpty()) {
            return;
        }
        byte[][] members = new byte[names.size()][];
        int i = 0;
        for (String n : names) {
            members[i++] = n.getBytes(StandardCharsets.UTF_8);
        }
        w.sadd(namesKey(id), members);
    }

    private Set<String> names(String id) {
        Set<String> out = new HashSet<>();
        for (byte[] n : redis.smembers(namesKey(id))) {
            out.add(new String(n, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every index key of the upload, the set that names them included (to expire or delete them with the rest). */
    List<byte[]> keys(String id) {
        List<byte[]> out = new ArrayList<>();
        for (String n : names(id)) {
            out.add(listKey(id, n));
        }
        out.add(namesKey(id));
        return out;
    }

    /** The uploads whose chunks this instance keeps. */
    Set<String> ids() {
        Set<String> ids = new HashSet<>();
        chunks.asMap().keySet().forEach(k -> ids.add(k.id()));
        return ids;
    }

    /** Drops the chunks of the upload this instance keeps. */
    void forget(String id) {
        chunks.asMap().keySet().removeIf(k -> k.id().equals(id));
    }

    // ---- reading

    /**
     * The matches of {@code filter} (not status {@code all} alone) in all, and {@code count} of them from {@code from}
     * on; null if the list was written at a version after {@code version} (an edit is being saved).
     *
     * @throws RuntimeException as {@link Refusal} makes it, for an index of another format
     */
    Slice slice(String id, RecordFilter filter, long version, long from, int count) {
        RecordFilter list = filter.code() == null ? filter : new RecordFilter(filter.status(), null, filter.code());
        List<Object> r = redis.eval(
                SLICE, ScriptOutputType.MULTI, new byte[][] {listKey(id, name(list))}, bytes(from), bytes(count));
        long length = (Long) r.get(0);
        if (length == 0) {
            return new Slice(0, null, new int[0]);
        }
        byte[] header = (byte[]) r.get(1);
        checkFormat(id, header);
        ByteBuffer head = ByteBuffer.wrap(header);
        head.get();
        int field = head.get() & 0xFF;
        if (head.getLong() > version) {
            return null;
        }
        Field codeField = field == NO_FIELD ? null : FIELDS[field];
        if (filter.code() != null && filter.field() != null && filter.field() != codeField) {
            return new Slice(0, codeField, new int[0]);
        }
        byte[] run = r.size() > 2 && r.get(2) != null ? (byte[]) r.get(2) : new byte[0];
        ByteBuffer ints = ByteBuffer.wrap(run);
        int[] indexes = new int[run.length / 4];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = ints.getInt();
        }
        return new Slice((int) ((length - HEADER) / 4), codeField, indexes);
    }

    /** The chunk that holds row {@code row}, or -1 if it is before the first; -2 if the rows were not written. */
    int chunkOfRow(String id, int row) {
        byte[] value = redis.get(listKey(id, ROWS));
        if (value == null) {
            return -2;
        }
        checkFormat(id, value);
        ByteBuffer in = ByteBuffer.wrap(value);
        in.position(HEADER);
        int count = (value.length - HEADER) / 4;
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (in.getInt(HEADER + 4 * mid) <= row) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    private void checkFormat(String id, byte[] value) {
        if (value.length == 0 || value[0] != INDEX_VERSION) {
            throw refusal.unreadable(id, "index list", value, INDEX_VERSION);
        }
    }

    /** Chunk {@code value} of upload {@code id}, as long as it is of the format this server reads. */
    private byte[] checkChunk(String id, byte[] value) {
        if (!RecordChunks.readable(value)) {
            throw refusal.unreadable(id, "chunk", value, RecordChunks.VERSION);
        }
        return value;
    }

    /**
     * The chunks {@code ns} (ascending, distinct) of the upload at {@code version}: those kept here at that version,
     * the others read in one {@code MGET}; null if one is missing (the upload was removed meanwhile).
     */
    Map<Integer, StagedRecords> chunks(String id, long version, int[] ns) {
        Map<Integer, StagedRecords> out = new HashMap<>(ns.length * 2);
        List<Integer> missing = new ArrayList<>();
        for (int n : ns) {
            Chunk c = chunks.getIfPresent(new ChunkKey(id, n));
            if (c != null && c.version() == version) {
                out.put(n, c.records());
            } else {
                missing.add(n);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        if (missing.size() == 1) {
            // most pages: the chunk is read and unpacked once, however many requests want it at the same moment
            int n = missing.get(0);
            Chunk c = load(id, version, n);
            if (c == null) {
                return null;
            }
            out.put(n, c.records());
            return out;
        }
        byte[][] keys = new byte[missing.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(id, "c:" + missing.get(i));
        }
        List<KeyValue<byte[], byte[]>> values = redis.mget(keys);
        for (int i = 0; i < keys.length; i++) {
            KeyValue<byte[], byte[]> kv = values.get(i);
            if (!kv.hasValue() || RecordChunks.version(checkChunk(id, kv.getValue())) > version) {
                return null;
            }
            StagedRecords records = RecordChunks.decode(kv.getValue());
            chunksRead.increment();
            chunks.put(new ChunkKey(id, missing.get(i)), new Chunk(version, records));
            out.put(missing.get(i), records);
        }
        return out;
    }

    /**
     * Chunk {@code n} of the upload at {@code version}, kept here or read and kept; null if Redis has none (the
     * upload was removed) or has it from a later version (an edit is being saved: the meta read is no longer the
     * latest). A chunk is read once however many threads want it at the same moment.
     */
    private Chunk load(String id, long version, int n) {
        return chunks.asMap().compute(new ChunkKey(id, n), (k, old) -> {
            if (old != null && old.version() == version) {
                return old;
            }
            byte[] value = redis.get(key(id, "c:" + n));
            if (value == null || RecordChunks.version(checkChunk(id, value)) > version) {
                return null;
            }
            chunksRead.increment();
            return new Chunk(version, RecordChunks.decode(value));
        });
    }

    /**
     * Reads chunk {@code n} of the upload at {@code version} in the background unless it is kept here already, so that
     * someone paging on finds it read (a page that needs it meanwhile waits for the same read, not a second one).
     */
    void readAhead(String id, long version, int n) {
        ChunkKey k = new ChunkKey(id, n);
        Chunk kept = chunks.getIfPresent(k);
        if ((kept != null && kept.version() == version) || !pending.add(k)) {
            return;
        }
        try {
            ahead.execute(() -> {
                try {
                    load(id, version, n);
                } catch (RuntimeException ex) {
                    // the page that needs the chunk reads it itself, and reports what fails then
                    LOG.debug("upload {}: chunk {} not read ahead", id, n, ex);
                } finally {
                    pending.remove(k);
                }
            });
        } catch (RejectedExecutionException ex) {
            pending.remove(k); // closing
        }
    }

    /** Heap held by the chunks kept, approximately. */
    long retainedBytes() {
        long sum = 0;
        for (Chunk c : chunks.asMap().values()) {
            sum += c.records().retainedBytes();
        }
        return sum;
    }

    /** Chunks read from Redis by this instance so far. */
    long chunksRead() {
        return chunksRead.sum();
    }

    void close() {
        ahead.shutdownNow();
        chunks.invalidateAll();
    }

    private static byte[] bytes(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
    }
}
