package rw.intake.sample.internal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One kind of defect the generator injects, and the fields it writes. Two defects of one record never share a
 * field, so their codes never interact.
 */
enum Defect {
    NAMES_REQUIRED(Slot.NAMES),
    NAMES_LENGTH(Slot.NAMES),
    NAMES_CHARACTERS(Slot.NAMES),
    NID_REQUIRED(Slot.NID),
    NID_FORMAT(Slot.NID),
    NID_CATEGORY(Slot.NID),
    NID_BIRTH_YEAR(Slot.NID),
    NID_GENDER_DIGIT(Slot.NID),
    /** The NID's gender digit disagrees with a valid gender: writes both. */
    NID_GENDER_MISMATCH(Slot.NID, Slot.GENDER),
    /** Several structure codes at once (category, birth year, gender digit or mismatch). */
    NID_STRUCTURE(Slot.NID, Slot.GENDER),
    /** An earlier record's NID; the gender follows that NID so that no mismatch fires. */
    NID_DUPLICATE(Slot.NID, Slot.GENDER),
    NID_NUMERIC_CELL(Slot.NID),
    NID_UNDERAGE(Slot.NID),
    PHONE_REQUIRED(Slot.PHONE),
    PHONE_INVALID(Slot.PHONE),
    PHONE_DUPLICATE(Slot.PHONE),
    GENDER_REQUIRED(Slot.GENDER),
    GENDER_INVALID(Slot.GENDER),
    EMAIL_REQUIRED(Slot.EMAIL),
    EMAIL_INVALID(Slot.EMAIL),
    EMAIL_DUPLICATE(Slot.EMAIL);

    /** The five cells of a record. */
    enum Slot {
        NAMES,
        NID,
        PHONE,
        GENDER,
        EMAIL
    }

    @SuppressWarnings("ImmutableEnumChecker") // an unmodifiable view of a set no one else holds
    private final Set<Slot> slots;

    Defect(Slot first, Slot... more) {
        this.slots = Collections.unmodifiableSet(EnumSet.of(first, more));
    }

    boolean writes(Slot slot) {
        return slots.contains(slot);
    }

    boolean overlaps(Defect other) {
        for (Slot s : slots) {
            if (other.slots.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
