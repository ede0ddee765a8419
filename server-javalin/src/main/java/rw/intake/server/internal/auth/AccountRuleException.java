package rw.intake.server.internal.auth;

/**
 * A username, password or role that the account rules refuse, with the stable problem code that says which rule
 * ({@code account.invalid_username}, {@code account.invalid_role}, {@code account.password_too_short},
 * {@code account.password_too_long}, {@code account.password_too_common}).
 */
public final class AccountRuleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public AccountRuleException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
