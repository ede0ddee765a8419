package rw.intake.sample.internal;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** The many ways a clerk's sheet writes a clean value; every one of them is valid by the rules. */
final class Presentation {

    private static final List<String> MALE = List.of("M", "M", "M", "Male", "Male", "m", "male", "MALE", " M ");
    private static final List<String> FEMALE =
            List.of("F", "F", "F", "Female", "Female", "f", "female", "FEMALE", " F ");

    private Presentation() {}

    static String names(String given, String family, SplittableRandom r) {
        int style = r.nextInt(10);
        String names;
        if (style < 4) {
            names = family + " " + given;
        } else if (style < 7) {
            names = given + " " + family;
        } else if (style < 9) {
            names = family.toUpperCase(Locale.ROOT) + " " + given;
        } else {
            names = given + " " + family + " " + Vocabulary.pick(Vocabulary.FAMILY_NAMES, r);
        }
        // Stray white space, which normalization collapses.
        return r.nextInt(20) == 0 ? " " + names.replace(" ", "  ") + " " : names;
    }

    /** The NID as written: mostly its 16 digits, sometimes grouped with spaces (normalization removes them). */
    static String nid(String nid, SplittableRandom r) {
        if (r.nextInt(12) != 0 || nid.length() != 16) {
            return nid;
        }
        return nid.charAt(0) + " " + nid.substring(1, 5) + " " + nid.charAt(5) + " " + nid.substring(6, 13) + " "
                + nid.charAt(13) + " " + nid.substring(14);
    }

    static String gender(boolean male, SplittableRandom r) {
        return Vocabulary.pick(male ? MALE : FEMALE, r);
    }

    /** The address, sometimes with capitals (the domain is lower-cased, the local part compared case-insensitively). */
    static String email(String email, SplittableRandom r) {
        int at = email.indexOf('@');
        return switch (r.nextInt(20)) {
            case 0, 1 ->
                email.substring(0, at + 1) + Character.toUpperCase(email.charAt(at + 1)) + email.substring(at + 2);
            case 2 -> Character.toUpperCase(email.charAt(0)) + email.substring(1);
            default -> email;
        };
    }

    /** Writes the national number {@code n} ({@code 7XXXXXXXX}) in one of the accepted forms. */
    static void phone(RecordGenerator.Cells c, String n, SplittableRandom r) {
        String a = n.substring(0, 2);
        String b = n.substring(2, 5);
        String d = n.substring(5);
        c.phoneNumeric = false;
        c.phone = switch (r.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5 -> "0" + n;
            case 6, 7, 8 -> {
                c.phoneNumeric = true;
                yield n;
            }
            case 9 -> "0" + a + " " + b + " " + d;
            case 10 -> "0" + a + "-" + b + "-" + d;
            case 11, 12 -> "+250" + n;
            case 13 -> "+250 " + a + " " + b + " " + d;
            case 14 -> "250" + n;
            case 15 -> "250 " + a + " " + b + " " + d;
            case 16 -> "00250" + n;
            case 17 -> n;
            case 18 -> "(+250) " + n;
            default -> "0" + a + "." + b + "." + d;
        };
    }
}
