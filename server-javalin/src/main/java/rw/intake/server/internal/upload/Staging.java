package rw.intake.server.internal.upload;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import rw.intake.excel.IngestException;
import rw.intake.server.internal.http.ApiException;

/**
 * The staged uploads, in memory only: a Caffeine cache with an idle expiry, and a budget of records over all uploads,
 * of records per user (a share of the total, so that one user cannot fill staging) and of uploads per user. An upload
 * reserves up front the rows its sheet holds (counted before reading, at most the row limit); the reservation holds
 * while it is read (more if it holds more records than that count), and is brought down to the records staged when
 * validation ends. When a budget is short, committed and failed uploads (their data is in the database, or there is
 * none) are dropped oldest first before a new upload is refused with 503 {@code staging.full}.
 */
final class Staging implements StagingStore {
    static final String RETRY_AFTER_SECONDS = "30";
    /** The code of a refusal for want of room in the budget. */
    static final String FULL = "staging.full";

    private final Cache<String, Upload> cache;
    private final long maxRecords;
    private final long maxRecordsPerUser;
    private final int maxUploadsPerUser;
    private final AtomicLong reserved = new AtomicLong();
    /** The uploads held ({@link #hold}). */
    private final Holds holds = new Holds();
    /** {@link #latestOf}: an owner's last upload admitted, by id (one entry an owner). */
    private final Map<String, String> latest = new ConcurrentHashMap<>();

    Staging(long maxRecords, long maxRecordsPerUser, int maxUploadsPerUser, Duration idleExpiry, Ticker ticker) {
        this.maxRecords = maxRecords;
        this.maxRecordsPerUser = maxRecordsPerUser;
        this.maxUploadsPerUser = maxUploadsPerUser;
        long idle = idleExpiry.toNanos();
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfter(new Expiry<String, Upload>() {
                    @Override
                    public long expireAfterCreate(String id, Upload u, long now) {
                        return holds.held(id) ? Long.MAX_VALUE : idle;
                    }

                    @Override
                    public long expireAfterUpdate(String id, Upload u, long now, long left) {
                        return expireAfterCreate(id, u, now);
                    }

                    @Override
                    public long expireAfterRead(String id, Upload u, long now, long left) {
                        return expireAfterCreate(id, u, now);
                    }
                })
                .executor(Runnable::run)
                .removalListener((String id, Upload u, RemovalCause cause) -> {
                    if (u != null) {
                        release(u);
                    }
                })
                .build();
    }

    /**
     * Stages an upload with {@code records} reserved.
     *
     * @throws ApiException 503 {@code staging.full} with Retry-After when the budget cannot take it
     */
    @Override
    public synchronized void admit(Upload upload, long records) {
        cache.cleanUp();
        List<Upload> mine = uploadsOf(upload.owner);
        for (Upload u : evictable(mine)) {
            if (mine.size() < maxUploadsPerUser) {
                break;
            }
            cache.invalidate(u.id);
            mine.remove(u);
        }
        if (mine.size() >= maxUploadsPerUser) {
            throw full(
                    "you have " + mine.size() + " uploads staged, the most allowed; delete or commit one",
                    Map.of("maxUploadsPerUser", maxUploadsPerUser));
        }
        for (Upload u : evictable(mine)) {
            if (reservedBy(mine) + records <= maxRecordsPerUser) {
                break;
            }
            cache.invalidate(u.id);
            mine.remove(u);
        }
        long share = reservedBy(mine);
        if (share + records > maxRecordsPerUser) {
            throw full(
                    "your uploads hold " + share + " of the " + maxRecordsPerUser + " records one user may have"
                            + " staged, and this one needs " + records
                            + "; wait for them to be committed or delete one",
                    Map.of("maxRecordsPerUser", maxRecordsPerUser, "reservedByYou", share, "needed", records));
        }
        for (Upload u : evictable(new ArrayList<>(cache.asMap().values()))) {
            if (reserved.get() + records <= maxRecords) {
                break;
            }
            cache.invalidate(u.id);
        }
        if (reserved.get() + records > maxRecords) {
            throw full(
                    "the staging area is full for all users (" + reserved.get() + " of " + maxRecords
                            + " records reserved, this upload needs " + records + ")",
                    Map.of("maxRecords", maxRecords, "reserved", reserved.get(), "needed", records));
        }
        upload.reserved.set(records);
        reserved.addAndGet(records);
        Hold validating = hold(upload.id);
        cache.put(upload.id, upload);
        latest.put(upload.owner, upload.id);
        // the upload's end is seen (a client waiting for it) once the hold is released, not before: its idle time
        // counts from its end, not from whenever the validating thread gets to the release
        upload.visibleAfter(upload.settled().whenComplete((status, ex) -> validating.release()));
    }

    /**
     * An upload held does not expire: its idle time is the longest there is from the hold on (set by a read of it),
     * and the idle expiry again from the last hold's release (a read again).
     */
    @Override
    public Hold hold(String id) {
        return holds.take(id, () -> reread(id));
    }

