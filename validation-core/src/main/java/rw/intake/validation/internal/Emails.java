package rw.intake.validation.internal;

import rw.intake.validation.Codes;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/**
 * The email rule of VALIDATION-RULES.md, by hand: {@code local@domain}, exactly one {@code @}; local part 1-64
 * ASCII letters, digits and {@code !#$%&'*+/=?^_`{|}~.-} with no leading, trailing or doubled dot; domain of at
 * least two labels of letters, digits and hyphens (1-63, no hyphen at either end), the last letters only and at
 * least 2 long, or an {@code xn--} label; at most 254 characters; no white space. Normalized: trimmed, domain
 * lower-cased.
 */
public final class Emails {

    public static final int MAX_LENGTH = 254;
    public static final int MAX_LOCAL_LENGTH = 64;
    public static final int MAX_LABEL_LENGTH = 63;
    private static final String LOCAL_SPECIALS = "!#$%&'*+/=?^_`{|}~.-";
    /** Classes of the ASCII characters for {@link #plain}: bit set when allowed in the local part / the domain. */
    private static final byte[] ASCII_CLASS = new byte[128];

    private static final byte LOCAL = 1;
    private static final byte DOMAIN = 2;
    private static final byte LETTER = 4;
    /** {@link #plain}'s answer when the address is not plainly valid. */
    static final int NOT_PLAIN = -1;

    static {
        for (char c = 0; c < 128; c++) {
            boolean letter = Chars.isAsciiLetter(c);
            boolean alnum = letter || Chars.isAsciiDigit(c);
            ASCII_CLASS[c] = (byte) ((alnum || LOCAL_SPECIALS.indexOf(c) >= 0 ? LOCAL : 0)
                    | (alnum || c == '-' ? DOMAIN : 0)
                    | (letter ? LETTER : 0));
        }
    }

    private Emails() {}

    /** Checks the email cell; returns its normalized value, or {@code null} if it has an error. */
    public static String check(String raw, Findings findings) {
        String s = Text.strip(raw);
        if (s.isEmpty()) {
            findings.error(Field.EMAIL, Codes.EMAIL_REQUIRED, "Email is required");
            return null;
        }
        int plain = plain(s);
        if (plain == 0) {
            return s;
        }
        if (plain == NOT_PLAIN) {
            String problem = problem(s);
            if (problem != null) {
                findings.error(Field.EMAIL, Codes.EMAIL_INVALID, "Email must look like name@example.com: " + problem);
                return null;
            }
        }
        return lowerCaseDomain(s);
    }

    /**
     * The common case in one pass: {@code 0} when the trimmed address is valid by the grammar with a lower-case
     * domain, a positive number when valid with an upper-case letter in the domain, {@link #NOT_PLAIN} when it is not
     * plainly valid (invalid, or valid in a rarer way such as an {@code xn--} top-level domain: {@link #problem}
     * decides). Never says valid where {@link #problem} finds one.
     */
    static int plain(String s) {
        int n = s.length();
        if (n > MAX_LENGTH) {
            return NOT_PLAIN;
        }
        int at = 0;
        char prev = '.'; // so a leading dot fails
        for (; at < n; at++) {
            char c = s.charAt(at);
            if (c == '@') {
                break;
            }
            if (c >= 128 || (ASCII_CLASS[c] & LOCAL) == 0 || (c == '.' && prev == '.')) {
                return NOT_PLAIN;
            }
            prev = c;
        }
        if (at == 0 || at == n || at > MAX_LOCAL_LENGTH || prev == '.') {
            return NOT_PLAIN;
        }
        int upper = 0;
        int labels = 0;
        int start = at + 1;
        boolean letters = true;
        for (int i = start; ; i++) {
            char c = i < n ? s.charAt(i) : '.';
            if (c == '.') {
                int len = i - start;
                if (len == 0 || len > MAX_LABEL_LENGTH || s.charAt(start) == '-' || s.charAt(i - 1) == '-') {
                    return NOT_PLAIN;
                }
                labels++;
                if (i >= n) {
                    return labels >= 2 && len >= 2 && letters ? upper : NOT_PLAIN;
                }
                start = i + 1;
                letters = true;
                continue;
            }
            int k = c < 128 ? ASCII_CLASS[c] : 0;
            if ((k & DOMAIN) == 0) {
                return NOT_PLAIN;
            }
            if ((k & LETTER) == 0) {
                letters = false;
            } else if (c <= 'Z') {
                upper = i;
            }
        }
    }

