package rw.intake.validation.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several {@link DigitAutomaton}s run at once over digit strings of one length: a layered automaton whose states
 * are the tuples of the parts' states, so one walk (one array read per digit) answers which parts match, as a bit
 * mask (bit {@code i} for part {@code i}). Built at start-up; {@link #of} answers {@code null} when the tuples
 * would be too many. Immutable.
 */
final class DigitProduct {

    private static final int MAX_STATES = 20_000;
    /** State 0 is dead (every part has failed): it stays dead and matches nothing. State 1 is the start. */
    private static final int DEAD = 0;

    private final int length;
    /** {@code next[state * 10 + digit]}. */
    private final int[] next;
    /** For each state after exactly {@link #length} digits, the parts that accept; 0 elsewhere. */
    private final int[] masks;

    private DigitProduct(int length, int[] next, int[] masks) {
        this.length = length;
        this.next = next;
        this.masks = masks;
    }

    /**
     * The product of {@code parts} (at most 31) for strings of {@code length} digits, or {@code null} when it
     * would have more than {@link #MAX_STATES} states.
     */
    static DigitProduct of(DigitAutomaton[] parts, int length) {
        if (parts.length > 31) {
            throw new IllegalArgumentException("at most 31 parts: " + parts.length);
        }
        List<int[]> tuples = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        Map<List<Integer>, Integer> ids = new HashMap<>();
        tuples.add(null);
        depths.add(-1);
        int[] start = new int[parts.length];
        tuples.add(start);
        depths.add(0);
        List<int[]> rows = new ArrayList<>();
        rows.add(new int[10]);
        for (int id = 1; id < tuples.size(); id++) {
            if (tuples.size() > MAX_STATES) {
                return null;
            }
            int[] tuple = tuples.get(id);
            int depth = depths.get(id);
            int[] row = new int[10];
            rows.add(row);
            if (depth == length) {
                continue;
            }
            for (int d = 0; d < 10; d++) {
                int[] moved = new int[parts.length];
                boolean alive = false;
                for (int p = 0; p < parts.length; p++) {
                    moved[p] = tuple[p] < 0 ? -1 : parts[p].step(tuple[p], d);
                    alive |= moved[p] >= 0;
                }
                if (!alive) {
                    row[d] = DEAD;
                    continue;
                }
                List<Integer> key = new ArrayList<>(parts.length + 1);
                key.add(depth + 1);
                for (int s : moved) {
                    key.add(s);
                }
                Integer known = ids.get(key);
                if (known == null) {
                    known = tuples.size();
                    ids.put(key, known);
                    tuples.add(moved);
                    depths.add(depth + 1);
                }
                row[d] = known;
            }
        }
        int[] next = new int[rows.size() * 10];
        int[] masks = new int[rows.size()];
        for (int id = 1; id < rows.size(); id++) {
            System.arraycopy(rows.get(id), 0, next, id * 10, 10);
            if (depths.get(id) == length) {
                int[] tuple = tuples.get(id);
                for (int p = 0; p < parts.length; p++) {
                    if (tuple[p] >= 0 && parts[p].accepts(tuple[p])) {
                        masks[id] |= 1 << p;
                    }
                }
            }
        }
        return new DigitProduct(length, next, masks);
    }

    /** Number of states, for tests. */
    int states() {
        return masks.length;
    }

    /** The parts that match {@code s[from, to)} (bit {@code i} for part {@code i}); 0 unless it is {@link #length} ASCII digits. */
    int matches(String s, int from, int to) {
        if (to - from != length) {
            return 0;
        }
        int state = 1;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return 0;
            }
            state = next[state * 10 + d];
        }
        return masks[state];
    }

    @Override
    public String toString() {
        return "DigitProduct[length=" + length + ", states=" + masks.length + ", masks="
                + Arrays.stream(masks).distinct().count() + "]";
    }
}
