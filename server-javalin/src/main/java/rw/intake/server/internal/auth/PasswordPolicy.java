package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a new password must be: {@value #MIN_LENGTH} to {@value #MAX_LENGTH} characters, and not one of the commonest
 * passwords nor built from them. The second rule asks nbvcxz (a zxcvbn-style estimator with its own lists of common
 * passwords, words, names, keyboard patterns, sequences, repeats and dates) how many guesses the password would take,
 * and refuses anything under 2^{@value #MIN_ENTROPY_BITS} (about a million): {@code password1234},
 * {@code qwertyuiop123}, {@code P@ssw0rd1234} or {@code aaaaaaaaaaaa} are refused, {@code Kigali2024!!} is not.
 * Thread-safe. The estimator's dictionaries load when a password is checked and are let go 10 s after the last
 * check ({@link PasswordEstimator}).
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 256;
    /** log2 of the fewest guesses a password may take. */
    public static final int MIN_ENTROPY_BITS = 20;

    private PasswordPolicy() {}

    /** How long the estimator is kept after a check (its lists are a large part of an idle server's heap). */
    private static final Duration ESTIMATOR_KEPT = Duration.ofSeconds(10);

    private static final PasswordEstimator ESTIMATOR = new PasswordEstimator(ESTIMATOR_KEPT, Ticker.systemTicker());

    /**
     * Checks a new password of the account {@code username}: also refused when it is made of the username (the
     * username once or more, case aside, and what is left too easy to guess: {@code alice2024alice} for
     * {@code alice}).
     *
     * @throws AccountRuleException {@code account.password_too_short}, {@code account.password_too_long} or
     *                              {@code account.password_too_common}
     */
    public static void check(String password, String username) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw new AccountRuleException(
                    "account.password_too_short", "the password must be at least " + MIN_LENGTH + " characters long");
        }
        if (length > MAX_LENGTH) {
            throw new AccountRuleException(
                    "account.password_too_long", "the password must be at most " + MAX_LENGTH + " characters long");
        }
        if (ESTIMATOR.entropyBits(password) < MIN_ENTROPY_BITS) {
            throw new AccountRuleException(
                    "account.password_too_common",
                    "the password is one of the commonest passwords or is made of them (words, names, keyboard rows,"
                            + " sequences, repeats); choose another, e.g. a few unrelated words");
        }
        String rest = withoutUsername(password, username);
        if (rest.length() < password.length() && (rest.isEmpty() || ESTIMATOR.entropyBits(rest) < MIN_ENTROPY_BITS)) {
            throw new AccountRuleException(
                    "account.password_too_common",
                    "the password is made of the username; choose another, e.g. a few unrelated words");
        }
    }

    /** {@code password} without the occurrences of {@code username} in it, case aside. */
    static String withoutUsername(String password, String username) {
        if (username == null || username.isEmpty()) {
            return password;
        }
        return Pattern.compile(Pattern.quote(username), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                .matcher(password)
                .replaceAll("");
    }
}