    /** Reads upload {@code id}, which sets its expiry again. */
    private void reread(String id) {
        Upload unused = cache.getIfPresent(id);
    }

    @Override
    public String latestOf(String owner) {
        return latest.get(owner);
    }

    @Override
    public long mostRecordsPerUpload() {
        return Math.min(maxRecords, maxRecordsPerUser);
    }

    /**
     * Sets what an upload holds of the budget now: while reading, the rows counted before reading or the records
     * staged if more; after validation, its record count. It may go above the first reservation only if the count before reading was short.
     */
    @Override
    public void adjust(Upload upload, long records) {
        if (records > upload.reserved.get()) {
            grow(upload, records);
            return;
        }
        long before;
        do {
            before = upload.reserved.get();
            if (upload.released()) {
                return;
            }
        } while (!upload.reserved.compareAndSet(before, records));
        reserved.addAndGet(records - before);
    }

    /**
     * Takes more of the budget for an upload whose sheet holds more rows than it declared, as {@link #admit} would
     * have: within the user's share and the whole budget.
     *
     * @throws IngestException {@code staging.full} (the upload fails) when the budget cannot take them
     */
    private synchronized void grow(Upload upload, long records) {
        long before = upload.reserved.get();
        if (upload.released() || records <= before) {
            adjust(upload, records);
            return;
        }
        long more = records - before;
        long share = reservedBy(uploadsOf(upload.owner));
        if (share + more > maxRecordsPerUser || reserved.get() + more > maxRecords) {
            throw understated(share + more, maxRecordsPerUser, reserved.get() + more, maxRecords, records);
        }
        upload.reserved.set(records);
        reserved.addAndGet(more);
    }

    /**
     * The failure of an upload whose sheet holds more rows than it declared, past the budget: the user's share would
     * hold {@code share} of {@code maxPerUser} records, the budget {@code total} of {@code max}.
     */
    static IngestException understated(long share, long maxPerUser, long total, long max, long needed) {
        return new IngestException(
                FULL,
                "The sheet holds more rows than it declared (its dimension), and the staging budget cannot take them"
                        + " now (" + share + " of the " + maxPerUser + " records one user may have staged, " + total
                        + " of " + max + " for all users). Upload it again once other uploads are committed or"
                        + " deleted.",
                Map.of("maxRecordsPerUser", maxPerUser, "maxRecords", max, "needed", needed));
    }

    /** The upload with this id, counting as an access; null if unknown or expired. */
    @Override
    public Upload get(String id) {
        return cache.getIfPresent(id);
    }

    @Override
    public List<Upload> all() {
        cache.cleanUp();
        return new ArrayList<>(cache.asMap().values());
    }

    @Override
    public void remove(String id) {
        cache.invalidate(id);
    }

    /** Edits of one upload are serialised by the upload's own lock. */
    @Override
    public <T> T edit(Upload upload, Function<Upload, T> change) {
        return change.apply(upload);
    }

    /** A second commit is refused by the upload's own status. The upload does not expire while it is committed. */
    @Override
    public <T> T commit(Upload upload, Function<Upload, T> commit) {
        Hold committing = hold(upload.id);
        try {
            return commit.apply(upload);
        } finally {
            committing.release();
        }
    }

    @Override
    public void close() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    @Override
    public long reservedRecords() {
        cache.cleanUp(); // uploads idle past their expiry release their records now, not at the next request
        return reserved.get();
    }

    /** Heap held by every staged upload's records, approximately. */
    @Override
    public long retainedBytes() {
        long sum = 0;
        for (Upload u : cache.asMap().values()) {
            sum += u.retainedBytes();
        }
        return sum;
    }

    @Override
    public int size() {
        return cache.asMap().size();
    }

    private static long reservedBy(List<Upload> uploads) {
        long sum = 0;
        for (Upload u : uploads) {
            sum += u.reserved.get();
        }
        return sum;
    }

    private void release(Upload u) {
        u.release();
        reserved.addAndGet(-u.reserved.getAndSet(0));
    }

    private List<Upload> uploadsOf(String owner) {
        List<Upload> mine = new ArrayList<>();
        for (Upload u : cache.asMap().values()) {
            if (u.owner.equals(owner)) {
                mine.add(u);
            }
        }
        return mine;
    }

    private static List<Upload> evictable(List<Upload> uploads) {
        List<Upload> out = new ArrayList<>();
        for (Upload u : uploads) {
            if (u.status() == UploadStatus.COMMITTED || u.status() == UploadStatus.FAILED) {
                out.add(u);
            }
        }
        out.sort(Comparator.comparingLong(u -> u.sequence));
        return out;
    }

    static ApiException full(String detail, Map<String, Object> limits) {
        return new ApiException(
                503, FULL, "Service Unavailable", detail, limits, Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
}
