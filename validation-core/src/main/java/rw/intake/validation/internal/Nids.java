package rw.intake.validation.internal;

import rw.intake.validation.Codes;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/**
 * The Rwandan national ID rule. Structure of the 16 digits: {@code C YYYY G SSSSSSS I KK}. Normalized by removing
 * white space.
 */
public final class Nids {

    public static final int LENGTH = 16;
    public static final int MIN_BIRTH_YEAR = 1900;

    private Nids() {}

    /**
     * Checks the NID cell.
     *
     * @param gender the record's normalized gender ({@code M}/{@code F}), or {@code null} when that is not valid
     * @return the normalized NID, or {@code null} if the field has an error
     */
    public static String check(
            String raw, String gender, int currentYear, int minimumAge, boolean numericCell, Findings findings) {
        String s = removeSpaces(raw);
        boolean ok = s.isEmpty() ? required(findings) : structure(s, gender, currentYear, minimumAge, findings);
        if (numericCell) {
            findings.warning(
                    Field.NID,
                    Codes.NID_NUMERIC_CELL,
                    "NID was a number cell: Excel keeps only 15 significant digits,"
                            + " so the last digit may have been lost; store the NID column as text");
        }
        return ok ? s : null;
    }

    private static boolean required(Findings findings) {
        findings.error(Field.NID, Codes.NID_REQUIRED, "NID is required");
        return false;
    }

    private static boolean structure(String s, String gender, int currentYear, int minimumAge, Findings findings) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                findings.error(
                        Field.NID,
                        Codes.NID_FORMAT,
                        "NID must be exactly 16 digits; found " + Findings.quoteCodePoint(s.codePointAt(i))
                                + " at position " + (i + 1));
                return false;
            }
        }
        if (n != LENGTH) {
            findings.error(Field.NID, Codes.NID_FORMAT, "NID must be exactly 16 digits; found " + n);
            return false;
        }
        boolean ok = true;
        char category = s.charAt(0);
        if (category < '1' || category > '3') {
            findings.error(
                    Field.NID,
                    Codes.NID_CATEGORY,
                    "NID category (digit 1) must be 1 (citizen), 2 (refugee) or 3 (foreigner); found " + category);
            ok = false;
        }
        int year =
                (s.charAt(1) - '0') * 1000 + (s.charAt(2) - '0') * 100 + (s.charAt(3) - '0') * 10 + (s.charAt(4) - '0');
        boolean yearValid = year >= MIN_BIRTH_YEAR && year <= currentYear;
        if (!yearValid) {
            findings.error(
                    Field.NID,
                    Codes.NID_BIRTH_YEAR,
                    "NID birth year (digits 2-5) must be from " + MIN_BIRTH_YEAR + " to " + currentYear + "; found "
                            + year);
            ok = false;
        }
        char g = s.charAt(5);
        if (g != '7' && g != '8') {
            findings.error(
                    Field.NID,
                    Codes.NID_GENDER_DIGIT,
                    "NID gender digit (digit 6) must be 8 (male) or 7 (female); found " + g);
            ok = false;
        } else if (gender != null && (g == '8') != gender.equals("M")) {
            findings.error(
                    Field.NID,
                    Codes.NID_GENDER_MISMATCH,
                    "NID gender digit " + g + (g == '8' ? " (male)" : " (female)") + " does not match gender "
                            + gender);
            ok = false;
        }
        if (yearValid && currentYear - year < minimumAge) {
            findings.warning(
                    Field.NID,
                    Codes.NID_UNDERAGE,
                    "NID birth year " + year + " makes the holder younger than " + minimumAge + " in " + currentYear);
        }
        return ok;
    }

    /**
     * The NID as a number when the cell holds exactly 16 ASCII digits once white space is removed (whatever its
     * other faults), else -1: the key of the duplicate rule.
     */
    public static long key(String raw) {
        if (raw.length() == LENGTH) {
            // The common case: two independent halves, so the multiplications of one need not wait for the other's.
            long high = 0;
            long low = 0;
            for (int i = 0; i < LENGTH / 2; i++) {
                int h = raw.charAt(i) - '0';
                int l = raw.charAt(i + LENGTH / 2) - '0';
                if (h < 0 || h > 9 || l < 0 || l > 9) {
                    return keyWithSpaces(raw);
                }
                high = high * 10 + h;
                low = low * 10 + l;
            }
            return high * 100_000_000L + low;
        }
        return keyWithSpaces(raw);
    }

    private static long keyWithSpaces(String raw) {
        long v = 0;
        int digits = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > LENGTH) {
                    return -1;
                }
                v = v * 10 + (c - '0');
            } else if (!Text.isSpace(c)) {
                return -1;
            }
        }
        return digits == LENGTH ? v : -1;
    }

    /** The cell without white space; the same instance when it has none. */
    static String removeSpaces(String raw) {
        int n = raw.length();
        int i = 0;
        while (i < n && (Chars.isAsciiDigit(raw.charAt(i)) || !Text.isSpace(raw.charAt(i)))) {
            i++;
        }
        if (i == n) {
            return raw;
        }
        StringBuilder b = new StringBuilder(n);
        b.append(raw, 0, i);
        for (; i < n; i++) {
            char c = raw.charAt(i);
            if (!Text.isSpace(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
