package rw.intake.server.internal.upload;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * The record indexes of every filter combination a page can ask for (status x field, status x code), kept while
 * validating so that a filtered page costs its own size, not the upload's. Same publication rule as
 * {@link StagedRecords}. Lists are found by array slot (status, field) or by one map look-up per code, with no key
 * built per record.
 */
final class RecordIndex {
    private static final IntList EMPTY = new IntList(0);
    private static final Field[] FIELDS = Field.values();
    private static final int ALL = 0;
    private static final int VALID = 1;
    private static final int INVALID = 2;
    /** The records left out of the commit (valid or not), which are in the other lists too. */
    private static final int EXCLUDED = 3;

    private static final String[] STATUSES = {"all", "valid", "invalid", "excluded"};

    /**
     * Per field: the lists for all, valid, invalid and left-out records with a violation on it (null until one is
     * seen).
     */
    private final IntList[][] byField = new IntList[FIELDS.length][STATUSES.length];
    /** Per code: the lists for all, valid, invalid and left-out records with it, and the code's field. */
    private final Map<String, CodeLists> byCode = new HashMap<>();
    /**
     * The values of {@link #byCode}, published again whole when a code is added (a few dozen times an upload), for
     * {@link #retainedBytes()}, which a metrics scrape calls from any thread while records are added.
     */
    private volatile CodeLists[] codes = new CodeLists[0];

    private final IntList valid = new IntList(1024);
    private final IntList invalid = new IntList(256);
    private final IntList excluded = new IntList(16);
    /** The lists an edit changed since {@link #takeChanged}, as the filters they serve (a shared store's). */
    private final Set<RecordFilter> changed = new HashSet<>();

    private int size;

    private static final class CodeLists {
        final Field field;
        final IntList[] lists = new IntList[STATUSES.length];

        CodeLists(Field field) {
            this.field = field;
        }
    }

    /** Adds the record at {@code index}, the next one, not left out (validating). */
    void add(int index, ValidatedRecord r) {
        lists(r, l -> l.addOnce(index));
        size = index + 1;
    }

    /** Takes the record at {@code index}, as {@code r} was indexed, left out or not, out of its lists (editing). */
    void remove(int index, ValidatedRecord r, boolean leftOut) {
        lists(r, l -> l.removeSorted(index));
        changed(r);
        if (leftOut) {
            exclude(index, r, false);
        }
    }

    /** Puts the record at {@code index}, as {@code r} now is, left out or not, into its lists in row order (editing). */
    void insert(int index, ValidatedRecord r, boolean leftOut) {
        lists(r, l -> l.insertSorted(index));
        changed(r);
        if (leftOut) {
            exclude(index, r, true);
        }
    }

    /** Puts the record at {@code index}, indexed as {@code r}, into the lists of left-out records, or takes it out. */
    void exclude(int index, ValidatedRecord r, boolean in) {
        Consumer<IntList> action = in ? l -> l.insertSorted(index) : l -> l.removeSorted(index);
        action.accept(excluded);
        changed.add(new RecordFilter(STATUSES[EXCLUDED], null, null));
        for (Violation v : r.violations()) {
            action.accept(list(byField[v.field().ordinal()], EXCLUDED));
            action.accept(list(codeLists(v).lists, EXCLUDED));
            changed.add(new RecordFilter(STATUSES[EXCLUDED], v.field(), null));
            changed.add(new RecordFilter(STATUSES[EXCLUDED], null, v.code()));
        }
    }

    /** Notes the lists of {@code r} as changed, by the filters they serve. */
    private void changed(ValidatedRecord r) {
        String status = r.valid() ? "valid" : "invalid";
        changed.add(new RecordFilter(status, null, null));
        for (Violation v : r.violations()) {
            changed.add(new RecordFilter("all", v.field(), null));
            changed.add(new RecordFilter(status, v.field(), null));
            changed.add(new RecordFilter("all", null, v.code()));
            changed.add(new RecordFilter(status, null, v.code()));
        }
    }

    /** The lists edits changed since the last call, as the filters they serve; forgets them. */
    Set<RecordFilter> takeChanged() {
        Set<RecordFilter> out = Set.copyOf(changed);
        changed.clear();
        return out;
    }

    /** What {@link #forEach} gives: a list, the filter it serves and, for a code's list, the code's field. */
    interface ListVisitor {
        void list(RecordFilter filter, Field codeField, IntList list);
    }

