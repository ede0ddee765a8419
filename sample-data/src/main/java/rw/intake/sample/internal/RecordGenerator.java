package rw.intake.sample.internal;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.internal.Defect.Slot;

/**
 * Makes the records of a {@link SampleSpec}. Record {@code i} is a pure function of the seed and {@code i}, so a
 * duplicate can copy an earlier record's value by recomputing it instead of remembering it: memory stays flat.
 *
 * <p>Clean values are unique by construction: the NID's birth-order digits, the phone's subscriber digits and the
 * e-mail's number are bijections of the record index, so no two records share a value by accident. Only the
 * {@code *_DUPLICATE} defects repeat a value, always one of an earlier record whose cell is clean.
 */
public final class RecordGenerator {

    /** Last row of an Excel worksheet. */
    public static final int MAX_SHEET_ROW = 1_048_576;
    /**
     * Most records a spec may ask for: the rows of a sheet below a header on its first row. (The values stay unique
     * by construction up to 10,000,000 records: the NID birth order and the phone subscriber number have seven
     * digits.)
     */
    public static final int MAX_RECORDS = MAX_SHEET_ROW - 1;
    /** Most unknown columns a spec may ask for: with the five fields, the 16,384 columns of a worksheet. */
    public static final int MAX_EXTRA_COLUMNS = 16_384 - 5;

    private static final int SEVEN_DIGITS = 10_000_000;
    private static final int YEAR_LOW = 1950;
    /** Clean holders are at least this old; underage ones at most 15, so the boundary age 16 is never written. */
    private static final int CLEAN_MIN_AGE = 17;

    private static final String MOBILE_PREFIXES = "2389";
    private static final int DUPLICATE_TRIES = 8;

    private final SampleSpec spec;
    private final long seed;
    private final int referenceYear;
    private final long serialOffset;
    private final long subscriberOffset;

    private RecordGenerator(SampleSpec spec) {
        this.spec = spec;
        this.seed = spec.seed();
        this.referenceYear = spec.referenceYear();
        this.serialOffset = Math.floorMod(mix(seed, -3, 0), SEVEN_DIGITS);
        this.subscriberOffset = Math.floorMod(mix(seed, -4, 0), SEVEN_DIGITS);
    }

    /**
     * A generator for this spec.
     *
     * @throws IllegalArgumentException if the spec asks for more than {@link #MAX_RECORDS} records, if its header, its
     *                                  records and the blank rows among them do not fit in a sheet's
     *                                  {@link #MAX_SHEET_ROW} rows, or if its reference year is outside 1990..9000
     */
    public static RecordGenerator of(SampleSpec spec) {
        if (spec.rows() > MAX_RECORDS) {
            throw new IllegalArgumentException("at most " + MAX_RECORDS + " records: " + spec.rows());
        }
        if (spec.referenceYear() < 1990 || spec.referenceYear() > 9000) {
            throw new IllegalArgumentException("reference year out of 1990..9000: " + spec.referenceYear());
        }
        RecordGenerator generator = new RecordGenerator(spec);
        long lastRow = spec.rows() == 0 ? spec.headerRow() : spec.headerRow() + spec.rows() + generator.blankRows();
        if (lastRow > MAX_SHEET_ROW) {
            throw new IllegalArgumentException("the header on row " + spec.headerRow() + ", " + spec.rows()
                    + " records and the blank rows among them end on row " + lastRow + ", past a sheet's last row "
                    + MAX_SHEET_ROW);
        }
        return generator;
    }

    /** The records in row order, lazily; blank rows are skipped over in the row numbers. */
    public Stream<SampleRow> rows() {
        Spliterator<SampleRow> split =
                new Spliterators.AbstractSpliterator<>(
                        spec.rows(),
                        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE | Spliterator.SIZED) {
                    private final SplittableRandom blanks = blankRandom();
                    private int index;
                    private int row = spec.headerRow() + 1;

                    @Override
                    public boolean tryAdvance(Consumer<? super SampleRow> action) {
                        if (index >= spec.rows()) {
                            return false;
                        }
                        while (spec.blankRowRatio() > 0 && blanks.nextDouble() < spec.blankRowRatio()) {
                            row++;
                        }
                        if (row > MAX_SHEET_ROW) {
                            throw new IllegalStateException(
                                    "record " + index + " falls past the last sheet row " + MAX_SHEET_ROW);
                        }
                        action.accept(record(index, row));
                        index++;
                        row++;
                        return true;
                    }
                };
        return StreamSupport.stream(split, false);
    }

    /** How many blank rows {@link #rows()} leaves between the records (blank rows only come before a record). */
    public long blankRows() {
        SplittableRandom blanks = blankRandom();
        long count = 0;
        for (int i = 0; i < spec.rows(); i++) {
            while (spec.blankRowRatio() > 0 && blanks.nextDouble() < spec.blankRowRatio()) {
                count++;
            }
        }
        return count;
    }

