package rw.intake.server.internal.upload;

import java.util.ArrayList;
import java.util.List;
import rw.intake.validation.ValidatedRecord;

/**
 * The binary form of a run of {@link #SIZE} staged records, as the redis staging store keeps them: a format byte, the
 * upload's version when the chunk was written, then the records packed as {@link StagedRecords} packs them (their
 * bytes copied, with the tables of violation kinds and messages they refer to) and their excluded and edited marks
 * ({@link StagedRecords#chunk}). Reading one back copies bytes; no record is rebuilt until it is read. A reader refuses
 * a chunk of another format, so a rolling upgrade tells old chunks from new.
 */
final class RecordChunks {
    /** Records a chunk holds (the last one of an upload fewer). */
    static final int SIZE = 1024;

    /** The format byte; 1 was a record-by-record form, rebuilt into records on every read. */
    static final byte VERSION = 2;

    private RecordChunks() {}

    /** One record read back, with its marks. */
    record Entry(ValidatedRecord record, boolean excluded, boolean edited) {}

    /** The chunk of the records {@code from} (inclusive) to {@code to} (exclusive), at the upload's {@code version}. */
    static byte[] encode(StagedRecords records, int from, int to, long version) {
        return records.chunk(from, to, VERSION, version);
    }

    /** Whether the chunk is of the format this server reads ({@link #VERSION}); its other bytes mean nothing if not. */
    static boolean readable(byte[] chunk) {
        return chunk.length >= 1 + Long.BYTES && chunk[0] == VERSION;
    }

    /** The upload version a chunk was written at: a reader of an older meta knows it was rewritten since. */
    static long version(byte[] chunk) {
        return StagedRecords.chunkVersion(chunk);
    }

    /**
     * The records of a chunk, packed.
     *
     * @throws IllegalStateException for a chunk of another format
     */
    static StagedRecords decode(byte[] chunk) {
        return StagedRecords.ofChunk(chunk, VERSION);
    }

    /**
     * The records of a chunk rebuilt, with their marks.
     *
     * @throws IllegalStateException for a chunk of another format
     */
    static List<Entry> entries(byte[] chunk) {
        StagedRecords records = decode(chunk);
        List<Entry> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            out.add(new Entry(records.get(i), records.excluded(i), records.edited(i)));
        }
        return out;
    }
}
