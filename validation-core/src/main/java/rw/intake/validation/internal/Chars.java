package rw.intake.validation.internal;

/** Character tests shared by the rules. */
final class Chars {

    private Chars() {}

    static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