    /** Why a trimmed, non-empty address breaks the grammar, or {@code null} when it does not. */
    static String problem(String s) {
        int n = s.length();
        if (n > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        int at = -1;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Text.isSpace(c)) {
                return "it contains white space";
            }
            if (c == '@') {
                if (at >= 0) {
                    return "it contains more than one @";
                }
                at = i;
            }
        }
        if (at < 0) {
            return "it has no @";
        }
        String local = localProblem(s, at);
        return local != null ? local : domainProblem(s, at + 1);
    }

    private static String localProblem(String s, int at) {
        if (at == 0) {
            return "nothing before the @";
        }
        if (at > MAX_LOCAL_LENGTH) {
            return "the part before the @ is longer than " + MAX_LOCAL_LENGTH + " characters";
        }
        for (int i = 0; i < at; i++) {
            char c = s.charAt(i);
            if (!(Chars.isAsciiLetter(c) || Chars.isAsciiDigit(c) || LOCAL_SPECIALS.indexOf(c) >= 0)) {
                return "the part before the @ contains " + Findings.quoteCodePoint(s.codePointAt(i));
            }
            if (c == '.' && (i == 0 || i == at - 1 || s.charAt(i - 1) == '.')) {
                return "the part before the @ has a dot at its start or end, or two dots in a row";
            }
        }
        return null;
    }

    private static String domainProblem(String s, int from) {
        int n = s.length();
        if (from == n) {
            return "nothing after the @";
        }
        int labels = 0;
        int start = from;
        for (int i = from; i <= n; i++) {
            if (i < n && s.charAt(i) != '.') {
                char c = s.charAt(i);
                if (!(Chars.isAsciiLetter(c) || Chars.isAsciiDigit(c) || c == '-')) {
                    return "the domain contains " + Findings.quoteCodePoint(s.codePointAt(i));
                }
                continue;
            }
            int len = i - start;
            if (len == 0) {
                return "the domain has an empty part (a dot at its start or end, or two dots in a row)";
            }
            if (len > MAX_LABEL_LENGTH) {
                return "a part of the domain is longer than " + MAX_LABEL_LENGTH + " characters";
            }
            if (s.charAt(start) == '-' || s.charAt(i - 1) == '-') {
                return "a part of the domain starts or ends with a hyphen";
            }
            labels++;
            if (i == n) {
                if (labels < 2) {
                    return "the domain needs a dot, as in example.com";
                }
                if (!validTopLevel(s, start, i)) {
                    return "the domain must end in a top-level domain of at least two letters, as in .com or .rw";
                }
            }
            start = i + 1;
        }
        return null;
    }

    private static boolean validTopLevel(String s, int from, int to) {
        if (s.regionMatches(true, from, "xn--", 0, 4)) {
            return true;
        }
        if (to - from < 2) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!Chars.isAsciiLetter(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The address with its domain in lower case; the same instance when it already is. */
    static String lowerCaseDomain(String s) {
        int at = s.indexOf('@');
        for (int i = at + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    chars[j] = lower(chars[j]);
                }
                return new String(chars);
            }
        }
        return s;
    }

    /**
     * A 64-bit hash of a valid address compared case-insensitively (the key of the duplicate rule): the lower-cased
     * characters taken four at a time as 64-bit words, each folded in by a xor and a multiply, then the murmur3
     * finalizer to spread the bits. The length goes in first, so addresses that differ only in trailing zero
     * characters differ.
     */
    public static long duplicateKey(String normalized) {
        int n = normalized.length();
        long h = 0xcbf29ce484222325L ^ n;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long word = lower(normalized.charAt(i))
                    | (long) lower(normalized.charAt(i + 1)) << 16
                    | (long) lower(normalized.charAt(i + 2)) << 32
                    | (long) lower(normalized.charAt(i + 3)) << 48;
            h = Long.rotateLeft((h ^ word) * 0x9E3779B97F4A7C15L, 29);
        }
        long word = 0;
        for (int shift = 0; i < n; i++, shift += 16) {
            word |= (long) lower(normalized.charAt(i)) << shift;
        }
        h = (h ^ word) * 0x9E3779B97F4A7C15L;
        return Hashing.mix(h);
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
