package rw.intake.sample.internal;

import java.util.List;
import java.util.SplittableRandom;

/** Broken values, each breaking exactly the rule its caller names. */
final class Defects {

    private static final int MAX_NAMES = 100;

    private Defects() {}

    /** One letter, or more than 100 characters of letters and spaces. */
    static String badLengthName(String family, SplittableRandom r) {
        if (r.nextBoolean()) {
            return family.substring(0, 1);
        }
        StringBuilder sb = new StringBuilder(family);
        while (sb.length() <= MAX_NAMES) {
            sb.append(' ').append(Vocabulary.pick(Vocabulary.FAMILY_NAMES, r));
        }
        return sb.toString();
    }

    /** A name of 2..100 characters holding a digit or punctuation the rules do not allow. */
    static String badCharacterName(String given, String family, SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0 -> family + " " + given + " " + (1 + r.nextInt(9));
            case 1 -> family + "_" + given;
            case 2 -> family + " (" + given + ")";
            case 3 -> family + "@" + given;
            case 4 -> family + " " + given + " / " + Vocabulary.pick(Vocabulary.FAMILY_NAMES, r);
            case 5 -> family + " #" + (10 + r.nextInt(90));
            default -> family + ", " + given;
        };
    }

    /** Not 16 ASCII digits: nid.format, and nid.numeric_cell when a 15-digit number lands in a number cell. */
    static void nidFormat(RecordGenerator.Cells c, String nid, SplittableRandom r) {
        c.fail("nid.format");
        c.nid = switch (r.nextInt(6)) {
            case 0 -> {
                if (r.nextInt(3) == 0) {
                    c.nidNumeric = true;
                    c.fail("nid.numeric_cell");
                }
                yield nid.substring(0, 15);
            }
            case 1 -> nid + r.nextInt(10);
            case 2 -> {
                int at = 6 + r.nextInt(7);
                yield nid.substring(0, at) + "OIA".charAt(r.nextInt(3)) + nid.substring(at + 1);
            }
            case 3 ->
                nid.charAt(0) + "-" + nid.substring(1, 5) + "-" + nid.charAt(5) + "-" + nid.substring(6, 13) + "-"
                        + nid.substring(13);
            case 4 -> nid.substring(0, 14);
            default -> Vocabulary.pick(List.of("N/A", "none", "pending", "lost ID"), r);
        };
    }

    /** Not a Rwandan mobile number: unknown range, wrong length, landline, another country, letters. */
    static void phoneInvalid(RecordGenerator.Cells c, String n, SplittableRandom r) {
        c.fail("phone.invalid");
        c.phoneNumeric = false;
        c.phone = switch (r.nextInt(9)) {
            case 0 -> "07" + "01456".charAt(r.nextInt(5)) + n.substring(2);
            case 1 -> "0" + n.substring(0, 8);
            case 2 -> "0" + n + r.nextInt(10);
            case 3 -> "0252" + n.substring(3);
            case 4 -> "+256 " + n.substring(0, 3) + " " + n.substring(3);
            case 5 -> "+254" + n;
            case 6 -> "0" + n.substring(0, 5) + "O" + n.substring(6);
            case 7 -> {
                c.phoneNumeric = true;
                yield n.substring(0, 8);
            }
            default -> Vocabulary.pick(List.of("N/A", "none", "no phone"), r);
        };
    }

    /** An address the rules reject. */
    static String badEmail(String email, SplittableRandom r) {
        int at = email.indexOf('@');
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        String stem = domain.substring(0, domain.lastIndexOf('.') + 1);
        return switch (r.nextInt(14)) {
            case 0 -> local + domain;
            case 1 -> local + "@@" + domain;
            case 2 -> local + "@" + domain.substring(0, domain.indexOf('.'));
            case 3 -> local.charAt(0) + " " + local.substring(1) + "@" + domain;
            case 4 -> "." + email;
            case 5 -> local + ".@" + domain;
            case 6 -> local.charAt(0) + ".." + local.substring(1) + "@" + domain;
            case 7 -> local + "@" + stem + "c";
            case 8 -> local + "@" + stem + "c0m";
            case 9 -> local + "@-" + domain;
            case 10 -> local.charAt(0) + "," + local.substring(1) + "@" + domain;
            case 11 -> local + "@";
            case 12 -> email + ".";
            default -> "mailto:" + email;
        };
    }
}
