package rw.intake.validation.internal;

import rw.intake.validation.Codes;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/** The gender rule: {@code M}, {@code F}, {@code Male}, {@code Female}, case-insensitive after trimming. */
public final class Genders {

    private Genders() {}

    /** {@code "M"}, {@code "F"}, or {@code null} when the cell is empty or not an accepted word. */
    public static String normalize(String raw) {
        if (raw.length() == 1) {
            char c = raw.charAt(0);
            if (c == 'M' || c == 'm') {
                return "M";
            }
            if (c == 'F' || c == 'f') {
                return "F";
            }
        }
        String s = Text.strip(raw);
        if (s.equalsIgnoreCase("M") || s.equalsIgnoreCase("Male")) {
            return "M";
        }
        if (s.equalsIgnoreCase("F") || s.equalsIgnoreCase("Female")) {
            return "F";
        }
        return null;
    }

    /** Reports the gender cell's violation, if any, given its {@link #normalize normalized} value. */
    public static void report(String raw, String normalized, Findings findings) {
        if (normalized != null) {
            return;
        }
        String s = Text.strip(raw);
        if (s.isEmpty()) {
            findings.error(Field.GENDER, Codes.GENDER_REQUIRED, "Gender is required");
        } else {
            findings.error(
                    Field.GENDER,
                    Codes.GENDER_INVALID,
                    "Gender must be M, F, Male or Female; found " + Findings.quote(s));
        }
    }
}
