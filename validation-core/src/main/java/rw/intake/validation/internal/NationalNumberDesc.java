package rw.intake.validation.internal;

import com.google.i18n.phonenumbers.Phonemetadata.PhoneNumberDesc;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One number type of libphonenumber's metadata (its possible lengths and national number pattern), matched the way
 * the library's {@code isNumberMatchingDesc} does: the length first, then the whole pattern. The pattern runs as a
 * {@link DigitAutomaton} when it compiles to one, else as a {@link Pattern}.
 */
final class NationalNumberDesc {

    private final boolean[] lengths;
    private final boolean anyLength;
    private final DigitAutomaton automaton;
    private final Pattern pattern;

    private NationalNumberDesc(boolean[] lengths, boolean anyLength, DigitAutomaton automaton, Pattern pattern) {
        this.lengths = lengths;
        this.anyLength = anyLength;
        this.automaton = automaton;
        this.pattern = pattern;
    }

    static NationalNumberDesc of(PhoneNumberDesc desc) {
        List<Integer> possible = desc.getPossibleLengthList();
        boolean[] lengths = new boolean[32];
        for (int len : possible) {
            if (len >= 0 && len < lengths.length) {
                lengths[len] = true;
            }
        }
        String regex = desc.getNationalNumberPattern();
        if (regex.isEmpty()) {
            return new NationalNumberDesc(lengths, false, DigitAutomaton.NOTHING, null);
        }
        DigitAutomaton automaton = DigitAutomaton.compile(regex);
        return new NationalNumberDesc(
                lengths, possible.isEmpty(), automaton, automaton == null ? Pattern.compile(regex) : null);
    }

    /** Whether the national number (ASCII digits) {@code s[from, to)} is of this type. */
    boolean matches(CharSequence s, int from, int to) {
        int len = to - from;
        if (!anyLength && (len >= lengths.length || !lengths[len])) {
            return false;
        }
        if (automaton != null) {
            return automaton.matches(s, from, to);
        }
        return pattern.matcher(s).region(from, to).matches();
    }

    /**
     * This type's automaton for national numbers of {@code length} digits ({@link DigitAutomaton#NOTHING} when the
     * length is not possible), or {@code null} when the pattern runs as a {@link Pattern}.
     */
    DigitAutomaton automatonFor(int length) {
        if (!anyLength && (length < 0 || length >= lengths.length || !lengths[length])) {
            return DigitAutomaton.NOTHING;
        }
        return automaton;
    }

    /** Whether this desc runs as an automaton (for tests). */
    boolean compiled() {
        return automaton != null;
    }
}
