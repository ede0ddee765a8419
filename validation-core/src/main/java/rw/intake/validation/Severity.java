package rw.intake.validation;

/** How bad a violation is. Only {@link #ERROR} makes a record invalid. */
public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String key;

    Severity(String key) {
        this.key = key;
    }

    /** {@code error} or {@code warning}, as clients see it. */
    public String key() {
        return key;
    }
}
