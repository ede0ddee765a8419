package rw.intake.server.internal.upload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.upload.UploadSummary.Progress;
import rw.intake.storage.Page;
import rw.intake.storage.RecordEdit;
import rw.intake.validation.ValidatedRecord;

/**
 * A validated upload staged in Redis, as an instance that does not hold it answers its read-only routes (the legacy
 * record list included): the summary from its meta, a page from the chunks it covers (and a filtered page from its
 * slice of the index), a record from its chunk. Made per request from the meta just read; when Redis holds no index
 * slice or chunk that fits that meta (an edit landed since, or is being saved in parts), it answers as the upload read
 * again from the next meta does: never read whole, which several requests at once would each do.
 */
final class RemoteUpload implements ReadableUpload {
    private final RedisPages pages;
    private final String id;
    private final Upload.Stored stored;
    private final long version;
    private final Supplier<ReadableUpload> newer;
    private final IntFunction<List<RecordEdit>> historyOf;

    RemoteUpload(
            RedisPages pages,
            Upload.Stored stored,
            long version,
            Supplier<ReadableUpload> newer,
            IntFunction<List<RecordEdit>> historyOf) {
        this.pages = pages;
        this.id = stored.id();
        this.stored = stored;
        this.version = version;
        this.newer = newer;
        this.historyOf = historyOf;
    }

    @Override
    public String owner() {
        return stored.owner();
    }

    /** As {@link Upload#summary} of the upload read whole. */
    @Override
    public UploadSummary summary() {
        UploadStatus status = stored.status() == UploadStatus.COMMITTING ? UploadStatus.VALIDATED : stored.status();
        return new UploadSummary(
                id,
                stored.fileName(),
                status.key(),
                stored.createdAt(),
                stored.owner(),
                new Progress(stored.rowsRead()),
                stored.totals(),
                stored.violationsByCode(),
                stored.ignoredColumns(),
                stored.sheet(),
                stored.headerRow(),
                stored.otherLists(),
                stored.commit(),
                stored.failure());
    }

    @Override
    public PageJson pageJson(RecordFilter filter, int page, int size) {
        Located at = locate(filter, page, size);
        if (at == null) {
            return newer.get().pageJson(filter, page, size);
        }
        return RecordPageJson.write(at.sources(), at.local(), page, size, at.total());
    }

    @Override
    public Page<ValidatedRecord> page(RecordFilter filter, int page, int size) {
        Located at = locate(filter, page, size);
        if (at == null) {
            return newer.get().page(filter, page, size);
        }
        List<ValidatedRecord> items = new ArrayList<>(at.local().length);
        for (int i = 0; i < at.local().length; i++) {
            items.add(at.sources()[i].get(at.local()[i]));
        }
        return new Page<>(items, page, size, at.total());
    }

    /** The records of a page: each one's chunk (unpacked) and index in it, and the matches in all. */
    private record Located(StagedRecords[] sources, int[] local, int total) {}

    /**
     * Where the records of a page are, from the chunks it covers (and a filtered page's slice of its index); null when
     * Redis holds no slice or chunk that fits the meta read (an edit landed since, or the upload was removed).
     */
    private Located locate(RecordFilter filter, int page, int size) {
        long from = (long) (page - 1) * size;
        int total;
        int[] indexes;
        if (filter.field() == null && filter.code() == null && "all".equals(filter.status())) {
            total = (int) stored.totals().records();
            indexes = new int[(int) Math.max(0, Math.min(from + size, total) - from)];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = (int) (from + i);
            }
            readAhead(indexes, total);
        } else {
            RedisPages.Slice slice = pages.slice(id, filter, version, from, size);
            if (slice == null) {
                return null;
            }
            total = slice.total();
            indexes = slice.total() == 0 ? new int[0] : slice.indexes();
        }
        int[] ns = chunksOf(indexes);
        Map<Integer, StagedRecords> chunks = pages.chunks(id, version, ns);
        if (chunks == null) {
            return null;
        }
        StagedRecords[] sources = new StagedRecords[indexes.length];
        int[] local = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            sources[i] = chunks.get(indexes[i] / RecordChunks.SIZE);
            local[i] = indexes[i] % RecordChunks.SIZE;
        }
        return new Located(sources, local, total);
    }

    /** Has the next chunk read if the page ends in the second half of its chunk and the upload goes on. */
    private void readAhead(int[] indexes, int total) {
        if (indexes.length == 0) {
            return;
        }
        int last = indexes[indexes.length - 1];
        int next = last / RecordChunks.SIZE + 1;
        if (last % RecordChunks.SIZE >= RecordChunks.SIZE / 2 && (long) next * RecordChunks.SIZE < total) {
            pages.readAhead(id, version, next);
        }
    }

    /** The chunks that hold the records at {@code indexes} (ascending), each once. */
    private static int[] chunksOf(int[] indexes) {
        IntList ns = new IntList(2);
        for (int index : indexes) {
            ns.addOnce(index / RecordChunks.SIZE);
        }
        return ns.toArray();
    }

    @Override
    public Upload.Detail record(int row) {
        int n = pages.chunkOfRow(id, row);
        if (n == -2) {
            return newer.get().record(row);
        }
        if (n < 0) {
            throw notFound(row);
        }
        Map<Integer, StagedRecords> chunks = pages.chunks(id, version, new int[] {n});
        if (chunks == null) {
            return newer.get().record(row);
        }
        StagedRecords records = chunks.get(n);
        int index = records.indexOfRow(row);
        if (index < 0) {
            throw notFound(row);
        }
        JsonBytes out = new JsonBytes(1024);
        records.writeJson(index, out);
        return new Upload.Detail(out.toByteArray(), records.tag(index), historyOf.apply(row));
    }

    private ApiException notFound(int row) {
        return Upload.recordNotFound(id, row);
    }
}
