package rw.intake.storage.internal;

import rw.intake.validation.Field;
import rw.intake.validation.ValidatedRecord;

/**
 * A {@code users} row to insert: the display values, the validity flags, the violations as JSON, and the NID that
 * the row registers (its normalized NID when the record is valid, else null; unique in the table).
 */
record UserRow(
        int row,
        String names,
        String nid,
        String phoneNumber,
        String gender,
        String email,
        boolean nidValid,
        boolean phoneValid,
        boolean emailValid,
        boolean namesValid,
        boolean genderValid,
        boolean valid,
        String errors,
        String registeredNid) {

    static UserRow of(ValidatedRecord r) {
        return new UserRow(
                r.row(),
                r.displayValue(Field.NAMES),
                r.displayValue(Field.NID),
                r.displayValue(Field.PHONE_NUMBER),
                r.displayValue(Field.GENDER),
                r.displayValue(Field.EMAIL),
                r.valid(Field.NID),
                r.valid(Field.PHONE_NUMBER),
                r.valid(Field.EMAIL),
                r.valid(Field.NAMES),
                r.valid(Field.GENDER),
                r.valid(),
                ViolationsJson.write(r.violations()),
                registeredNid(r));
    }

    /** The NID a record registers when committed: its normalized NID if the record is valid, else null. */
    static String registeredNid(ValidatedRecord r) {
        return r.valid() ? r.normalized().nid() : null;
    }
}
