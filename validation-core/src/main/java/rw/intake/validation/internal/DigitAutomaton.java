package rw.intake.validation.internal;

/** Placeholder: a deterministic automaton over ASCII digits compiled from a libphonenumber pattern. */
final class DigitAutomaton {

    static final DigitAutomaton NOTHING = new DigitAutomaton();

    private DigitAutomaton() {
    }

    /** The automaton of this pattern, or {@code null} if the pattern uses syntax it does not support. */
    static DigitAutomaton compile(String regex) {
        return null;
    }

    boolean matches(CharSequence s, int from, int to) {
        return false;
    }
}
