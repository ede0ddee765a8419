package rw.intake.storage;

import java.util.ArrayList;
import java.util.List;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/** What a commit makes of a valid record whose NID a committed valid record already holds. */
public final class NidConflicts {

    /** The violation's code (VALIDATION-RULES.md). */
    public static final String CODE = "nid.already_registered";
    /** The violation's message as committed. */
    public static final String MESSAGE = "A valid record with this NID is already registered";

    private NidConflicts() {
    }

    /**
     * The record as a commit saves it on a conflict: invalid, with {@code nid.already_registered} among its
     * violations after the other NID violations (violations stay in field order).
     */
    public static ValidatedRecord mark(ValidatedRecord r) {
        List<Violation> violations = new ArrayList<>(r.violations().size() + 1);
        Violation conflict = Violation.of(Field.NID, CODE, Severity.ERROR, MESSAGE);
        boolean added = false;
        for (Violation v : r.violations()) {
            if (!added && v.field().ordinal() > Field.NID.ordinal()) {
                violations.add(conflict);
                added = true;
            }
            violations.add(v);
        }
        if (!added) {
            violations.add(conflict);
        }
        return ValidatedRecord.of(r.raw(), r.normalized(), violations);
    }
}
