package rw.intake.server.upload;

import java.util.HashMap;
import java.util.Map;
import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * The record indexes of every filter combination a page can ask for (status x field, status x code), kept while
 * validating so that a filtered page costs its own size, not the upload's. Same publication rule as
 * {@link StagedRecords}.
 */
final class RecordIndex {
    private static final IntList EMPTY = new IntList(0);

    private final Map<String, IntList> lists = new HashMap<>();
    private final Map<String, Field> codeFields = new HashMap<>();
    private final IntList valid = new IntList(1024);
    private final IntList invalid = new IntList(256);
    private int size;

    void add(int index, ValidatedRecord r) {
        String status = r.valid() ? "valid" : "invalid";
        (r.valid() ? valid : invalid).add(index);
        for (Violation v : r.violations()) {
            String field = "f:" + v.field().key();
            String code = "c:" + v.code();
            list("all", field).addOnce(index);
            list(status, field).addOnce(index);
            list("all", code).addOnce(index);
            list(status, code).addOnce(index);
            codeFields.putIfAbsent(v.code(), v.field());
        }
        size = index + 1;
    }

    /** How many records match, and the record index of the n-th match. */
    int count(RecordFilter filter) {
        IntList l = lookup(filter);
        return l == null ? size : l.size();
    }

    int recordAt(RecordFilter filter, int n) {
        IntList l = lookup(filter);
        return l == null ? n : l.get(n);
    }

    void trim() {
        valid.trim();
        invalid.trim();
        lists.values().forEach(IntList::trim);
    }

    long retainedBytes() {
        long bytes = valid.retainedBytes() + invalid.retainedBytes();
        for (IntList l : lists.values()) {
            bytes += 64 + l.retainedBytes();
        }
        return bytes;
    }

    private IntList lookup(RecordFilter filter) {
        if (filter.field() != null && filter.code() != null) {
            // a code belongs to one field: records with the code on that field are the code's list, or none
            if (codeFields.get(filter.code()) != filter.field()) {
                return EMPTY;
            }
            return orEmpty(lists.get(key(filter.status(), "c:" + filter.code())));
        }
        if (filter.code() != null) {
            return orEmpty(lists.get(key(filter.status(), "c:" + filter.code())));
        }
        if (filter.field() != null) {
            return orEmpty(lists.get(key(filter.status(), "f:" + filter.field().key())));
        }
        return switch (filter.status()) {
            case "valid" -> valid;
            case "invalid" -> invalid;
            default -> null;
        };
    }

    private static IntList orEmpty(IntList l) {
        return l == null ? EMPTY : l;
    }

    private IntList list(String status, String filter) {
        return lists.computeIfAbsent(key(status, filter), k -> new IntList(16));
    }

    private static String key(String status, String filter) {
        return status + "|" + filter;
    }
}
