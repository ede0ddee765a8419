package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class PasswordsTest {

    @Test
    void verify_roundTrip() {
        String h = Passwords.hash("correct horse", 1000);
        assertThat(h).startsWith("pbkdf2-sha256$1000$").doesNotContain("correct horse");
        assertThat(Passwords.verify("correct horse", h)).isTrue();
        assertThat(Passwords.verify("correct horsf", h)).isFalse();
    }

    @Test
    void hash_saltedEachTime() {
        assertThat(Passwords.hash("same", 1000)).isNotEqualTo(Passwords.hash("same", 1000));
    }

    @Test
    void verify_malformedHash() {
        assertThat(Passwords.verify("x", "plain")).isFalse();
        assertThat(Passwords.verify("x", "pbkdf2-sha256$abc$AA$AA")).isFalse();
        assertThat(Passwords.verify("x", null)).isFalse();
    }

    @Test
    void remarked_changesTheStampButNotThePassword() {
        String h = Passwords.hash("correct horse", 1000);
        String once = Passwords.remarked(h);
        String twice = Passwords.remarked(once);
        assertThat(once).startsWith(h + "$");
        assertThat(twice).startsWith(h + "$").isNotEqualTo(once);
        assertThat(twice.split("\\$")).hasSize(5);
        for (String marked : new String[] {once, twice}) {
            assertThat(Passwords.verify("correct horse", marked)).isTrue();
            assertThat(Passwords.verify("correct horsf", marked)).isFalse();
        }
        assertThat(AccountStanding.stampOf(once))
                .isNotEqualTo(AccountStanding.stampOf(h))
                .isNotEqualTo(AccountStanding.stampOf(twice));
    }

    @Test
    void hash_defaultIsSlow() {
        assertThat(Passwords.hash("pw")).startsWith("pbkdf2-sha256$" + Passwords.DEFAULT_ITERATIONS + "$");
        assertThat(Passwords.DEFAULT_ITERATIONS).isGreaterThanOrEqualTo(210_000);
    }
}
