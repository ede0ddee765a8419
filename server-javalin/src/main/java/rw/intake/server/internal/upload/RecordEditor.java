package rw.intake.server.internal.upload;

import com.carrotsearch.hppc.LongHashSet;
import com.carrotsearch.hppc.LongIntHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Codes;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * Applies edits to the staged records of one validated upload: the edited record is validated again by the field
 * rules, it leaves the duplicate groups of its old values and joins those of its new ones, and every record of the
 * groups it left or joined (or of its groups, when it is left out or put back) is judged again. A record is a
 * duplicate when a record with the same key on an earlier row is not left out, and names the first such; a record
 * left out takes no part in the duplicate rules: it is no duplicate, and makes no other record one. A record with a
 * NID that a valid record could have ({@link BatchValidator#registrableNid}) is looked up among the registered
 * NIDs each time it is judged, so that a NID another upload's commit registered since is found. Records whose verdict
 * changed are
 * written again and moved in the filter indexes, and the counters follow. Not thread-safe: the upload's write lock
 * guards it.
 */
final class RecordEditor {
    private final RecordValidator validator;
    private final DuplicateGroups groups;

    RecordEditor(RecordValidator validator, DuplicateGroups groups) {
        this.validator = validator;
        this.groups = groups;
    }

    long retainedBytes() {
        return groups.retainedBytes();
    }

    /** The records of an upload, their indexes and counters, as the editor changes them. */
    interface Target {
        StagedRecords records();

        RecordIndex index();

        /** Counts {@code r} in (+1) or out (-1) of the totals. */
        void count(ValidatedRecord r, int sign);
    }

    /**
     * Gives record {@code index} the raw values {@code raw} and the excluded mark {@code exclude}, and judges again
     * what that changes.
     *
     * @return the other records whose verdict changed, by index, with their new verdict
     * @throws RuntimeException from the registered-NID look-up, before anything changed
     */
    NavigableMap<Integer, ValidatedRecord> apply(Target t, int index, RawRecord raw, boolean exclude) {
        StagedRecords records = t.records();
        ValidatedRecord old = records.get(index);
        boolean wasExcluded = records.excluded(index);
        ValidatedRecord checked = validator.validate(raw);
        long[] oldKeys = keys(old);
        long[] newKeys = keys(checked);
        // The edited record first, then every record of the groups it leaves or joins.
        TreeMap<Integer, ValidatedRecord> judged = new TreeMap<>();
        judged.put(index, checked);
        for (int k = 0; k < DuplicateGroups.FIELDS.length; k++) {
            if (oldKeys[k] != newKeys[k]) {
                if (oldKeys[k] != BatchValidator.NO_KEY) {
                    groups.leave(k, oldKeys[k], index);
                    members(k, oldKeys[k], records, judged);
                }
                if (newKeys[k] != BatchValidator.NO_KEY) {
                    groups.join(k, newKeys[k], index);
                    members(k, newKeys[k], records, judged);
                }
            } else if (exclude != wasExcluded && newKeys[k] != BatchValidator.NO_KEY) {
                members(k, newKeys[k], records, judged);
            }
        }
        records.excluded(index, exclude);
        try {
            judge(records, judged);
        } catch (RuntimeException ex) {
            records.excluded(index, wasExcluded);
            for (int k = 0; k < DuplicateGroups.FIELDS.length; k++) {
                if (oldKeys[k] != newKeys[k]) {
                    if (newKeys[k] != BatchValidator.NO_KEY) {
                        groups.leave(k, newKeys[k], index);
                    }
                    if (oldKeys[k] != BatchValidator.NO_KEY) {
                        groups.join(k, oldKeys[k], index);
                    }
                }
            }
            throw ex;
        }
        TreeMap<Integer, ValidatedRecord> changed = new TreeMap<>();
        for (var e : judged.entrySet()) {
            int i = e.getKey();
            boolean leftOutBefore = i == index ? wasExcluded : records.excluded(i);
            if (write(t, i, i == index ? old : records.get(i), leftOutBefore, e.getValue()) && i != index) {
                changed.put(i, e.getValue());
            }
        }
        return changed;
    }

    /**
     * Leaves the records at {@code indexes} (ascending, none left out) out of the commit, or puts them back (all left
     * out) when {@code exclude} is false, at once: each duplicate group they belong to is judged again once, however
     * many of them it holds, so that leaving out thousands of records that share a value costs that group once, not
     * once a record.
     *
     * @throws RuntimeException from the registered-NID look-up, before anything changed
     */
    void mark(Target t, int[] indexes, boolean exclude) {
        StagedRecords records = t.records();
        TreeMap<Integer, ValidatedRecord> judged = new TreeMap<>();
        LongHashSet[] seen = new LongHashSet[DuplicateGroups.FIELDS.length];
        for (int k = 0; k < seen.length; k++) {
            seen[k] = new LongHashSet();
        }
        for (int i : indexes) {
            ValidatedRecord r = records.get(i);
            judged.putIfAbsent(i, validator.validate(r.raw()));
            long[] keys = keys(r);
            for (int k = 0; k < keys.length; k++) {
                if (keys[k] != BatchValidator.NO_KEY && seen[k].add(keys[k])) {
                    members(k, keys[k], records, judged);
                }
            }
        }
        for (int i : indexes) {
            records.excluded(i, exclude);
        }
        try {
            judge(records, judged);
        } catch (RuntimeException ex) {
            for (int i : indexes) {
                records.excluded(i, !exclude);
            }
            throw ex;
        }
        for (var e : judged.entrySet()) {
            int i = e.getKey();
            boolean leftOut = records.excluded(i);
            boolean marked = Arrays.binarySearch(indexes, i) >= 0;
            write(t, i, records.get(i), marked ? !leftOut : leftOut, e.getValue());
        }
    }

    /**
     * Stages record {@code i}'s new verdict {@code after} in place of {@code before}, moving it in the indexes (those of
     * left-out records by {@code leftOutBefore} and its mark now) and the counters; whether its verdict changed.
     */
    private static boolean write(
            Target t, int i, ValidatedRecord before, boolean leftOutBefore, ValidatedRecord after) {
        StagedRecords records = t.records();
        boolean leftOut = records.excluded(i);
        if (!after.equals(before)) {
            t.index().remove(i, before, leftOutBefore);
            t.count(before, -1);
            records.replace(i, after);
            t.index().insert(i, after, leftOut);
            t.count(after, 1);
            return true;
        }
        if (leftOut != leftOutBefore) {
            t.index().exclude(i, after, leftOut);
        }
        return false;
    }

    /** The keys of the record under each duplicate rule. */
    private static long[] keys(ValidatedRecord r) {
        long[] keys = new long[DuplicateGroups.FIELDS.length];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = BatchValidator.duplicateKey(DuplicateGroups.FIELDS[k], r);
        }
        return keys;
    }

    /** Adds the records of a group, validated again by the field rules, to those to judge. */
    private void members(int k, long key, StagedRecords records, NavigableMap<Integer, ValidatedRecord> judged) {
        for (int i = groups.first(k, key); i >= 0; i = groups.next(k, i)) {
            if (!judged.containsKey(i)) {
                judged.put(i, validator.validate(records.get(i).raw()));
            }
        }
    }

    /**
     * Replaces each field-checked record in {@code judged} by its full verdict: duplicates from the groups, then the
     * registered NIDs, by one look-up for all of them.
     */
    private void judge(StagedRecords records, NavigableMap<Integer, ValidatedRecord> judged) {
        List<String> nids = new ArrayList<>();
        LongIntHashMap[] firsts = new LongIntHashMap[DuplicateGroups.FIELDS.length];
        for (int k = 0; k < firsts.length; k++) {
            firsts[k] = new LongIntHashMap();
        }
        for (var e : judged.entrySet()) {
            int i = e.getKey();
            ValidatedRecord checked = e.getValue();
            ValidatedRecord v = records.excluded(i) ? checked : withDuplicates(records, i, checked, firsts);
            e.setValue(v);
            String nid = BatchValidator.registrableNid(v);
            if (nid != null) {
                nids.add(nid);
            }
        }
        if (nids.isEmpty()) {
            return;
        }
        Set<String> found = validator.registeredNids().registeredAmong(nids);
        if (found.isEmpty()) {
            return;
        }
        for (var e : judged.entrySet()) {
            ValidatedRecord v = e.getValue();
            String nid = BatchValidator.registrableNid(v);
            if (nid != null && found.contains(nid)) {
                e.setValue(BatchValidator.alreadyRegistered(v));
            }
        }
    }

    /**
     * The field-checked record {@code i} with the duplicate rules applied, as if it was not left out; {@code known}
     * (per rule, null for none) keeps the first record included of each group met, for records judged together.
     */
    private ValidatedRecord withDuplicates(
            StagedRecords records, int i, ValidatedRecord checked, LongIntHashMap[] known) {
        int[] firstRows = new int[DuplicateGroups.FIELDS.length];
        for (int k = 0; k < firstRows.length; k++) {
            long key = BatchValidator.duplicateKey(DuplicateGroups.FIELDS[k], checked);
            int first;
            if (key == BatchValidator.NO_KEY) {
                first = -1;
            } else if (known != null && known[k].containsKey(key)) {
                first = known[k].get(key);
            } else {
                first = groups.firstIncluded(k, key, records);
                if (known != null) {
                    known[k].put(key, first);
                }
            }
            firstRows[k] = first < 0 || first >= i ? 0 : records.row(first);
        }
        return BatchValidator.withDuplicates(checked, firstRows[0], firstRows[1], firstRows[2]);
    }

    /**
     * The verdict record {@code i}, left out, would have if it was put back (what a filter that puts records back
     * matches): its own verdict with the duplicate rules applied. Changes nothing.
     */
    ValidatedRecord asPutBack(StagedRecords records, int i) {
        ValidatedRecord staged = records.get(i);
        ValidatedRecord v = withDuplicates(records, i, validator.validate(staged.raw()), null);
        return staged.has(Codes.NID_ALREADY_REGISTERED) ? BatchValidator.alreadyRegistered(v) : v;
    }
}
