package rw.intake.server.internal.upload;

import com.carrotsearch.hppc.LongIntHashMap;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;

/**
 * For each duplicate rule (NID, phone, email) of an upload being edited: which records share each key, in row order
 * (those left out of the commit too: they are judged against the others, though none is judged against them). A key
 * maps to the first record of its group; each record links to the next of its group. Finding,
 * joining or leaving a group walks that group only, so an edit costs the rows that share its old or new values.
 * Built from the keys collected while staging ({@link DuplicateKeys}) at the first edit of an upload, outside the
 * upload's lock; some 4 bytes a record and 16 bytes a distinct key per rule (about 60 MB for 1,000,000 records of
 * distinct values). Not thread-safe: the upload's write lock guards it once built.
 */
final class DuplicateGroups {
    /** The fields of the duplicate rules, in the order of {@link #heads}. */
    static final Field[] FIELDS = {Field.NID, Field.PHONE_NUMBER, Field.EMAIL};

    private static final int NONE = -1;

    private final LongIntHashMap[] heads = new LongIntHashMap[FIELDS.length];
    private final int[][] next = new int[FIELDS.length][];

    private DuplicateGroups() {}

    /** The groups of the staged records, from their keys collected while staging. */
    static DuplicateGroups build(DuplicateKeys keys) {
        DuplicateGroups g = new DuplicateGroups();
        int n = keys.size();
        for (int k = 0; k < FIELDS.length; k++) {
            int[] next = new int[n];
            LongIntHashMap heads = new LongIntHashMap(n);
            // From the last record back, so that each becomes the head of its group and links to the former head.
            for (int i = n - 1; i >= 0; i--) {
                long key = keys.key(k, i);
                if (key == BatchValidator.NO_KEY) {
                    next[i] = NONE;
                } else {
                    int slot = heads.indexOf(key);
                    if (heads.indexExists(slot)) {
                        next[i] = heads.indexGet(slot);
                        heads.indexReplace(slot, i);
                    } else {
                        next[i] = NONE;
                        heads.indexInsert(slot, key, i);
                    }
                }
            }
            g.heads[k] = heads;
            g.next[k] = next;
        }
        return g;
    }

    /** The first record of the group of {@code key} under rule {@code k}, or -1. */
    int first(int k, long key) {
        return heads[k].getOrDefault(key, NONE);
    }

    /** The first record of the group of {@code key} under rule {@code k} that is not left out of the commit, or -1. */
    int firstIncluded(int k, long key, StagedRecords records) {
        int i = first(k, key);
        while (i != NONE && records.excluded(i)) {
            i = next[k][i];
        }
        return i;
    }

    /** The record after {@code index} in its group under rule {@code k}, or -1. */
    int next(int k, int index) {
        return next[k][index];
    }

    /** Puts record {@code index} into the group of {@code key}, in row order. */
    void join(int k, long key, int index) {
        int head = first(k, key);
        if (head == NONE || head > index) {
            next[k][index] = head;
            heads[k].put(key, index);
            return;
        }
        int prev = head;
        while (next[k][prev] != NONE && next[k][prev] < index) {
            prev = next[k][prev];
        }
        if (next[k][prev] == index || prev == index) {
            return;
        }
        next[k][index] = next[k][prev];
        next[k][prev] = index;
    }

    /** Takes record {@code index} out of the group of {@code key}. */
    void leave(int k, long key, int index) {
        int head = first(k, key);
        if (head == index) {
            if (next[k][index] == NONE) {
                heads[k].remove(key);
            } else {
                heads[k].put(key, next[k][index]);
            }
        } else if (head != NONE) {
            int prev = head;
            while (next[k][prev] != NONE && next[k][prev] != index) {
                prev = next[k][prev];
            }
            if (next[k][prev] == index) {
                next[k][prev] = next[k][index];
            }
        }
        next[k][index] = NONE;
    }

    /** Heap held, approximately. */
    long retainedBytes() {
        long bytes = 0;
        for (int k = 0; k < FIELDS.length; k++) {
            bytes += 16L + 4L * next[k].length + heads[k].ramBytesAllocated();
        }
        return bytes;
    }
}
