package rw.intake.server.upload;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p>One writer appends; readers may read only what was published to them after the appends (the upload's
 * volatile status does that). Not thread-safe otherwise.
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

    /** How a normalized value is kept, two bits per field. */
    private static final int NORMALIZED_NULL = 0;
    private static final int NORMALIZED_SAME = 1;
    private static final int NORMALIZED_STORED = 2;
    /** Set in the flags of a record without errors, so that JSON can say {@code valid} before the violations. */
    private static final int VALID = 1 << (2 + 2 * FIELDS.length);
    /** The JSON names of the fields, in {@link Field} order (as {@link Views.RecordView} names them). */
    private static final SerializedString[] JSON_FIELDS = {new SerializedString("names"), new SerializedString("nid"),
        new SerializedString("phoneNumber"), new SerializedString("gender"), new SerializedString("email")};
    private static final SerializedString ROW = new SerializedString("row");
    private static final SerializedString NORMALIZED = new SerializedString("normalized");
    private static final SerializedString VALID_NAME = new SerializedString("valid");
    private static final SerializedString ERRORS = new SerializedString("errors");
    private static final SerializedString FIELD = new SerializedString("field");
    private static final SerializedString CODE = new SerializedString("code");
    private static final SerializedString SEVERITY = new SerializedString("severity");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString RELATED_ROW = new SerializedString("relatedRow");

    private final List<byte[]> blocks = new ArrayList<>();
    private final IntList offsets = new IntList(1024);
    private final List<Kind> kinds = new ArrayList<>();
    private final Map<Kind, Integer> kindIndex = new HashMap<>();
    private final List<String> messages = new ArrayList<>();
    private final Map<String, Integer> messageIndex = new HashMap<>();
    private final Scratch scratch = new Scratch();
    private byte[] block;
    private int nextBlockSize = FIRST_BLOCK;
    private int position;

    private record Kind(Field field, String code, Severity severity) {
    }

    /** Appends a record and returns its index (0-based, in append order). */
    int append(ValidatedRecord r) {
        Scratch s = scratch;
        s.reset();
        RawRecord raw = r.raw();
        Normalized n = r.normalized();
        s.varint(raw.row());
        int flags = (raw.nidNumeric() ? 1 : 0) | (raw.phoneNumeric() ? 2 : 0);
        for (int i = 0; i < FIELDS.length; i++) {
            String norm = n.value(FIELDS[i]);
            int how = norm == null ? NORMALIZED_NULL : norm.equals(raw.value(FIELDS[i])) ? NORMALIZED_SAME : NORMALIZED_STORED;
            flags |= how << (2 + 2 * i);
        }
        if (r.valid()) {
            flags |= VALID;
        }
        s.varint(flags);
        for (Field f : FIELDS) {
            s.string(raw.value(f));
        }
        for (Field f : FIELDS) {
            String norm = n.value(f);
            if (norm != null && !norm.equals(raw.value(f))) {
                s.string(norm);
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
                s.string(v.message());
            } else {
                s.varint(m + 1);
            }
        }
        offsets.add(place(s));
        return offsets.size() - 1;
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
            Kind k = kinds.get(in.varint());
            int related = in.varint();
            int m = in.varint();
            String message = m == 0 ? in.string() : messages.get(m - 1);
            vs.add(new Violation(k.field(), k.code(), k.severity(), message, related == 0 ? null : unzigzag(related - 1)));
        }
        RawRecord rr = new RawRecord(row, raw[0], raw[1], raw[2], raw[3], raw[4], (flags & 1) != 0, (flags & 2) != 0);
        return ValidatedRecord.of(rr, new Normalized(norm[0], norm[1], norm[2], norm[3], norm[4]), vs);
    }

    /**
     * Writes the record at {@code index} as the JSON object of {@link Views.RecordView}, straight from its bytes: the
     * cell texts are copied as UTF-8 (escaped by the generator), never decoded into strings.
     */
    void writeJson(int index, JsonGenerator g) throws IOException {
        int offset = offsets.get(index);
        byte[] bytes = blocks.get(offset >>> POSITION_BITS);
        Reader in = new Reader(bytes, offset & (MAX_BLOCK - 1));
        int row = in.varint();
        int flags = in.varint();
        g.writeStartObject();
        g.writeFieldName(ROW);
        g.writeNumber(row);
        int[] rawAt = new int[FIELDS.length];
        int[] rawLength = new int[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            rawLength[i] = in.varint();
            rawAt[i] = in.position;
            in.position += rawLength[i];
            g.writeFieldName(JSON_FIELDS[i]);
            g.writeUTF8String(bytes, rawAt[i], rawLength[i]);
        }
        g.writeFieldName(NORMALIZED);
        g.writeStartObject();
        for (int i = 0; i < FIELDS.length; i++) {
            int how = (flags >>> (2 + 2 * i)) & 3;
            g.writeFieldName(JSON_FIELDS[i]);
            if (how == NORMALIZED_STORED) {
                int length = in.varint();
                g.writeUTF8String(bytes, in.position, length);
                in.position += length;
            } else if (how == NORMALIZED_SAME) {
                g.writeUTF8String(bytes, rawAt[i], rawLength[i]);
            } else {
                g.writeNull();
            }
        }
        g.writeEndObject();
        g.writeFieldName(VALID_NAME);
        g.writeBoolean((flags & VALID) != 0);
        g.writeFieldName(ERRORS);
        g.writeStartArray();
        int count = in.varint();
        for (int i = 0; i < count; i++) {
            Kind k = kinds.get(in.varint());
            int related = in.varint();
            int m = in.varint();
            g.writeStartObject();
            g.writeFieldName(FIELD);
            g.writeString(k.field().key());
            g.writeFieldName(CODE);
            g.writeString(k.code());
            g.writeFieldName(SEVERITY);
            g.writeString(k.severity().key());
            g.writeFieldName(MESSAGE);
            if (m == 0) {
                int length = in.varint();
                g.writeUTF8String(bytes, in.position, length);
                in.position += length;
            } else {
                g.writeString(messages.get(m - 1));
            }
            if (related != 0) {
                g.writeFieldName(RELATED_ROW);
                g.writeNumber(unzigzag(related - 1));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    int size() {
        return offsets.size();
    }

    /** Gives back the unused tail of the last block and of the offsets once the upload is complete. */
    void trim() {
        offsets.trim();
        if (block != null && position < block.length) {
            block = Arrays.copyOf(block, position);
            blocks.set(blocks.size() - 1, block);
        }
    }

    /** Bytes held by this store (arena, offsets, tables), approximately. */
    long retainedBytes() {
        long bytes = offsets.retainedBytes();
        for (byte[] b : blocks) {
            bytes += 16L + b.length;
        }
        for (String m : messages) {
            bytes += 64L + 2L * m.length();
        }
        return bytes + 64L * kinds.size();
    }

    private int kindOf(Violation v) {
        Kind k = new Kind(v.field(), v.code(), v.severity());
        Integer i = kindIndex.get(k);
        if (i == null) {
            i = kinds.size();
            kinds.add(k);
            kindIndex.put(k, i);
        }
        return i;
    }

    private Integer messageOf(String message) {
        Integer i = messageIndex.get(message);
        if (i == null && messages.size() < MAX_MESSAGES) {
            i = messages.size();
            messages.add(message);
            messageIndex.put(message, i);
        }
        return i;
    }

    private int place(Scratch s) {
        if (blocks.size() >= MAX_BLOCKS - 1) {
            throw new IllegalStateException("staged upload too large: " + blocks.size() + " blocks");
        }
        if (s.size > MAX_BLOCK) {
            byte[] own = Arrays.copyOf(s.bytes, s.size);
            blocks.add(own);
            block = null;
            position = 0;
            return (blocks.size() - 1) << POSITION_BITS;
        }
        if (block == null || block.length - position < s.size) {
            block = new byte[Math.max(nextBlockSize, s.size)];
            nextBlockSize = Math.min(MAX_BLOCK, nextBlockSize * 2);
            blocks.add(block);
            position = 0;
        }
        System.arraycopy(s.bytes, 0, block, position, s.size);
        int offset = ((blocks.size() - 1) << POSITION_BITS) | position;
        position += s.size;
        return offset;
    }

    private static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    private static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** The bytes of the record being appended. */
    private static final class Scratch {
        private byte[] bytes = new byte[256];
        private int size;

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

        void string(String value) {
            Objects.requireNonNull(value, "value");
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    /** Reads one record's bytes. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
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

        String string() {
            int length = varint();
            String s = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }
    }
}