    private SplittableRandom blankRandom() {
        return new SplittableRandom(mix(seed, -1, 0));
    }

    /** A random source for one purpose ({@code salt}) of one record, independent of every other record. */
    SplittableRandom random(long index, int salt) {
        return new SplittableRandom(mix(seed, index, salt));
    }

    static long mix(long seed, long index, int salt) {
        long z = seed + index * 0x9E3779B97F4A7C15L + salt * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The clean identity of record {@code index}. */
    private Person person(int index) {
        SplittableRandom r = random(index, 0);
        boolean male = r.nextBoolean();
        String given = Vocabulary.pick(male ? Vocabulary.MALE_GIVEN_NAMES : Vocabulary.FEMALE_GIVEN_NAMES, r);
        String family = Vocabulary.pick(Vocabulary.FAMILY_NAMES, r);
        int category = r.nextInt(100) < 90 ? 1 : r.nextInt(100) < 60 ? 2 : 3;
        int year = YEAR_LOW + r.nextInt(referenceYear - CLEAN_MIN_AGE - YEAR_LOW + 1);
        long serial = (index * 7_654_321L + serialOffset) % SEVEN_DIGITS;
        int issue = r.nextInt(10) < 8 ? 0 : 1;
        String nid = String.format(
                Locale.ROOT, "%d%04d%d%07d%d%02d", category, year, male ? 8 : 7, serial, issue, r.nextInt(100));
        long subscriber = (index * 3_141_593L + subscriberOffset) % SEVEN_DIGITS;
        String phone = String.format(
                Locale.ROOT, "7%c%07d", MOBILE_PREFIXES.charAt(r.nextInt(MOBILE_PREFIXES.length())), subscriber);
        String g = ascii(given);
        String f = ascii(family);
        int n = index + 1;
        String local = switch (r.nextInt(5)) {
            case 0 -> f + "." + g + n;
            case 1 -> g + "_" + f + n;
            case 2 -> f + n;
            case 3 -> g.charAt(0) + "." + f + n;
            default -> g + "." + f + n;
        };
        return new Person(male, given, family, nid, phone, local + "@" + Vocabulary.pick(Vocabulary.EMAIL_DOMAINS, r));
    }

    /** The defects of record {@code index}: none for a clean record, one or two that write different cells. */
    List<Defect> defects(int index) {
        SplittableRandom r = random(index, 1);
        if (r.nextDouble() >= spec.invalidRatio()) {
            return List.of();
        }
        Defect[] all = Defect.values();
        Defect first = all[r.nextInt(all.length)];
        if (r.nextInt(4) == 0) {
            Defect second = all[r.nextInt(all.length)];
            if (!second.overlaps(first)) {
                return List.of(first, second);
            }
        }
        return List.of(first);
    }

    private SampleRow record(int index, int row) {
        Person p = person(index);
        SplittableRandom r = random(index, 2);
        Cells c = new Cells();
        c.names = Presentation.names(p.given(), p.family(), r);
        c.nid = Presentation.nid(p.nid(), r);
        c.gender = Presentation.gender(p.male(), r);
        c.email = Presentation.email(p.email(), r);
        Presentation.phone(c, p.phone(), r);
        for (Defect d : defects(index)) {
            apply(d, index, p, c, r);
        }
        return new SampleRow(row, c.names, c.nid, c.nidNumeric, c.phone, c.phoneNumeric, c.gender, c.email, c.codes);
    }

    private void apply(Defect d, int index, Person p, Cells c, SplittableRandom r) {
        switch (d) {
            case NAMES_REQUIRED -> c.fail("names.required").names = r.nextBoolean() ? "" : "   ";
            case NAMES_LENGTH -> c.fail("names.length").names = Defects.badLengthName(p.family(), r);
            case NAMES_CHARACTERS ->
                c.fail("names.characters").names = Defects.badCharacterName(p.given(), p.family(), r);
            case NID_REQUIRED -> c.fail("nid.required").nid = "";
            case NID_FORMAT -> Defects.nidFormat(c, p.nid(), r);
            case NID_CATEGORY -> structure(c, p, r, true, false, 0);
            case NID_BIRTH_YEAR -> structure(c, p, r, false, true, 0);
            case NID_GENDER_DIGIT -> structure(c, p, r, false, false, 1);
            case NID_GENDER_MISMATCH -> structure(c, p, r, false, false, 2);
            case NID_STRUCTURE -> {
                boolean category;
                boolean year;
                int gender;
                do {
                    category = r.nextBoolean();
                    year = r.nextBoolean();
                    gender = r.nextInt(3);
                } while ((category ? 1 : 0) + (year ? 1 : 0) + (gender > 0 ? 1 : 0) < 2);
                structure(c, p, r, category, year, gender);
            }
            case NID_DUPLICATE -> {
                int k = earlierClean(index, Slot.NID, r);
                if (k < 0) {
                    structure(c, p, r, true, false, 0);
                } else {
                    Person q = person(k);
                    c.fail("nid.duplicate").nid = Presentation.nid(q.nid(), r);
                    c.gender = Presentation.gender(q.male(), r);
                    maybeNumericNid(c, r);
                }
            }
            case NID_NUMERIC_CELL -> {
                // Excel keeps 15 significant digits: the 16th comes back as 0.
                c.fail("nid.numeric_cell").nid = p.nid().substring(0, 15) + "0";
                c.nidNumeric = true;
            }
            case NID_UNDERAGE -> {
                int year = referenceYear - 1 - r.nextInt(CLEAN_MIN_AGE - 2);
                c.fail("nid.underage").nid = p.nid().charAt(0)
                        + String.format(Locale.ROOT, "%04d", year)
                        + p.nid().substring(5);
                maybeNumericNid(c, r);
            }
            case PHONE_REQUIRED -> {
                c.fail("phone.required").phone = "";
                c.phoneNumeric = false;
            }
            case PHONE_INVALID -> Defects.phoneInvalid(c, p.phone(), r);
            case PHONE_DUPLICATE -> {
                int k = earlierClean(index, Slot.PHONE, r);
                if (k < 0) {
                    Defects.phoneInvalid(c, p.phone(), r);
                } else {
                    c.fail("phone.duplicate");
                    Presentation.phone(c, person(k).phone(), r);
                }
            }
            case GENDER_REQUIRED -> c.fail("gender.required").gender = "";
            case GENDER_INVALID -> c.fail("gender.invalid").gender = Vocabulary.pick(Vocabulary.INVALID_GENDERS, r);
            case EMAIL_REQUIRED -> c.fail("email.required").email = "";
            case EMAIL_INVALID -> c.fail("email.invalid").email = Defects.badEmail(p.email(), r);
            case EMAIL_DUPLICATE -> {
                int k = earlierClean(index, Slot.EMAIL, r);
                if (k < 0) {
                    c.fail("email.invalid").email = Defects.badEmail(p.email(), r);
                } else {
                    c.fail("email.duplicate").email =
                            Presentation.email(person(k).email(), r);
                }
            }
            default -> throw new IllegalStateException("unknown defect " + d);
        }
    }

    /**
     * Rewrites the NID's structure digits: a bad category, a bad birth year, and {@code gender} 1 for a bad gender
     * digit or 2 for a digit that contradicts the (valid) gender cell.
     */
    private void structure(Cells c, Person p, SplittableRandom r, boolean category, boolean year, int gender) {
        StringBuilder nid = new StringBuilder(p.nid());
        if (category) {
            c.fail("nid.category");
            nid.setCharAt(0, "0456789".charAt(r.nextInt(7)));
        }
        if (year) {
            c.fail("nid.birth_year");
            int bad = switch (r.nextInt(3)) {
                case 0 -> 1800 + r.nextInt(100);
                case 1 -> referenceYear + 1 + r.nextInt(40);
                default -> r.nextInt(100);
            };
            nid.replace(1, 5, String.format(Locale.ROOT, "%04d", bad));
        }
        if (gender == 1) {
            c.fail("nid.gender_digit");
            nid.setCharAt(5, "01234569".charAt(r.nextInt(8)));
        } else if (gender == 2) {
            c.fail("nid.gender_mismatch");
            nid.setCharAt(5, p.male() ? '7' : '8');
        }
        c.nid = nid.toString();
        maybeNumericNid(c, r);
    }

    /** One in five NIDs that survive as a number (16 digits, no leading zero) is written to a number cell. */
    private static void maybeNumericNid(Cells c, SplittableRandom r) {
        if (r.nextInt(5) == 0
                && c.nid.length() == 16
                && c.nid.charAt(0) != '0'
                && c.nid.chars().allMatch(Character::isDigit)) {
            c.nidNumeric = true;
            c.fail("nid.numeric_cell");
        }
    }

    /** An earlier record whose {@code slot} cell holds its clean value, or -1. */
    private int earlierClean(int index, Slot slot, SplittableRandom r) {
        for (int t = 0; t < DUPLICATE_TRIES && index > 0; t++) {
            int k = r.nextInt(index);
            if (defects(k).stream().noneMatch(d -> d.writes(slot))) {
                return k;
            }
        }
        return -1;
    }

    /** Lower-case ASCII letters only: accents dropped, spaces and apostrophes removed. */
    static String ascii(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z]", "");
    }

    /** The clean identity of one record. */
    record Person(boolean male, String given, String family, String nid, String phone, String email) {}

    /** The five cells of the record being built, and its expected codes. */
    static final class Cells {
        String names;
        String nid;
        boolean nidNumeric;
        String phone;
        boolean phoneNumeric;
        String gender;
        String email;
        final TreeSet<String> codes = new TreeSet<>();

        Cells fail(String code) {
            codes.add(code);
            return this;
        }
    }
}
