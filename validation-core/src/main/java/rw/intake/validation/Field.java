package rw.intake.validation;

import java.util.Locale;

/** The five fields of a registration record, with the stable keys used in codes, JSON and the database. */
public enum Field {
    NAMES("names"),
    NID("nid"),
    PHONE_NUMBER("phone_number"),
    GENDER("gender"),
    EMAIL("email");

    private final String key;

    Field(String key) {
        this.key = key;
    }

    /** The stable key: {@code names}, {@code nid}, {@code phone_number}, {@code gender}, {@code email}. */
    public String key() {
        return key;
    }

    /**
     * The field with this key.
     *
     * @throws IllegalArgumentException if no field has that key
     */
    public static Field fromKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (Field f : values()) {
            if (f.key.equals(k)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown field: " + key);
    }
}
