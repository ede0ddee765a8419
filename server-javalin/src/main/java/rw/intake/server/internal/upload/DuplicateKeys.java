package rw.intake.server.internal.upload;

import java.util.Arrays;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * The key of each staged record under each duplicate rule ({@link DuplicateGroups#FIELDS}), collected while staging so
 * that the first edit builds the duplicate groups from them without rebuilding a record: 24 bytes a record, dropped
 * once the groups are built. Same publication rule as {@link StagedRecords}.
 */
final class DuplicateKeys {
    private long[][] keys = new long[DuplicateGroups.FIELDS.length][1024];
    private int size;

    void add(ValidatedRecord r) {
        add(
                BatchValidator.duplicateKey(DuplicateGroups.FIELDS[0], r),
                BatchValidator.duplicateKey(DuplicateGroups.FIELDS[1], r),
                BatchValidator.duplicateKey(DuplicateGroups.FIELDS[2], r));
    }

    /** Adds the next record's keys under the rules of {@link DuplicateGroups#FIELDS}, in that order. */
    void add(long nid, long phone, long email) {
        if (size == keys[0].length) {
            for (int k = 0; k < keys.length; k++) {
                keys[k] = Arrays.copyOf(keys[k], size + (size >> 1) + 1);
            }
        }
        keys[0][size] = nid;
        keys[1][size] = phone;
        keys[2][size] = email;
        size++;
    }

    /** The key of record {@code index} under rule {@code k}, or {@link BatchValidator#NO_KEY}. */
    long key(int k, int index) {
        return keys[k][index];
    }

    int size() {
        return size;
    }

    void trim() {
        if (keys[0].length > size + 16) {
            for (int k = 0; k < keys.length; k++) {
                keys[k] = Arrays.copyOf(keys[k], size);
            }
        }
    }

    /** Drops the keys once the groups hold them. */
    void release() {
        keys = new long[DuplicateGroups.FIELDS.length][0];
        size = 0;
    }

    /** Bytes held, approximately. Safe to call from any thread (a metrics gauge): it reads array lengths only. */
    long retainedBytes() {
        long[][] k = keys;
        long[] first = k[0];
        return 16L + k.length * (16L + (first == null ? 0 : 8L * first.length));
    }
}
