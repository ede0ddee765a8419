package rw.intake.storage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/** Validated records built by hand, as the validator would produce them. */
public final class Records {

    private Records() {}

    /** A NID of 16 digits made from a number. */
    public static String nid(int n) {
        return String.format("11990800%08d", n);
    }

    /** A valid record with this NID, and a warning when {@code warn}. */
    public static ValidatedRecord valid(int row, String nid) {
        RawRecord raw = RawRecord.of(
                row,
                "  Jane   Doe ",
                nid.substring(0, 4) + " " + nid.substring(4),
                "0788 123 456",
                "f",
                "Jane@Example.COM");
        Normalized n = new Normalized("Jane Doe", nid, "+250788123456", "F", "Jane@example.com");
        return ValidatedRecord.of(raw, n, List.of());
    }

    /** A valid record with a warning. */
    public static ValidatedRecord validWithWarning(int row, String nid) {
        ValidatedRecord r = valid(row, nid);
        return ValidatedRecord.of(
                r.raw(),
                r.normalized(),
                List.of(Violation.of(Field.NID, "nid.numeric_cell", Severity.WARNING, "The cell held a number")));
    }

    /** A record with a bad phone and an NID duplicated from {@code relatedRow}. */
    public static ValidatedRecord invalid(int row, String nid, Integer relatedRow) {
        RawRecord raw = RawRecord.of(row, "John \"Q\" Doe", nid, "12345", "M", "john@example.com");
        Normalized n = new Normalized("John \"Q\" Doe", null, null, "M", "john@example.com");
        List<Violation> violations = new ArrayList<>();
        violations.add(
                new Violation(Field.NID, "nid.duplicate", Severity.ERROR, "Same NID as row " + relatedRow, relatedRow));
        violations.add(Violation.of(
                Field.PHONE_NUMBER, "phone.invalid", Severity.ERROR, "Not a Rwandan mobile number, \"12345\""));
        return ValidatedRecord.of(raw, n, violations);
    }

    /** {@code count} valid records from row 2 with NIDs {@code first}, {@code first + 1}, ... */
    public static List<ValidatedRecord> validRange(int first, int count) {
        List<ValidatedRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(valid(i + 2, nid(first + i)));
        }
        return records;
    }

    /** The records, but whose iteration fails at index {@code at} (a staged upload released during its commit). */
    public static Iterable<ValidatedRecord> failingAt(List<ValidatedRecord> records, int at) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public ValidatedRecord next() {
                if (next == at) {
                    throw new IllegalStateException("staged upload released");
                }
                return records.get(next++);
            }
        };
    }

    /** The records, with {@code action} run once, when the record at position {@code at} is first asked for. */
    public static Iterable<ValidatedRecord> actingAt(List<ValidatedRecord> records, int at, Runnable action) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < records.size();
            }

            @Override
            public ValidatedRecord next() {
                if (next == at && done.compareAndSet(false, true)) {
                    action.run();
                }
                return records.get(next++);
            }
        };
    }

    public static CommitRequest request(String uploadId, String owner, CommitMode mode, List<ValidatedRecord> records) {
        long valid = records.stream().filter(ValidatedRecord::valid).count();
        long warnings = records.stream().filter(ValidatedRecord::hasWarnings).count();
        return new CommitRequest(
                uploadId,
                owner,
                uploadId + ".xlsx",
                mode,
                new UploadTotals(records.size(), valid, records.size() - valid, warnings, 0));
    }

    /**
     * An INSERT of one users row by hand, outside the storage (a DBA's fix, another tool), with the columns of the
     * first schema; a valid row registers its NID.
     */
    public static String insertByHand(String uploadId, int row, String nid, boolean valid) {
        return "INSERT INTO users (upload_id, \"row_number\", names, nid, phone_number, gender, email, nid_valid,"
                + " phone_valid, email_valid, names_valid, gender_valid, valid, errors, committed_at, registered_nid)"
                + " VALUES ('" + uploadId + "', " + row + ", 'A', '" + nid + "', '', '', '', " + valid
                + ", TRUE, TRUE, TRUE,"
                + " TRUE, " + valid + ", '[]', CURRENT_TIMESTAMP, " + (valid ? "'" + nid + "'" : "NULL") + ")";
    }
}
