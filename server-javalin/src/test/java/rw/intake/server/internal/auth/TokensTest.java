package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import rw.intake.server.internal.http.ApiException;

final class TokensTest {

    private static final String SECRET = "tokens-test-secret-tokens-test-secret-0123";

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static String code(Throwable t) {
        return ((ApiException) t).code();
    }

    @Test
    void verifyAccess_rememberedTokenStillExpires() {
        MovableClock clock = new MovableClock();
        Tokens tokens = Tokens.create(SECRET, Duration.ofSeconds(10), Duration.ofHours(1), clock);
        Tokens.Issued issued = tokens.issue(new Principal("ana", Principal.CLERK), "family-1");

        assertThat(tokens.verifyAccess(issued.access())).isEqualTo(new Principal("ana", Principal.CLERK));
        assertThat(tokens.verifyAccess(issued.access())).isEqualTo(new Principal("ana", Principal.CLERK));

        clock.advance(Duration.ofSeconds(11));
        assertThatThrownBy(() -> tokens.verifyAccess(issued.access()))
                .isInstanceOf(ApiException.class)
                .satisfies(t -> assertThat(code(t)).isEqualTo("auth.token_expired"));
    }

    @Test
    void verifyAccess_refreshTokenNeverAccepted() {
        Tokens tokens = Tokens.create(SECRET, Duration.ofMinutes(5), Duration.ofHours(1), new MovableClock());
        Tokens.Issued issued = tokens.issue(new Principal("ana", Principal.ADMIN), "family-1");
        tokens.verifyAccess(issued.access());
        assertThatThrownBy(() -> tokens.verifyAccess(issued.refresh()))
                .satisfies(t -> assertThat(code(t)).isEqualTo("auth.invalid_token"));
        assertThatThrownBy(() -> tokens.verifyRefresh(issued.access()))
                .satisfies(t -> assertThat(code(t)).isEqualTo("auth.invalid_token"));
        Tokens.RefreshClaims claims = tokens.verifyRefresh(issued.refresh());
        assertThat(claims.principal()).isEqualTo(new Principal("ana", Principal.ADMIN));
        assertThat(claims.id()).isEqualTo(issued.refreshId());
        assertThat(claims.family()).isEqualTo("family-1");
    }

    @Test
    void create_shortSecretRefused() {
        assertThatThrownBy(() -> Tokens.create("short", Duration.ofMinutes(5), Duration.ofHours(1), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
