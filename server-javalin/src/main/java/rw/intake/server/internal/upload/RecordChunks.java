package rw.intake.server.internal.upload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * The binary form of a run of {@link #SIZE} staged records, as the redis staging store keeps them: a version byte,
 * then each record (row, flags, the five raw cells, the normalized values that differ from them, the violations)
 * with its excluded and edited marks. Codes and messages are written once per chunk and referred to after. A reader
 * refuses a chunk of another version, so a rolling upgrade tells old chunks from new.
 */
final class RecordChunks {
    /** Records a chunk holds (the last one of an upload fewer). */
    static final int SIZE = 4096;

    static final byte VERSION = 1;
    private static final Field[] FIELDS = Field.values();
    private static final Severity[] SEVERITIES = Severity.values();
    private static final int NID_NUMERIC = 1;
    private static final int PHONE_NUMERIC = 2;
    private static final int EXCLUDED = 4;
    private static final int EDITED = 8;
    private static final int VALID = 16;

    private RecordChunks() {}

    /** One record read back, with its marks. */
    record Entry(ValidatedRecord record, boolean excluded, boolean edited) {}

    /** The chunk of the records {@code from} (inclusive) to {@code to} (exclusive). */
    static byte[] encode(StagedRecords records, int from, int to) {
        Out out = new Out();
        out.bytes.write(VERSION);
        out.varint(to - from);
        for (int i = from; i < to; i++) {
            ValidatedRecord r = records.get(i);
            RawRecord raw = r.raw();
            out.varint(raw.row());
            int flags = (raw.nidNumeric() ? NID_NUMERIC : 0)
                    | (raw.phoneNumeric() ? PHONE_NUMERIC : 0)
                    | (records.excluded(i) ? EXCLUDED : 0)
                    | (records.edited(i) ? EDITED : 0)
                    | (r.valid() ? VALID : 0);
            out.bytes.write(flags);
            for (Field f : FIELDS) {
                out.string(raw.value(f));
            }
            for (Field f : FIELDS) {
                String n = r.normalized().value(f);
                if (n == null) {
                    out.bytes.write(0);
                } else if (n.equals(raw.value(f))) {
                    out.bytes.write(1);
                } else {
                    out.bytes.write(2);
                    out.string(n);
                }
            }
            out.varint(r.violations().size());
            for (Violation v : r.violations()) {
                out.bytes.write(v.field().ordinal());
                out.bytes.write(v.severity().ordinal());
                out.shared(v.code());
                out.shared(v.message());
                out.varint(v.relatedRow() == null ? 0 : ((v.relatedRow() << 1) ^ (v.relatedRow() >> 31)) + 1);
            }
        }
        return out.bytes.toByteArray();
    }

    /**
     * The records of a chunk.
     *
     * @throws IllegalStateException for a chunk of another version
     */
    static List<Entry> decode(byte[] chunk) {
        In in = new In(chunk);
        int version = in.next();
        if (version != VERSION) {
            throw new IllegalStateException("staged chunk of version " + version + ", this server reads " + VERSION);
        }
        int count = in.varint();
        List<Entry> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            int row = in.varint();
            int flags = in.next();
            String[] raw = new String[FIELDS.length];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = in.string();
            }
            String[] norm = new String[FIELDS.length];
            for (int i = 0; i < norm.length; i++) {
                int how = in.next();
                norm[i] = how == 0 ? null : how == 1 ? raw[i] : in.string();
            }
            int violations = in.varint();
            List<Violation> vs = new ArrayList<>(violations);
            for (int i = 0; i < violations; i++) {
                Field field = FIELDS[in.next()];
                Severity severity = SEVERITIES[in.next()];
                String code = in.shared();
                String message = in.shared();
                int related = in.varint();
                vs.add(new Violation(
                        field,
                        code,
                        severity,
                        message,
                        related == 0 ? null : ((related - 1) >>> 1) ^ -((related - 1) & 1)));
            }
            RawRecord rr = new RawRecord(
                    row,
                    raw[0],
                    raw[1],
                    raw[2],
                    raw[3],
                    raw[4],
                    (flags & NID_NUMERIC) != 0,
                    (flags & PHONE_NUMERIC) != 0);
            ValidatedRecord v = new ValidatedRecord(
                    rr, new Normalized(norm[0], norm[1], norm[2], norm[3], norm[4]), vs, (flags & VALID) != 0);
            out.add(new Entry(v, (flags & EXCLUDED) != 0, (flags & EDITED) != 0));
        }
        return out;
    }

    private static final class Out {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * SIZE);
        final Map<String, Integer> table = new HashMap<>();

        void varint(int value) {
            int v = value;
            while ((v & ~0x7F) != 0) {
                bytes.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes.write(v);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            bytes.write(b, 0, b.length);
        }

        /** A code or message: a reference to its first writing in the chunk (0: new, written here). */
        void shared(String s) {
            Integer ref = table.get(s);
            if (ref != null) {
                varint(ref + 1);
                return;
            }
            table.put(s, table.size());
            varint(0);
            string(s);
        }
    }

    /** A chunk's reader, with the codes and messages read so far. */
    private static final class In {
        final StagedRecords.Reader reader;
        final List<String> table = new ArrayList<>();

        In(byte[] bytes) {
            reader = new StagedRecords.Reader(bytes, 0);
        }

        byte next() {
            return reader.next();
        }

        int varint() {
            return reader.varint();
        }

        String string() {
            return reader.string();
        }

        String shared() {
            int ref = varint();
            if (ref > 0) {
                return table.get(ref - 1);
            }
            String s = string();
            table.add(s);
            return s;
        }
    }
}
