package rw.intake.server.internal.upload;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * The validated records of one upload, packed: every record is a run of bytes in a chunked arena (the five raw
 * cells as UTF-8, a normalized value only where it differs from the raw text, violations as an index into a small
 * table of {@code (field, code, severity)} kinds, a related row and a message that is interned while distinct
 * messages are few). {@link ValidatedRecord}s are rebuilt only when read.
 *
 * <p>A record edited in place is written again at the end of the arena and its offset moved there (the old bytes stay
 * as garbage: a few dozen bytes an edit). Whether a record is left out of the commit or was edited is kept in two
 * bit sets beside the arena, so that leaving one out rewrites nothing.
 *
 * <p>One writer appends; readers may read only what was published to them after the appends (the upload's
 * volatile status does that). Edits happen under the upload's write lock, reads under its read lock. Not thread-safe
 * otherwise, except {@link #retainedBytes()}, which a metrics scrape calls from any thread while records are appended.
 */
final class StagedRecords {
    private static final int FIRST_BLOCK = 1 << 14;
    /**
     * Blocks stay at 256 KiB: a larger array would be a humongous object for G1 (half a region or more, regions being
     * 1 MiB at least), rounded up to whole regions, which wastes up to half of it. A record larger than a block gets
     * a block of its own.
     */
    private static final int POSITION_BITS = 18;

    private static final int MAX_BLOCK = 1 << POSITION_BITS;
    private static final int MAX_BLOCKS = 1 << (32 - POSITION_BITS);
    private static final int MAX_MESSAGES = 4096;
    private static final Field[] FIELDS = Field.values();
    /** The bytes of the digest a record's tag shows: 96 bits. */
    private static final int TAG_BYTES = 12;

    private static final Severity[] SEVERITIES = Severity.values();

    /** How a normalized value is kept, two bits per field. */
    private static final int NORMALIZED_NULL = 0;

    private static final int NORMALIZED_SAME = 1;
    private static final int NORMALIZED_STORED = 2;
    /** Set in the flags of a record without errors, so that JSON can say {@code valid} before the violations. */
    private static final int VALID = 1 << (2 + 2 * FIELDS.length);
    /** Set in the flags of a record one of whose texts needs escaping in JSON; the others are copied as they are. */
    private static final int ESCAPE = VALID << 1;
    /** The JSON of a record ({@link Views.RecordView}) around its values, in order. */
    private static final byte[] ROW = JsonBytes.ascii("{\"row\":");
    /** {@code ,"names":} and so on; the first of {@code normalized} is written without its comma. */
    private static final byte[][] NAMES = names();

    private static final byte[] NORMALIZED = JsonBytes.ascii(",\"normalized\":{");
    private static final byte[] NULL = JsonBytes.ascii("null");
    private static final byte[] VALID_TRUE = JsonBytes.ascii("},\"valid\":true,\"errors\":[");
    private static final byte[] VALID_FALSE = JsonBytes.ascii("},\"valid\":false,\"errors\":[");
    private static final byte[] RELATED_ROW = JsonBytes.ascii(",\"relatedRow\":");
    private static final byte[] EXCLUDED_TRUE = JsonBytes.ascii("],\"excluded\":true");
    private static final byte[] EXCLUDED_FALSE = JsonBytes.ascii("],\"excluded\":false");
    private static final byte[] EDITED_TRUE = JsonBytes.ascii(",\"edited\":true}");
    private static final byte[] EDITED_FALSE = JsonBytes.ascii(",\"edited\":false}");

    private final List<byte[]> blocks = new ArrayList<>();
    private final IntList offsets = new IntList(1024);
    private final List<KindJson> kinds = new ArrayList<>();
    private final Map<Kind, Integer> kindIndex = new HashMap<>();
    private final List<String> messages = new ArrayList<>();
    /** The interned messages as quoted JSON strings. */
    private final List<byte[]> messagesJson = new ArrayList<>();

    private final List<SerializedString> messagesSerialized = new ArrayList<>();
    private final Map<String, Integer> messageIndex = new HashMap<>();
    private final Scratch scratch = new Scratch(256);
    private final BitSet excluded = new BitSet();
    private final BitSet edited = new BitSet();
    /** The chunks ({@link RecordChunks#SIZE} records each) changed since {@link #takeChanged} (a shared store's). */
    private final BitSet changed = new BitSet();

    private byte[] block;
    private int nextBlockSize = FIRST_BLOCK;
    private int position;
    /**
     * The bytes of the arena's blocks, the interned messages and the kinds, kept by the writer as it adds them, so that
     * {@link #retainedBytes()} never walks the lists another thread is adding to. Changed once a block, a message or a
     * kind, never once a record.
     */
    private final AtomicLong tableBytes = new AtomicLong();

    private record Kind(Field field, String code, Severity severity) {}

    /** The property names of {@link Views.RecordView} and its violations, for a generator. */
    private static final class Keys {
        static final SerializedString ROW = new SerializedString("row");
        static final SerializedString[] FIELDS = {
            new SerializedString("names"),
            new SerializedString("nid"),
            new SerializedString("phoneNumber"),
            new SerializedString("gender"),
            new SerializedString("email")
        };
        static final SerializedString NORMALIZED = new SerializedString("normalized");
        static final SerializedString VALID = new SerializedString("valid");
        static final SerializedString ERRORS = new SerializedString("errors");
        static final SerializedString FIELD = new SerializedString("field");
        static final SerializedString CODE = new SerializedString("code");
        static final SerializedString SEVERITY = new SerializedString("severity");
        static final SerializedString MESSAGE = new SerializedString("message");
        static final SerializedString RELATED_ROW = new SerializedString("relatedRow");
        static final SerializedString EXCLUDED = new SerializedString("excluded");
        static final SerializedString EDITED = new SerializedString("edited");

        private Keys() {}
    }

    /**
     * A kind of violation, its JSON up to the message (<code>{"field":..,"code":..,"severity":..,"message":</code>) and its
     * values for a generator.
     */
    private record KindJson(
            Kind kind, byte[] json, SerializedString field, SerializedString code, SerializedString severity) {
        static KindJson of(Kind k) {
            JsonBytes out = new JsonBytes(64);
            out.raw(JsonBytes.ascii("{\"field\":"));
            out.raw(JsonBytes.quoted(k.field().key()));
            out.raw(JsonBytes.ascii(",\"code\":"));
            out.raw(JsonBytes.quoted(k.code()));
            out.raw(JsonBytes.ascii(",\"severity\":"));
            out.raw(JsonBytes.quoted(k.severity().key()));
            out.raw(JsonBytes.ascii(",\"message\":"));
            return new KindJson(
                    k,
                    out.toByteArray(),
                    new SerializedString(k.field().key()),
                    new SerializedString(k.code()),
                    new SerializedString(k.severity().key()));
        }
    }

    /**
     * Appends a record and returns its index (0-based, in append order). One pass over each text: it is copied as
     * UTF-8 and checked for characters that need a JSON escape at once, and the flags, written first, are filled in
     * after.
     */
    int append(ValidatedRecord r) {
        offsets.add(encode(r));
        return offsets.size() - 1;
    }

    /** Replaces the record at {@code index} (an edit): its new bytes go at the end of the arena. */
    void replace(int index, ValidatedRecord r) {
        offsets.set(index, encode(r));
        changed.set(index / RecordChunks.SIZE);
    }

    /** The chunks with a record replaced or marked since the last call, and forgets them. */
    BitSet takeChanged() {
        BitSet out = (BitSet) changed.clone();
        changed.clear();
        return out;
    }

    /** Packs the record into the arena; returns its offset. */
    private int encode(ValidatedRecord r) {
        Scratch s = scratch;
        s.reset();
        RawRecord raw = r.raw();
        Normalized n = r.normalized();
        s.varint(raw.row());
        int flags = (raw.nidNumeric() ? 1 : 0) | (raw.phoneNumeric() ? 2 : 0);
        if (r.valid()) {
            flags |= VALID;
        }
        int flagsAt = s.reserveFlags();
        boolean plain = true;
        for (Field f : FIELDS) {
            plain &= s.string(raw.value(f));
        }
        for (int i = 0; i < FIELDS.length; i++) {
            String norm = n.value(FIELDS[i]);
            int how = norm == null
                    ? NORMALIZED_NULL
                    : norm.equals(raw.value(FIELDS[i])) ? NORMALIZED_SAME : NORMALIZED_STORED;
            flags |= how << (2 + 2 * i);
            if (how == NORMALIZED_STORED) {
                plain &= s.string(norm);
            }
        }
        List<Violation> vs = r.violations();
        s.varint(vs.size());
        for (Violation v : vs) {
            s.varint(kindOf(v));
            s.varint(v.relatedRow() == null ? 0 : zigzag(v.relatedRow()) + 1);
            Integer m = messageOf(v.message());
            if (m == null) {
                s.varint(0);
                plain &= s.string(v.message());
            } else {
                s.varint(m + 1); // written from its own escaped JSON
            }
        }
        s.putFlags(flagsAt, plain ? flags : flags | ESCAPE);
        return place(s);
    }

    /** The spreadsheet row of the record at {@code index}, read without rebuilding the record. */
    int row(int index) {
        int offset = offsets.get(index);
        return new Reader(blocks.get(offset >>> POSITION_BITS), offset & (MAX_BLOCK - 1)).varint();
    }

    /** The index of the record of spreadsheet row {@code row}, or -1 (records are in ascending row order). */
    int indexOfRow(int row) {
        int low = 0;
        int high = size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int r = row(mid);
            if (r < row) {
                low = mid + 1;
            } else if (r > row) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Whether the record at {@code index} is left out of the commit. */
    boolean excluded(int index) {
        return excluded.get(index);
    }

    void excluded(int index, boolean value) {
        if (excluded.get(index) != value) {
            changed.set(index / RecordChunks.SIZE);
        }
        excluded.set(index, value);
    }

    /** Whether a value of the record at {@code index} was edited. */
    boolean edited(int index) {
        return edited.get(index);
    }

    void markEdited(int index) {
        changed.set(index / RecordChunks.SIZE);
        edited.set(index);
    }

    /** Records left out of the commit. */
    /** The index of the first record left out at or after {@code from}, or -1. */
    int nextExcluded(int from) {
        return excluded.nextSetBit(from);
    }

    int excludedCount() {
        return excluded.cardinality();
    }

    /** Takes over the excluded and edited marks of {@code other}, whose records these are (rebuilt after a commit). */
    void copyMarks(StagedRecords other) {
        excluded.or(other.excluded);
        edited.or(other.edited);
    }

    /**
     * The entity tag (RFC 9110) of the record at {@code index}, strong, of what an edit changes: its five cell texts,
     * whether its NID and phone cells held numbers, and whether it is left out. Its verdict, which the edits of other
     * rows change too, takes no part, so a tag read before another row's edit still matches.
     */
    String tag(int index) {
        RawRecord r = get(index).raw();
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        for (Field f : FIELDS) {
            byte[] value = r.value(f).getBytes(StandardCharsets.UTF_8);
            digest.update(
                    ByteBuffer.allocate(Integer.BYTES).putInt(value.length).array());
            digest.update(value);
        }
        digest.update((byte) ((r.nidNumeric() ? 1 : 0) | (r.phoneNumeric() ? 2 : 0) | (excluded(index) ? 4 : 0)));
        return '"' + HexFormat.of().formatHex(digest.digest(), 0, TAG_BYTES) + '"';
    }

    /** The record at {@code index}, rebuilt. */
    ValidatedRecord get(int index) {
        int offset = offsets.get(index);
        Reader in = new Reader(blocks.get(offset >>> POSITION_BITS), offset & (MAX_BLOCK - 1));
        int row = in.varint();
        int flags = in.varint();
        String[] raw = new String[FIELDS.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = in.string();
        }
        String[] norm = new String[FIELDS.length];
        for (int i = 0; i < norm.length; i++) {
            int how = (flags >>> (2 + 2 * i)) & 3;
            norm[i] = how == NORMALIZED_STORED ? in.string() : how == NORMALIZED_SAME ? raw[i] : null;
        }
        int count = in.varint();
        List<Violation> vs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Kind k = kinds.get(in.varint()).kind();
            int related = in.varint();
            int m = in.varint();
            String message = m == 0 ? in.string() : messages.get(m - 1);
            vs.add(new Violation(
                    k.field(), k.code(), k.severity(), message, related == 0 ? null : unzigzag(related - 1)));
        }
        RawRecord rr = new RawRecord(row, raw[0], raw[1], raw[2], raw[3], raw[4], (flags & 1) != 0, (flags & 2) != 0);
        return ValidatedRecord.of(rr, new Normalized(norm[0], norm[1], norm[2], norm[3], norm[4]), vs);
    }

    /**
     * Writes the record at {@code index} as the JSON object of {@link Views.RecordView}, straight from its bytes: the
     * cell texts are copied as UTF-8 (escaped only if the record has a text that needs it), the names, kinds and
     * interned messages are copied from their JSON made once; nothing is decoded into strings.
     */
    void writeJson(int index, JsonBytes out) {
        writeJson(index, out, new Reader(null, 0));
    }

    /**
     * As {@link #writeJson(int, JsonBytes)}, reading the record's bytes with {@code in}, which it moves to them: one
     * reader serves every record of a page (a reader each was a tenth of what a page allocated).
     */
    void writeJson(int index, JsonBytes out, Reader in) {
        int offset = offsets.get(index);
        byte[] bytes = blocks.get(offset >>> POSITION_BITS);
        in.moveTo(bytes, offset & (MAX_BLOCK - 1));
        int row = in.varint();
        int flags = in.varint();
        boolean plain = (flags & ESCAPE) == 0;
        out.raw(ROW);
        out.number(row);
        int rawAt = in.position;
        for (int i = 0; i < FIELDS.length; i++) {
            int length = in.varint();
            out.raw(NAMES[i]);
            out.string(bytes, in.position, length, plain);
            in.position += length;
        }
        out.raw(NORMALIZED);
        for (int i = 0; i < FIELDS.length; i++) {
            int how = (flags >>> (2 + 2 * i)) & 3;
            int comma = i == 0 ? 1 : 0;
            out.raw(NAMES[i], comma, NAMES[i].length - comma);
            if (how == NORMALIZED_NULL) {
                out.raw(NULL);
            } else if (how == NORMALIZED_STORED) {
                int length = in.varint();
                out.string(bytes, in.position, length, plain);
                in.position += length;
            } else {
                int next = in.position;
                in.position = rawAt;
                in.skip(i);
                int length = in.varint();
                out.string(bytes, in.position, length, plain);
                in.position = next;
            }
        }
        out.raw((flags & VALID) != 0 ? VALID_TRUE : VALID_FALSE);
        int count = in.varint();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.raw(',');
            }
            out.raw(kinds.get(in.varint()).json());
            int related = in.varint();
            int m = in.varint();
            if (m == 0) {
                int length = in.varint();
                out.string(bytes, in.position, length, plain);
                in.position += length;
            } else {
                out.raw(messagesJson.get(m - 1));
            }
            if (related != 0) {
                out.raw(RELATED_ROW);
                out.number(unzigzag(related - 1));
            }
            out.raw('}');
        }
        out.raw(excluded.get(index) ? EXCLUDED_TRUE : EXCLUDED_FALSE);
        out.raw(edited.get(index) ? EDITED_TRUE : EDITED_FALSE);
    }

    /**
     * Writes the record at {@code index} as {@link #writeJson(int, JsonBytes)} does, through Jackson's generator: field
     * names as {@link SerializedString}s, texts as UTF-8 ({@code writeRawUTF8String} when the record needs no escape,
     * {@code writeUTF8String} otherwise). The same bytes; {@code RecordPageJsonBench} compares the two.
     */
    void writeJson(int index, JsonGenerator out) throws IOException {
        int offset = offsets.get(index);
        byte[] bytes = blocks.get(offset >>> POSITION_BITS);
        Reader in = new Reader(bytes, offset & (MAX_BLOCK - 1));
        int row = in.varint();
        int flags = in.varint();
        boolean plain = (flags & ESCAPE) == 0;
        out.writeStartObject();
        out.writeFieldName(Keys.ROW);
        out.writeNumber(row);
        int rawAt = in.position;
        for (int i = 0; i < FIELDS.length; i++) {
            int length = in.varint();
            out.writeFieldName(Keys.FIELDS[i]);
            utf8(out, bytes, in.position, length, plain);
            in.position += length;
        }
        out.writeFieldName(Keys.NORMALIZED);
        out.writeStartObject();
        for (int i = 0; i < FIELDS.length; i++) {
            int how = (flags >>> (2 + 2 * i)) & 3;
            out.writeFieldName(Keys.FIELDS[i]);
            if (how == NORMALIZED_NULL) {
                out.writeNull();
            } else if (how == NORMALIZED_STORED) {
                int length = in.varint();
                utf8(out, bytes, in.position, length, plain);
                in.position += length;
            } else {
                int next = in.position;
                in.position = rawAt;
                in.skip(i);
                int length = in.varint();
                utf8(out, bytes, in.position, length, plain);
                in.position = next;
            }
        }
        out.writeEndObject();
        out.writeFieldName(Keys.VALID);
        out.writeBoolean((flags & VALID) != 0);
        out.writeFieldName(Keys.ERRORS);
        out.writeStartArray();
        int count = in.varint();
        for (int i = 0; i < count; i++) {
            KindJson kind = kinds.get(in.varint());
            out.writeStartObject();
            out.writeFieldName(Keys.FIELD);
            out.writeString(kind.field());
            out.writeFieldName(Keys.CODE);
            out.writeString(kind.code());
            out.writeFieldName(Keys.SEVERITY);
            out.writeString(kind.severity());
            out.writeFieldName(Keys.MESSAGE);
            int related = in.varint();
            int m = in.varint();
            if (m == 0) {
                int length = in.varint();
                utf8(out, bytes, in.position, length, plain);
                in.position += length;
            } else {
                out.writeString(messagesSerialized.get(m - 1));
            }
            if (related != 0) {
                out.writeFieldName(Keys.RELATED_ROW);
                out.writeNumber(unzigzag(related - 1));
            }
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeFieldName(Keys.EXCLUDED);
        out.writeBoolean(excluded.get(index));
        out.writeFieldName(Keys.EDITED);
        out.writeBoolean(edited.get(index));
        out.writeEndObject();
    }

    private static void utf8(JsonGenerator out, byte[] bytes, int offset, int length, boolean plain)
            throws IOException {
        if (plain) {
            out.writeRawUTF8String(bytes, offset, length);
        } else {
            out.writeUTF8String(bytes, offset, length);
        }
    }

    /**
     * The records {@code from} (inclusive) to {@code to} (exclusive) in the binary form of {@link RecordChunks}: a
     * format byte, the upload's version, the count, this store's kinds, the messages the records refer to (numbered
     * anew, in order of first use), a byte of marks a record, then each record's bytes as packed here (after their
     * length), with its message references renumbered. Nothing is decoded into strings.
     */
    byte[] chunk(int from, int to, byte format, long version) {
        Scratch records = new Scratch(128 * (to - from));
        Scratch record = new Scratch(256);
        int[] local = new int[messages.size()];
        IntList used = new IntList(16);
        for (int index = from; index < to; index++) {
            int offset = offsets.get(index);
            byte[] bytes = blocks.get(offset >>> POSITION_BITS);
            Reader in = new Reader(bytes, offset & (MAX_BLOCK - 1));
            int start = in.position;
            in.varint();
            int flags = in.varint();
            in.skip(FIELDS.length);
            for (int i = 0; i < FIELDS.length; i++) {
                if (((flags >>> (2 + 2 * i)) & 3) == NORMALIZED_STORED) {
                    in.skip(1);
                }
            }
            int count = in.varint();
            record.reset();
            record.raw(bytes, start, in.position - start);
            for (int v = 0; v < count; v++) {
                record.varint(in.varint());
                record.varint(in.varint());
                int m = in.varint();
                if (m == 0) {
                    int text = in.position;
                    in.skip(1);
                    record.varint(0);
                    record.raw(bytes, text, in.position - text);
                } else {
                    if (local[m - 1] == 0) {
                        used.add(m - 1);
                        local[m - 1] = used.size();
                    }
                    record.varint(local[m - 1]);
                }
            }
            records.varint(record.size);
            records.raw(record.bytes, 0, record.size);
        }
        Scratch out = new Scratch(records.size + 64 * kinds.size() + (to - from) + 256);
        out.put(format);
        for (int shift = Long.SIZE - Byte.SIZE; shift >= 0; shift -= Byte.SIZE) {
            out.put((int) (version >>> shift));
        }
        out.varint(to - from);
        out.varint(kinds.size());
        for (KindJson k : kinds) {
            out.varint(k.kind().field().ordinal());
            out.varint(k.kind().severity().ordinal());
            out.string(k.kind().code());
        }
        out.varint(used.size());
        for (int i = 0; i < used.size(); i++) {
            out.string(messages.get(used.get(i)));
        }
        for (int index = from; index < to; index++) {
            out.varint((excluded.get(index) ? 1 : 0) | (edited.get(index) ? 2 : 0));
        }
        out.raw(records.bytes, 0, records.size);
        return Arrays.copyOf(out.bytes, out.size);
    }

    /** The upload version a chunk of {@link #chunk} was written at. */
    static long chunkVersion(byte[] chunk) {
        long version = 0;
        for (int i = 1; i <= Long.BYTES; i++) {
            version = (version << Byte.SIZE) | (chunk[i] & 0xFF);
        }
        return version;
    }

    /**
     * The records of a chunk of {@link #chunk}, packed as a store of their own with their marks: their bytes are
     * copied as they are.
     *
     * @throws IllegalStateException for a chunk of another format than {@code format}
     */
    static StagedRecords ofChunk(byte[] chunk, byte format) {
        if (chunk.length == 0 || chunk[0] != format) {
            throw new IllegalStateException("staged chunk of format " + (chunk.length == 0 ? "none" : chunk[0])
                    + ", this server reads " + format);
        }
        Reader in = new Reader(chunk, 1 + Long.BYTES);
        int count = in.varint();
        StagedRecords out = new StagedRecords();
        int kinds = in.varint();
        for (int i = 0; i < kinds; i++) {
            Field field = FIELDS[in.varint()];
            Severity severity = SEVERITIES[in.varint()];
            out.kindOf(new Kind(field, in.string(), severity));
        }
        int messages = in.varint();
        for (int i = 0; i < messages; i++) {
            out.messageOf(in.string());
        }
        for (int i = 0; i < count; i++) {
            int marks = in.varint();
            if ((marks & 1) != 0) {
                out.excluded.set(i);
            }
            if ((marks & 2) != 0) {
                out.edited.set(i);
            }
        }
        for (int i = 0; i < count; i++) {
            int length = in.varint();
            out.offsets.add(out.place(chunk, in.position, length));
            in.position += length;
        }
        out.trim();
        return out;
    }

    int size() {
        return offsets.size();
    }

    /** Gives back the unused tail of the last block and of the offsets once the upload is complete. */
    void trim() {
        offsets.trim();
        if (block != null && position < block.length) {
            tableBytes.addAndGet((long) position - block.length);
            block = Arrays.copyOf(block, position);
            blocks.set(blocks.size() - 1, block);
        }
    }

    /**
     * Bytes held by this store (arena, offsets, tables), approximately. Safe to call from any thread at any time (a
     * metrics gauge): it reads counts the writer keeps and array lengths, never the lists being added to.
     */
    long retainedBytes() {
        return tableBytes.get() + offsets.retainedBytes() + (excluded.size() + edited.size()) / 8;
    }

    private int kindOf(Violation v) {
        return kindOf(new Kind(v.field(), v.code(), v.severity()));
    }

    private int kindOf(Kind k) {
        Integer i = kindIndex.get(k);
        if (i == null) {
            i = kinds.size();
            kinds.add(KindJson.of(k));
            tableBytes.addAndGet(64L);
            kindIndex.put(k, i);
        }
        return i;
    }

    private Integer messageOf(String message) {
        Integer i = messageIndex.get(message);
        if (i == null && messages.size() < MAX_MESSAGES) {
            i = messages.size();
            messages.add(message);
            tableBytes.addAndGet(64L + 2L * message.length());
            messagesJson.add(JsonBytes.quoted(message));
            messagesSerialized.add(new SerializedString(message));
            messageIndex.put(message, i);
        }
        return i;
    }

    private int place(Scratch s) {
        return place(s.bytes, 0, s.size);
    }

    /** Copies a record's {@code length} bytes from {@code from} at {@code start} into the arena; returns its offset. */
    private int place(byte[] from, int start, int length) {
        if (blocks.size() >= MAX_BLOCKS - 1) {
            throw new IllegalStateException("staged upload too large: " + blocks.size() + " blocks");
        }
        if (length > MAX_BLOCK) {
            byte[] own = Arrays.copyOfRange(from, start, start + length);
            blocks.add(own);
            tableBytes.addAndGet(16L + own.length);
            block = null;
            position = 0;
            return (blocks.size() - 1) << POSITION_BITS;
        }
        if (block == null || block.length - position < length) {
            block = new byte[Math.max(nextBlockSize, length)];
            nextBlockSize = Math.min(MAX_BLOCK, nextBlockSize * 2);
            blocks.add(block);
            tableBytes.addAndGet(16L + block.length);
            position = 0;
        }
        System.arraycopy(from, start, block, position, length);
        int offset = ((blocks.size() - 1) << POSITION_BITS) | position;
        position += length;
        return offset;
    }

    /** {@code ,"name":} of each field in {@link Field} order, as {@link Views.RecordView} names them. */
    private static byte[][] names() {
        String[] keys = {"names", "nid", "phoneNumber", "gender", "email"};
        byte[][] names = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            names[i] = JsonBytes.ascii(",\"" + keys[i] + "\":");
        }
        return names;
    }

    private static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    private static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** The bytes of the record being appended. */
    private static final class Scratch {
        private byte[] bytes;
        private int size;

        Scratch(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        void put(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        void raw(byte[] from, int start, int length) {
            ensure(length);
            System.arraycopy(from, start, bytes, size, length);
            size += length;
        }

        void reset() {
            size = 0;
        }

        void varint(int value) {
            ensure(5);
            int v = value;
            while ((v & ~0x7F) != 0) {
                bytes[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[size++] = (byte) v;
        }

        /**
         * Two bytes for the flags, filled in by {@link #putFlags}: a varint of 14 bits, not always minimal (a value
         * under 128 becomes {@code 1xxxxxxx 00000000}), which {@link Reader#varint} reads all the same.
         */
        int reserveFlags() {
            ensure(2);
            size += 2;
            return size - 2;
        }

        void putFlags(int at, int flags) {
            if (flags >>> 14 != 0) {
                throw new IllegalStateException("flags over 14 bits: " + flags);
            }
            bytes[at] = (byte) ((flags & 0x7F) | 0x80);
            bytes[at + 1] = (byte) (flags >>> 7);
        }

        /**
         * Appends {@code value} as a varint length and UTF-8; returns whether it is written in JSON as it is (no
         * character needs an escape). ASCII text, nearly all of it, is copied and checked in the same pass.
         */
        boolean string(String value) {
            int n = value.length();
            int start = size;
            varint(n);
            ensure(n);
            byte[] b = bytes;
            int at = size;
            boolean plain = true;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    size = start;
                    return utf8(value);
                }
                b[at + i] = (byte) c;
                plain &= !JsonBytes.needsEscape(c);
            }
            size = at + n;
            return plain;
        }

        private boolean utf8(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
            return JsonBytes.plain(value);
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    /** Reads one record's bytes (and the chunks of {@link RecordChunks}). */
    static final class Reader {
        private byte[] bytes;
        private int position;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        /** Reads {@code bytes} from {@code position} on. */
        void moveTo(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        /** The next byte, as written. */
        byte next() {
            return bytes[position++];
        }

        int varint() {
            int value = 0;
            int shift = 0;
            byte b;
            do {
                b = bytes[position++];
                value |= (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            return value;
        }

        /** Skips {@code n} strings. */
        void skip(int n) {
            for (int i = 0; i < n; i++) {
                int length = varint();
                position += length;
            }
        }

        String string() {
            int length = varint();
            String s = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }
    }
}
