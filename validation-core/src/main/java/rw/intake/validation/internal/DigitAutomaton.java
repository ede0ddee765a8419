package rw.intake.validation.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over the ASCII digits, compiled at start-up from a libphonenumber national number
 * pattern, matching exactly what {@code Pattern.compile(regex).matcher(s).matches()} matches on digit strings, at
 * the cost of one array read per digit. Supports the syntax the metadata uses: digits, {@code \d}, classes of
 * digits and ranges, {@code (?:...)}, {@code |}, {@code ?}, {@code {n}}, {@code {n,m}}; anything else makes
 * {@link #compile} answer {@code null} so the caller falls back to {@link java.util.regex.Pattern}. Immutable.
 */
final class DigitAutomaton {

    /** Matches nothing: the empty pattern of a number type a region does not have. */
    static final DigitAutomaton NOTHING =
            new DigitAutomaton(new int[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, new boolean[] {false});

    private static final int MAX_STATES = 20_000;

    /** {@code next[state * 10 + digit]}: the next state, -1 for none. State 0 is the start. */
    private final int[] next;

    private final boolean[] accepting;

    private DigitAutomaton(int[] next, boolean[] accepting) {
        this.next = next;
        this.accepting = accepting;
    }

    /** The automaton of this pattern, or {@code null} if it uses syntax outside the supported subset. */
    static DigitAutomaton compile(String regex) {
        Nfa nfa = new Nfa();
        Parser p = new Parser(regex, nfa);
        int[] fragment = p.alternation();
        if (fragment == null || p.pos != regex.length()) {
            return null;
        }
        nfa.accept = fragment[1];
        return determinize(nfa, fragment[0]);
    }

    /** Number of states, for tests. */
    int states() {
        return accepting.length;
    }

    /** The state after {@code digit} from {@code state}, -1 for none. */
    int step(int state, int digit) {
        return next[state * 10 + digit];
    }

    /** Whether {@code state} accepts. */
    boolean accepts(int state) {
        return accepting[state];
    }

    /** Whether {@code s[from, to)} is all ASCII digits and matches. */
    boolean matches(CharSequence s, int from, int to) {
        int state = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            state = next[state * 10 + d];
            if (state < 0) {
                return false;
            }
        }
        return accepting[state];
    }

    private static DigitAutomaton determinize(Nfa nfa, int start) {
        Map<BitSet, Integer> ids = new HashMap<>();
        List<BitSet> sets = new ArrayList<>();
        BitSet first = nfa.closure(singleton(start));
        ids.put(first, 0);
        sets.add(first);
        List<int[]> rows = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            if (sets.size() > MAX_STATES) {
                return null;
            }
            BitSet set = sets.get(i);
            int[] row = new int[10];
            for (int d = 0; d < 10; d++) {
                BitSet moved = new BitSet();
                for (int s = set.nextSetBit(0); s >= 0; s = set.nextSetBit(s + 1)) {
                    if (nfa.target.get(s) >= 0 && (nfa.digits.get(s) & (1 << d)) != 0) {
                        moved.set(nfa.target.get(s));
                    }
                }
                if (moved.isEmpty()) {
                    row[d] = -1;
                    continue;
                }
                BitSet closed = nfa.closure(moved);
                Integer id = ids.get(closed);
                if (id == null) {
                    id = sets.size();
                    ids.put(closed, id);
                    sets.add(closed);
                }
                row[d] = id;
            }
            rows.add(row);
        }
        int[] next = new int[rows.size() * 10];
        boolean[] accepting = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, next, i * 10, 10);
            accepting[i] = sets.get(i).get(nfa.accept);
        }
        return new DigitAutomaton(next, accepting);
    }

    private static BitSet singleton(int s) {
        BitSet b = new BitSet();
        b.set(s);
        return b;
    }

    /** Thompson NFA: each state has at most one digit-class edge and any number of empty edges. */
    private static final class Nfa {
        final List<Integer> digits = new ArrayList<>();
        final List<Integer> target = new ArrayList<>();
        final List<List<Integer>> empty = new ArrayList<>();
        int accept;

        int state() {
            digits.add(0);
            target.add(-1);
            empty.add(new ArrayList<>(2));
            return digits.size() - 1;
        }

        void epsilon(int from, int to) {
            empty.get(from).add(to);
        }

        BitSet closure(BitSet states) {
            BitSet out = (BitSet) states.clone();
            List<Integer> work = new ArrayList<>();
            states.stream().forEach(work::add);
            while (!work.isEmpty()) {
                int s = work.remove(work.size() - 1);
                for (int t : empty.get(s)) {
                    if (!out.get(t)) {
                        out.set(t);
                        work.add(t);
                    }
                }
            }
            return out;
        }
    }

    /** Recursive descent over the pattern; each method returns a fragment {start, end} or null if unsupported. */
    private static final class Parser {
        final String re;
        final Nfa nfa;
        int pos;

        Parser(String re, Nfa nfa) {
            this.re = re;
            this.nfa = nfa;
        }

        int[] alternation() {
            int[] first = sequence();
            if (first == null || pos >= re.length() || re.charAt(pos) != '|') {
                return first;
            }
            int start = nfa.state();
            int end = nfa.state();
            join(start, first, end);
            while (pos < re.length() && re.charAt(pos) == '|') {
                pos++;
                int[] next = sequence();
                if (next == null) {
                    return null;
                }
                join(start, next, end);
            }
            return new int[] {start, end};
        }

        private void join(int start, int[] fragment, int end) {
            nfa.epsilon(start, fragment[0]);
            nfa.epsilon(fragment[1], end);
        }

        int[] sequence() {
            int start = nfa.state();
            int end = start;
            while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
                int[] q = quantified();
                if (q == null) {
                    return null;
                }
                nfa.epsilon(end, q[0]);
                end = q[1];
            }
            return new int[] {start, end};
        }

        /** An atom and its quantifier; the atom is parsed again for each copy a count asks for. */
        int[] quantified() {
            int atomAt = pos;
            int[] atom = atom();
            if (atom == null) {
                return null;
            }
            int atomEnd = pos;
            if (pos >= re.length()) {
                return atom;
            }
            char c = re.charAt(pos);
            int min;
            int max;
            if (c == '?') {
                pos++;
                min = 0;
                max = 1;
            } else if (c == '{') {
                int close = re.indexOf('}', pos);
                if (close < 0) {
                    return null;
                }
                String[] bounds = re.substring(pos + 1, close).split(",", -1);
                if (bounds.length > 2 || !isNumber(bounds[0]) || (bounds.length == 2 && !isNumber(bounds[1]))) {
                    return null;
                }
                min = Integer.parseInt(bounds[0]);
                max = bounds.length == 2 ? Integer.parseInt(bounds[1]) : min;
                if (max < min || max > 100) {
                    return null;
                }
                pos = close + 1;
            } else if (c == '*' || c == '+') {
                return null;
            } else {
                return atom;
            }
            int afterQuantifier = pos;
            int start = nfa.state();
            int end = start;
            for (int i = 0; i < max; i++) {
                int[] copy = atom;
                if (i > 0) {
                    pos = atomAt;
                    copy = atom();
                    pos = atomEnd;
                }
                nfa.epsilon(end, copy[0]);
                if (i >= min) {
                    nfa.epsilon(end, copy[1]);
                }
                end = copy[1];
            }
            pos = afterQuantifier;
            return new int[] {start, end};
        }

        private static boolean isNumber(String s) {
            return !s.isEmpty() && s.length() < 4 && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
        }

        int[] atom() {
            char c = re.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
                return edge(1 << (c - '0'));
            }
            if (c == '\\') {
                if (pos + 1 < re.length() && re.charAt(pos + 1) == 'd') {
                    pos += 2;
                    return edge(0x3FF);
                }
                return null;
            }
            if (c == '[') {
                return digitClass();
            }
            if (c == '(') {
                if (!re.startsWith("(?:", pos)) {
                    return null;
                }
                pos += 3;
                int[] inner = alternation();
                if (inner == null || pos >= re.length() || re.charAt(pos) != ')') {
                    return null;
                }
                pos++;
                return inner;
            }
            return null;
        }

        private int[] digitClass() {
            int close = re.indexOf(']', pos);
            if (close < 0) {
                return null;
            }
            int mask = 0;
            int i = pos + 1;
            while (i < close) {
                char lo = re.charAt(i);
                if (lo == '\\' && i + 1 < close && re.charAt(i + 1) == 'd') {
                    mask |= 0x3FF;
                    i += 2;
                    continue;
                }
                if (lo < '0' || lo > '9') {
                    return null;
                }
                char hi = lo;
                if (i + 2 < close && re.charAt(i + 1) == '-') {
                    hi = re.charAt(i + 2);
                    if (hi < lo || hi > '9') {
                        return null;
                    }
                    i += 3;
                } else {
                    i++;
                }
                for (char d = lo; d <= hi; d++) {
                    mask |= 1 << (d - '0');
                }
            }
            pos = close + 1;
            return mask == 0 ? null : edge(mask);
        }

        private int[] edge(int mask) {
            int from = nfa.state();
            int to = nfa.state();
            nfa.digits.set(from, mask);
            nfa.target.set(from, to);
            return new int[] {from, to};
        }
    }
}
