package rw.intake.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One change a person made to a staged record before the commit, kept in {@code record_edits}.
 *
 * @param row      the record's spreadsheet row
 * @param field    what changed: {@code names}, {@code nid}, {@code phoneNumber}, {@code gender}, {@code email} or
 *                 {@code excluded}
 * @param oldValue the value before (a cell text, or {@code true}/{@code false} for {@code excluded}); never null
 * @param newValue the value after; never null
 * @param account  the username that made the change
 * @param at       when
 */
public record RecordEdit(int row, String field, String oldValue, String newValue, String account, Instant at) {

    public RecordEdit {
        if (row < 1) {
            throw new IllegalArgumentException("row must be >= 1: " + row);
        }
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(at, "at");
    }
}
