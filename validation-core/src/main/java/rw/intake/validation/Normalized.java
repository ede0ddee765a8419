package rw.intake.validation;

/**
 * The normalized values of a record: each is the canonical form (names with white space folded, NID without
 * spaces, phone in E.164, gender {@code M}/{@code F}, email with its domain lower-cased) when that field has no
 * error, and {@code null} when it has one.
 */
public record Normalized(String names, String nid, String phoneNumber, String gender, String email) {

    /** The normalized value of one field, or {@code null} if that field has an error. */
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
