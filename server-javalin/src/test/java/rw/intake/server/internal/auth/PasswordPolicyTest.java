package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PasswordPolicyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "password1234",
                "Password1234!",
                "qwertyuiop123",
                "P@ssw0rd1234",
                "aaaaaaaaaaaa",
                "123456789012",
                "iloveyou1234",
                "passwordpassword",
                "abc123abc123",
                "trustno1trustno1",
                "1q2w3e4r5t6y",
                "correct horse battery staple"
            })
    void check_commonPasswordsRefused(String password) {
        assertThatThrownBy(() -> PasswordPolicy.check(password, "alice"))
                .isInstanceOf(AccountRuleException.class)
                .satisfies(
                        ex -> assertThat(((AccountRuleException) ex).code()).isEqualTo("account.password_too_common"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "Xy7#kq9!Lm2", "ünïcödé-1ab"})
    void check_underTwelveCharactersRefused(String password) {
        assertThatThrownBy(() -> PasswordPolicy.check(password, "alice"))
                .isInstanceOf(AccountRuleException.class)
                .hasMessage("the password must be at least 12 characters long");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Kigali2024!!",
                "Xy7#kq9!Lm2w",
                "Rubavu-beach-sunset",
                "admin-password-for-tests",
                "mountain lake coffee drum"
            })
    void check_unusualPasswordsAccepted(String password) {
        assertThatCode(() -> PasswordPolicy.check(password, "alice")).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"kq7zx.mubirigi", "KQ7ZX.Mubirigi", "kq7zx.mubirigi2024", "kq7zx.mubirigiKQ7ZX.MUBIRIGI"})
    void check_madeOfTheUsernameRefused(String password) {
        assertThatThrownBy(() -> PasswordPolicy.check(password, "kq7zx.mubirigi"))
                .isInstanceOf(AccountRuleException.class)
                .hasMessageContaining("made of the username")
                .satisfies(
                        ex -> assertThat(((AccountRuleException) ex).code()).isEqualTo("account.password_too_common"));
        // the same password for another account is not refused so
        assertThatCode(() -> PasswordPolicy.check(password, "alice")).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin-password-for-tests", "it-admin-password-0123456789", "admin Rubavu-beach-sunset"})
    void check_usernameWithinAStrongPasswordAccepted(String password) {
        assertThatCode(() -> PasswordPolicy.check(password, "admin")).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(ints = {257, 10_000})
    void check_overlongRefused(int length) {
        assertThatThrownBy(() -> PasswordPolicy.check("x".repeat(length), "alice"))
                .isInstanceOf(AccountRuleException.class)
                .hasMessage("the password must be at most 256 characters long");
    }
}
