package rw.intake.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import rw.intake.validation.internal.Emails;
import rw.intake.validation.internal.FirstRowIndex;
import rw.intake.validation.internal.Nids;

/**
 * The cross-row rules of one upload ({@code nid.duplicate}, {@code phone.duplicate}, {@code email.duplicate}),
 * judged against every earlier record given to it. Records must come in ascending row order. Not thread-safe:
 * one upload, one thread at a time. Memory grows with distinct keys only: each distinct NID, phone number and
 * email address costs 10 to 23 bytes of primitive arrays (see {@link #retainedBytes()}); a record's own objects
 * are not kept.
 *
 * <p>Duplicates compare well-formed values only: a NID of 16 digits whatever its other faults, a valid phone number
 * by its E.164 form, a valid email address case-insensitively (by a 64-bit hash: two different addresses are
 * mistaken for one with odds of about n<sup>2</sup>/2<sup>65</sup>, some 3 in 100 million for a million distinct
 * addresses, and then only a warning is wrong). The first occurrence stays clean; a later one names it in
 * {@link Violation#relatedRow()}.
 */
public final class BatchValidator {

    private static final String ALREADY_REGISTERED = "A valid record with this NID is already registered";
    /** What {@link #duplicateKey} answers for a record that takes no part in a duplicate rule. */
    public static final long NO_KEY = Long.MIN_VALUE;

    private static final Comparator<Violation> FIELD_ORDER =
            Comparator.comparingInt(v -> v.field().ordinal());

    private final RecordValidator validator;
    private final FirstRowIndex nids;
    private final FirstRowIndex phones;
    private final FirstRowIndex emails;
    private int lastRow;
    /** What the slots read ahead of their probes held ({@link #crossCheckAll}): kept so that the reads are made. */
    @SuppressWarnings("unused")
    private long touched;
    /** The validator's look-up for this batch's pass ({@link RegisteredNids#forOnePass}), from its first look-up. */
    private RegisteredNids pass;

    BatchValidator(RecordValidator validator, int expectedRecords) {
        this.validator = validator;
        this.nids = new FirstRowIndex(expectedRecords, false);
        this.phones = new FirstRowIndex(expectedRecords, true);
        this.emails = new FirstRowIndex(expectedRecords, false);
    }

    /**
     * Field rules and cross-row rules for the next record, returned at once.
     *
     * @throws IllegalArgumentException if the record's row is not greater than the previous record's
     */
    public ValidatedRecord next(RawRecord record) {
        return crossCheck(validator.validate(record));
    }

    /**
     * Cross-row rules for a record whose field rules were already applied (by {@link RecordValidator#validate},
     * possibly on another thread). Lets field rules run in parallel while duplicates are judged in order. Returns
     * the same instance when no cross-row rule fires.
     *
     * @throws IllegalArgumentException if the record's row is not greater than the previous record's
     */
    public ValidatedRecord crossCheck(ValidatedRecord fieldChecked) {
        // All three keys first, then the three probes back to back: their cache misses can overlap.
        return crossCheck(
                fieldChecked,
                duplicateKey(Field.NID, fieldChecked),
                duplicateKey(Field.PHONE_NUMBER, fieldChecked),
                duplicateKey(Field.EMAIL, fieldChecked));
    }

    /**
     * {@link #crossCheck} for a run of field-checked records, in their order: the keys of every record first, then the
     * index slots where their probes start read in one pass, so that the cache misses of the whole run overlap, then
     * the probes. Returns a new list of the same size and order.
     *
     * @throws IllegalArgumentException if the records' rows do not ascend, here and after the previous record
     */
    public List<ValidatedRecord> crossCheckAll(List<ValidatedRecord> fieldChecked) {
        return crossCheckAll(fieldChecked, new long[fieldChecked.size() * 3]);
    }

