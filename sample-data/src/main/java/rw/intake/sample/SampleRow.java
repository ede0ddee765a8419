package rw.intake.sample;

import java.util.Objects;
import java.util.Set;

/**
 * One generated record and its ground truth. The five cells are the texts as written ({@code ""} for an empty cell,
 * never null); a number cell's text is its digits.
 *
 * @param row           the spreadsheet row number it is written on
 * @param nidNumeric    the NID is written as a number cell
 * @param phoneNumeric  the phone is written as a number cell
 * @param expectedCodes every violation code validation must report for this record (errors and warnings)
 */
public record SampleRow(
        int row,
        String names,
        String nid,
        boolean nidNumeric,
        String phoneNumber,
        boolean phoneNumeric,
        String gender,
        String email,
        Set<String> expectedCodes) {

    public SampleRow {
        if (row < 1) {
            throw new IllegalArgumentException("row must be >= 1: " + row);
        }
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(nid, "nid");
        Objects.requireNonNull(phoneNumber, "phoneNumber");
        Objects.requireNonNull(gender, "gender");
        Objects.requireNonNull(email, "email");
        expectedCodes = Set.copyOf(expectedCodes);
    }
}
