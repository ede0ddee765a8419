package rw.intake.sample;

import java.util.Set;

/**
 * One generated record and its ground truth.
 *
 * @param row           the spreadsheet row number it is written on
 * @param nidNumeric    the NID is written as a number cell
 * @param phoneNumeric  the phone is written as a number cell
 * @param expectedCodes every violation code validation must report for this record (errors and warnings)
 */
public record SampleRow(int row, String names, String nid, boolean nidNumeric, String phoneNumber,
                        boolean phoneNumeric, String gender, String email, Set<String> expectedCodes) {

    public SampleRow {
        expectedCodes = Set.copyOf(expectedCodes);
    }
}