    /**
     * {@link #crossCheckAll(List)}, leaving in {@code keys} the {@link #duplicateKey}s it computed: those of record
     * {@code i} at {@code 3i} ({@link Field#NID}), {@code 3i + 1} ({@link Field#PHONE_NUMBER}) and {@code 3i + 2}
     * ({@link Field#EMAIL}), so that a caller that keeps them (to index the records again) need not compute them again.
     *
     * @throws IllegalArgumentException if the records' rows do not ascend, here and after the previous record, or if
     *                                  {@code keys} holds fewer than three longs a record
     */
    public List<ValidatedRecord> crossCheckAll(List<ValidatedRecord> fieldChecked, long[] keys) {
        int n = fieldChecked.size();
        if (keys.length < n * 3) {
            throw new IllegalArgumentException("room for " + keys.length + " keys, not three for each of " + n);
        }
        for (int i = 0; i < n; i++) {
            ValidatedRecord r = fieldChecked.get(i);
            keys[3 * i] = duplicateKey(Field.NID, r);
            keys[3 * i + 1] = duplicateKey(Field.PHONE_NUMBER, r);
            keys[3 * i + 2] = duplicateKey(Field.EMAIL, r);
        }
        long seen = 0;
        for (int i = 0; i < n * 3; i += 3) {
            seen += (keys[i] == NO_KEY ? 0 : nids.touch(keys[i]))
                    + (keys[i + 1] == NO_KEY ? 0 : phones.touch(keys[i + 1]))
                    + (keys[i + 2] == NO_KEY ? 0 : emails.touch(keys[i + 2]));
        }
        touched = seen;
        List<ValidatedRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(crossCheck(fieldChecked.get(i), keys[3 * i], keys[3 * i + 1], keys[3 * i + 2]));
        }
        return out;
    }

    private ValidatedRecord crossCheck(ValidatedRecord fieldChecked, long nidKey, long phoneKey, long emailKey) {
        int row = fieldChecked.row();
        if (row <= lastRow) {
            throw new IllegalArgumentException(
                    "records must come in ascending row order: row " + row + " after row " + lastRow);
        }
        lastRow = row;
        int nidFirst = nidKey == NO_KEY ? 0 : nids.firstRow(nidKey, row);
        int phoneFirst = phoneKey == NO_KEY ? 0 : phones.firstRow(phoneKey, row);
        int emailFirst = emailKey == NO_KEY ? 0 : emails.firstRow(emailKey, row);
        return withDuplicates(fieldChecked, nidFirst, phoneFirst, emailFirst);
    }

    /**
     * The key under which the duplicate rule of {@code field} compares a record, or {@link #NO_KEY} when the record
     * takes no part in it (a malformed value): for {@link Field#NID} the digits of a 16-digit NID whatever its other
     * faults, for {@link Field#PHONE_NUMBER} the digits of the valid number's E.164 form, for {@link Field#EMAIL} a
     * 64-bit hash of the valid address, compared case-insensitively. The same for the record as field-checked and as
     * cross-checked, so that a staged record can be indexed again (editing an upload).
     *
     * @throws IllegalArgumentException for a field without a duplicate rule
     */
    public static long duplicateKey(Field field, ValidatedRecord record) {
        return switch (field) {
            case NID -> {
                long key = Nids.key(record.raw().nid());
                yield key < 0 ? NO_KEY : key;
            }
            case PHONE_NUMBER -> {
                String phone = record.normalized().phoneNumber();
                yield phone == null ? NO_KEY : e164Key(phone);
            }
            case EMAIL -> {
                String email = record.normalized().email();
                long key = email == null ? NO_KEY : Emails.duplicateKey(email);
                yield email != null && key == NO_KEY ? NO_KEY + 1 : key;
            }
            default -> throw new IllegalArgumentException("no duplicate rule for " + field);
        };
    }

    /**
     * A field-checked record with the duplicate violations that the first rows of its keys give it: {@code nid.duplicate}
     * (and no normalized NID), {@code phone.duplicate}, {@code email.duplicate}, each naming the first row; 0 for a key
     * whose first occurrence this record is (or that it does not have). Returns the same instance when all are 0.
     */
    public static ValidatedRecord withDuplicates(
            ValidatedRecord fieldChecked, int nidFirst, int phoneFirst, int emailFirst) {
        if ((nidFirst | phoneFirst | emailFirst) == 0) {
            return fieldChecked;
        }
        Normalized n = fieldChecked.normalized();
        List<Violation> found = new ArrayList<>(3);
        if (nidFirst > 0) {
            found.add(new Violation(
                    Field.NID, Codes.NID_DUPLICATE, Severity.ERROR, "The same NID is on row " + nidFirst, nidFirst));
            n = new Normalized(n.names(), null, n.phoneNumber(), n.gender(), n.email());
        }
        if (phoneFirst > 0) {
            found.add(new Violation(
                    Field.PHONE_NUMBER,
                    Codes.PHONE_DUPLICATE,
                    Severity.WARNING,
                    "The same phone number is on row " + phoneFirst,
                    phoneFirst));
        }
        if (emailFirst > 0) {
            found.add(new Violation(
                    Field.EMAIL,
                    Codes.EMAIL_DUPLICATE,
                    Severity.WARNING,
                    "The same email address is on row " + emailFirst,
                    emailFirst));
        }
        return withViolations(fieldChecked, n, found);
    }

    /**
     * Adds {@code nid.already_registered} to the records of this chunk whose NID is registered, with one look-up
     * through the validator's {@link RegisteredNids} per {@link RecordValidator#REGISTERED_LOOKUP_BATCH} NIDs (so one
     * for a chunk of up to that many records, none when no record has a NID that could be registered). A NID is looked
     * up whatever the record's other faults, its {@code nid.duplicate} and {@code nid.gender_mismatch} included, as
     * long as a valid record could have it ({@link #registrableNid}). Returns a new list of the same size and order.
     *
     * @throws NullPointerException if the look-up returns null
     */
    public List<ValidatedRecord> markRegistered(List<ValidatedRecord> chunk) {
        // No set to drop repeats: the look-up takes them (copying every NID into a set cost a fifth of the staging
        // thread).
        List<String> asked = new ArrayList<>(chunk.size());
        String[] nids = new String[chunk.size()];
        for (int i = 0; i < nids.length; i++) {
            nids[i] = registrableNid(chunk.get(i));
            if (nids[i] != null) {
                asked.add(nids[i]);
            }
        }
        if (asked.isEmpty()) {
            return List.copyOf(chunk);
        }
        Set<String> registered = lookUp(asked);
        if (registered.isEmpty()) {
            return List.copyOf(chunk);
        }
        List<ValidatedRecord> out = new ArrayList<>(chunk.size());
        for (int i = 0; i < nids.length; i++) {
            ValidatedRecord r = chunk.get(i);
            out.add(nids[i] != null && registered.contains(nids[i]) ? alreadyRegistered(r) : r);
        }
        return List.copyOf(out);
    }

    /**
     * The NID of {@code r} as a registered NID would be written (16 digits), if a valid record could have it: its
     * normalized NID, or the digits of a NID whose only faults are not the NID's own ({@code nid.duplicate}: another
     * row has it; {@code nid.gender_mismatch}: the gender disagrees). Null for a NID no valid record has (blank, not
     * 16 digits, a category, birth year or gender digit that is not one), and for a record already marked
     * {@code nid.already_registered}.
     */
    public static String registrableNid(ValidatedRecord r) {
        String nid = r.normalized().nid();
        if (nid != null) {
            return nid;
        }
        long key = duplicateKey(Field.NID, r);
        if (key == NO_KEY
                || r.has(Codes.NID_CATEGORY)
                || r.has(Codes.NID_BIRTH_YEAR)
                || r.has(Codes.NID_GENDER_DIGIT)
                || r.has(Codes.NID_ALREADY_REGISTERED)) {
            return null;
        }
        return Long.toString(key);
    }

    /**
     * The record with {@code nid.already_registered} (after its other NID violations) and without a normalized NID,
     * as {@link #markRegistered} makes it: also for a store that finds, when committing, that a valid record's NID was
     * registered since validation, so that both say the same.
     */
    public static ValidatedRecord alreadyRegistered(ValidatedRecord r) {
        Normalized n = r.normalized();
        Violation v = Violation.of(Field.NID, Codes.NID_ALREADY_REGISTERED, Severity.ERROR, ALREADY_REGISTERED);
        return withViolations(r, new Normalized(n.names(), null, n.phoneNumber(), n.gender(), n.email()), List.of(v));
    }

    private Set<String> lookUp(List<String> nids) {
        if (pass == null) {
            pass = validator.registeredNids().forOnePass();
        }
        if (nids.size() <= RecordValidator.REGISTERED_LOOKUP_BATCH) {
            // One look-up (a chunk of the upload): its answer as it is, not copied into a set of strings.
            return registeredAmong(nids);
        }
        Set<String> registered = new HashSet<>();
        for (int from = 0; from < nids.size(); from += RecordValidator.REGISTERED_LOOKUP_BATCH) {
            registered.addAll(registeredAmong(
                    nids.subList(from, Math.min(nids.size(), from + RecordValidator.REGISTERED_LOOKUP_BATCH))));
        }
        return registered;
    }

    /** One look-up of the pass. */
    private Set<String> registeredAmong(List<String> nids) {
        return Objects.requireNonNull(pass.registeredAmong(nids), "RegisteredNids.registeredAmong returned null");
    }

    /** Bytes retained by the duplicate index now (its arrays), for benchmarks and the staging budget. */
    public long retainedBytes() {
        return nids.retainedBytes() + phones.retainedBytes() + emails.retainedBytes();
    }

    private static ValidatedRecord withViolations(ValidatedRecord r, Normalized n, List<Violation> more) {
        List<Violation> all = new ArrayList<>(r.violations().size() + more.size());
        all.addAll(r.violations());
        all.addAll(more);
        all.sort(FIELD_ORDER);
        return ValidatedRecord.of(r.raw(), n, all);
    }

    /** The digits of an E.164 number as a number: {@code +250788123456} is 250788123456. */
    private static long e164Key(String e164) {
        long v = 0;
        for (int i = 1; i < e164.length(); i++) {
            v = v * 10 + (e164.charAt(i) - '0');
        }
        return v;
    }
}
