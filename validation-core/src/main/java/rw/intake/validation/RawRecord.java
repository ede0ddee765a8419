package rw.intake.validation;

/**
 * One data row as read from a sheet, before validation: the spreadsheet's own row number, the five cell texts
 * (never null; an empty cell is {@code ""}) and whether the NID and phone cells held numbers rather than text.
 */
public record RawRecord(
        int row,
        String names,
        String nid,
        String phoneNumber,
        String gender,
        String email,
        boolean nidNumeric,
        boolean phoneNumeric) {

    public RawRecord {
        if (row < 1) {
            throw new IllegalArgumentException("row must be >= 1: " + row);
        }
        names = names == null ? "" : names;
        nid = nid == null ? "" : nid;
        phoneNumber = phoneNumber == null ? "" : phoneNumber;
        gender = gender == null ? "" : gender;
        email = email == null ? "" : email;
    }

    /** A record whose cells all held text. */
    public static RawRecord of(int row, String names, String nid, String phoneNumber, String gender, String email) {
        return new RawRecord(row, names, nid, phoneNumber, gender, email, false, false);
    }

    /** The cell text of one field. */
    public String value(Field field) {
        return switch (field) {
            case NAMES -> names;
            case NID -> nid;
            case PHONE_NUMBER -> phoneNumber;
            case GENDER -> gender;
            case EMAIL -> email;
        };
    }
}