    /**
     * Every list there is: by status (valid, invalid, left out), by status and field, by status and code; a filter
     * with no field or code and status {@code all} has none (every record).
     */
    void forEach(ListVisitor visitor) {
        visitor.list(new RecordFilter("valid", null, null), null, valid);
        visitor.list(new RecordFilter("invalid", null, null), null, invalid);
        visitor.list(new RecordFilter(STATUSES[EXCLUDED], null, null), null, excluded);
        for (Field f : FIELDS) {
            for (int status = ALL; status <= EXCLUDED; status++) {
                IntList l = byField[f.ordinal()][status];
                if (l != null) {
                    visitor.list(new RecordFilter(STATUSES[status], f, null), null, l);
                }
            }
        }
        for (Map.Entry<String, CodeLists> e : byCode.entrySet()) {
            for (int status = ALL; status <= EXCLUDED; status++) {
                IntList l = e.getValue().lists[status];
                if (l != null) {
                    visitor.list(new RecordFilter(STATUSES[status], null, e.getKey()), e.getValue().field, l);
                }
            }
        }
    }

    /**
     * The list that serves {@code filter}, one of those {@link #forEach} gives (a status, a field or a code with a
     * status; an empty list if there is none), and the code's field.
     */
    void visit(RecordFilter filter, ListVisitor visitor) {
        CodeLists code = filter.code() == null ? null : byCode.get(filter.code());
        IntList l = lookup(filter);
        visitor.list(filter, code == null ? null : code.field, l == null ? EMPTY : l);
    }

    /** Each list the record belongs in: by its status, and per violation by field and code (a list may come twice). */
    private void lists(ValidatedRecord r, Consumer<IntList> action) {
        int status = r.valid() ? VALID : INVALID;
        action.accept(r.valid() ? valid : invalid);
        for (Violation v : r.violations()) {
            IntList[] fieldLists = byField[v.field().ordinal()];
            action.accept(list(fieldLists, ALL));
            action.accept(list(fieldLists, status));
            CodeLists code = codeLists(v);
            action.accept(list(code.lists, ALL));
            action.accept(list(code.lists, status));
        }
    }

    /** The lists of the violation's code, made when the code is first seen. */
    private CodeLists codeLists(Violation v) {
        CodeLists code = byCode.get(v.code());
        if (code == null) {
            code = new CodeLists(v.field());
            byCode.put(v.code(), code);
            CodeLists[] known = codes;
            CodeLists[] more = Arrays.copyOf(known, known.length + 1);
            more[more.length - 1] = code;
            codes = more;
        }
        return code;
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
        excluded.trim();
        for (IntList[] lists : byField) {
            trim(lists);
        }
        for (CodeLists c : byCode.values()) {
            trim(c.lists);
        }
    }

    /**
     * Bytes held by the lists, approximately. Safe to call from any thread at any time (a metrics gauge): it reads
     * array slots and lengths, never the map being added to.
     */
    long retainedBytes() {
        long bytes = valid.retainedBytes() + invalid.retainedBytes() + excluded.retainedBytes();
        for (IntList[] lists : byField) {
            bytes += retainedBytes(lists);
        }
        for (CodeLists c : codes) {
            bytes += 64 + retainedBytes(c.lists);
        }
        return bytes;
    }

    private IntList lookup(RecordFilter filter) {
        int status = slot(filter.status());
        if (filter.code() != null) {
            CodeLists code = byCode.get(filter.code());
            // a code belongs to one field: records with the code on that field are the code's list, or none
            if (code == null || (filter.field() != null && code.field != filter.field())) {
                return EMPTY;
            }
            return orEmpty(code.lists[status]);
        }
        if (filter.field() != null) {
            return orEmpty(byField[filter.field().ordinal()][status]);
        }
        return switch (status) {
            case VALID -> valid;
            case INVALID -> invalid;
            case EXCLUDED -> excluded;
            default -> null;
        };
    }

    private static int slot(String status) {
        return switch (status) {
            case "valid" -> VALID;
            case "invalid" -> INVALID;
            case "excluded" -> EXCLUDED;
            default -> ALL;
        };
    }

    private static IntList orEmpty(IntList l) {
        return l == null ? EMPTY : l;
    }

    private static IntList list(IntList[] lists, int status) {
        IntList l = lists[status];
        if (l == null) {
            l = new IntList(16);
            lists[status] = l;
        }
        return l;
    }

    private static void trim(IntList[] lists) {
        for (IntList l : lists) {
            if (l != null) {
                l.trim();
            }
        }
    }

    private static long retainedBytes(IntList[] lists) {
        long bytes = 0;
        for (IntList l : lists) {
            if (l != null) {
                bytes += 64 + l.retainedBytes();
            }
        }
        return bytes;
    }
}
