package rw.intake.validation;

/** The stable violation codes of VALIDATION-RULES.md, for code that filters on them. */
public final class Codes {

    public static final String NAMES_REQUIRED = "names.required";
    public static final String NAMES_LENGTH = "names.length";
    public static final String NAMES_CHARACTERS = "names.characters";

    public static final String NID_REQUIRED = "nid.required";
    public static final String NID_FORMAT = "nid.format";
    public static final String NID_CATEGORY = "nid.category";
    public static final String NID_BIRTH_YEAR = "nid.birth_year";
    public static final String NID_GENDER_DIGIT = "nid.gender_digit";
    public static final String NID_GENDER_MISMATCH = "nid.gender_mismatch";
    public static final String NID_DUPLICATE = "nid.duplicate";
    public static final String NID_ALREADY_REGISTERED = "nid.already_registered";
    public static final String NID_NUMERIC_CELL = "nid.numeric_cell";
    public static final String NID_UNDERAGE = "nid.underage";

    public static final String PHONE_REQUIRED = "phone.required";
    public static final String PHONE_INVALID = "phone.invalid";
    public static final String PHONE_DUPLICATE = "phone.duplicate";

    public static final String GENDER_REQUIRED = "gender.required";
    public static final String GENDER_INVALID = "gender.invalid";

    public static final String EMAIL_REQUIRED = "email.required";
    public static final String EMAIL_INVALID = "email.invalid";
    public static final String EMAIL_DUPLICATE = "email.duplicate";

    private Codes() {}
}
