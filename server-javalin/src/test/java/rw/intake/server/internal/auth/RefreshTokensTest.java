package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static rw.intake.server.internal.auth.AccountsTest.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** Refresh tokens over real HTTP: single use, rotation, reuse revoking the family, and the account's changes. */
final class RefreshTokensTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    /** Logs {@code username} in (a clerk made on first use); the token answer. */
    private static JsonNode login(TestServer server, String username) {
        if (!TestServer.ADMIN.equals(username)) {
            server.clerkToken(username);
        }
        String password =
                TestServer.ADMIN.equals(username) ? TestServer.ADMIN_PASSWORD : TestServer.clerkPassword(username);
        HttpResponse<String> r = AccountsTest.login(server, username, password);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    private static HttpResponse<String> refresh(TestServer server, JsonNode tokens) {
        return server.postJson(
                "/api/v1/token/refresh",
                null,
                "{\"refresh\":\"" + tokens.get("refresh").asText() + "\"}");
    }

    /** Refreshes and expects a new pair. */
    private static JsonNode rotated(TestServer server, JsonNode tokens) {
        HttpResponse<String> r = refresh(server, tokens);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode next = TestServer.json(r);
        assertThat(next.get("refresh").asText())
                .isNotEqualTo(tokens.get("refresh").asText());
        assertThat(next.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(server.get("/api/v1/uploads", next.get("access").asText()).statusCode())
                .isEqualTo(200);
        return next;
    }

    @Test
    void refresh_rotatesEachTime() {
        JsonNode t1 = login(SERVER, "rotating");
        JsonNode t2 = rotated(SERVER, t1);
        JsonNode t3 = rotated(SERVER, t2);
        rotated(SERVER, t3);
    }

    /** A token sent again once its successor was used ends its login: every token rotated from it is revoked. */
    @Test
    void refresh_secondUseRevokesTheWholeFamily() {
        JsonNode t1 = login(SERVER, "stolen");
        JsonNode other = login(SERVER, "stolen");
        JsonNode t2 = rotated(SERVER, t1);
        JsonNode t3 = rotated(SERVER, t2);

        assertProblem(refresh(SERVER, t1), 401, "auth.token_reused");
        assertProblem(refresh(SERVER, t3), 401, "auth.token_revoked");
        assertProblem(refresh(SERVER, t1), 401, "auth.token_revoked");
        rotated(SERVER, other);
    }

    /**
     * A refresh whose answer was lost, sent again: a new pair, and the lost answer's token is spent (sending it after
     * all is a second use, which ends the login).
     */
    @Test
    void refresh_sentAgainAfterItsAnswerWasLost_aNewPair() {
        JsonNode t1 = login(SERVER, "unlucky");
        JsonNode lost = rotated(SERVER, t1);
        JsonNode again = rotated(SERVER, t1);
        JsonNode yetAgain = rotated(SERVER, t1);

        assertProblem(refresh(SERVER, again), 401, "auth.token_reused");
        assertProblem(refresh(SERVER, yetAgain), 401, "auth.token_revoked");
        assertProblem(refresh(SERVER, lost), 401, "auth.token_revoked");

        JsonNode u1 = login(SERVER, "unlucky");
        rotated(SERVER, u1);
        JsonNode kept = rotated(SERVER, u1);
        rotated(SERVER, rotated(SERVER, kept));
    }

    /**
     * A sign-out revokes its login: the refresh token sent and those rotated from the same login no longer refresh;
     * another login of the account still does. A token that is not a refresh token is refused.
     */
    @Test
    void revoke_endsThatLoginOnly() {
        JsonNode t1 = login(SERVER, "leaving");
        JsonNode other = login(SERVER, "leaving");
        JsonNode t2 = rotated(SERVER, t1);

        HttpResponse<String> revoked = SERVER.postJson(
                "/api/v1/token/revoke",
                null,
                "{\"refresh\":\"" + t1.get("refresh").asText() + "\"}");

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(204);
        assertProblem(refresh(SERVER, t2), 401, "auth.token_revoked");
        rotated(SERVER, other);
        assertThat(SERVER.postJson(
                                "/api/v1/token/revoke",
                                null,
                                "{\"refresh\":\"" + t1.get("refresh").asText() + "\"}")
                        .statusCode())
                .isEqualTo(204);
        assertProblem(
                SERVER.postJson(
                        "/api/v1/token/revoke",
                        null,
                        "{\"refresh\":\"" + other.get("access").asText() + "\"}"),
                401,
                "auth.invalid_token");
    }

    @Test
    void refresh_endedByPasswordChange() {
        JsonNode t1 = login(SERVER, "reset");
        JsonNode t2 = login(SERVER, "reset");
        assertThat(SERVER.postJson(
                                "/api/v1/accounts/reset/password",
                                SERVER.adminToken(),
                                "{\"password\":\"Huye-campus-library-7\"}")
                        .statusCode())
                .isEqualTo(204);

        assertProblem(refresh(SERVER, t1), 401, "auth.token_revoked");
        assertProblem(refresh(SERVER, t2), 401, "auth.token_revoked");
        assertThat(AccountsTest.login(SERVER, "reset", "Huye-campus-library-7").statusCode())
                .isEqualTo(200);
    }

    @Test
    void refresh_refusedWhileDisabledAndEndedForGood() {
        JsonNode t1 = login(SERVER, "suspended");
        String admin = SERVER.adminToken();
        assertThat(AccountsTest.patch(SERVER, "/api/v1/accounts/suspended", admin, "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        assertProblem(refresh(SERVER, t1), 401, "auth.account_disabled");

        assertThat(AccountsTest.patch(SERVER, "/api/v1/accounts/suspended", admin, "{\"disabled\":false}")
                        .statusCode())
                .isEqualTo(200);
        assertProblem(refresh(SERVER, t1), 401, "auth.token_revoked");
        rotated(SERVER, login(SERVER, "suspended"));
    }

    /**
     * A refresh racing a disable of its account: it comes wholly before (200, its token ended by the disable) or after,
     * when it says the account is disabled, not that its token was revoked, as it says when sent after the disable.
     */
    @Test
    void refreshRacingADisable_aRefreshAfterItSaysDisabled() throws Exception {
        String admin = SERVER.adminToken();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 16; round++) {
                JsonNode tokens = login(SERVER, "racing");
                CyclicBarrier start = new CyclicBarrier(2);
                Future<HttpResponse<String>> refreshed = two.submit(() -> {
                    start.await();
                    return refresh(SERVER, tokens);
                });
                Future<HttpResponse<String>> disabled = two.submit(() -> {
                    start.await();
                    return AccountsTest.patch(SERVER, "/api/v1/accounts/racing", admin, "{\"disabled\":true}");
                });
                assertThat(disabled.get().statusCode()).isEqualTo(200);
                HttpResponse<String> r = refreshed.get();
                if (r.statusCode() != 200) {
                    assertProblem(r, 401, "auth.account_disabled");
                }
                assertThat(AccountsTest.patch(SERVER, "/api/v1/accounts/racing", admin, "{\"disabled\":false}")
                                .statusCode())
                        .isEqualTo(200);
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void refresh_accountThatNoLongerExists() throws SQLException {
        JsonNode t1 = login(SERVER, "deleted");
        try (Connection c = DriverManager.getConnection(SERVER.config().jdbcUrl(), "sa", "");
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM accounts WHERE username = 'deleted'");
        }
        assertProblem(refresh(SERVER, t1), 401, "auth.invalid_token");
    }

    @Test
    void refresh_stateIsSharedByTwoServersOnOneDatabase() {
        try (TestServer second =
                TestServer.start(Map.of("DB_URL", SERVER.config().jdbcUrl()))) {
            JsonNode t1 = login(SERVER, "roaming");
            JsonNode t2 = rotated(second, t1);
            JsonNode t3 = rotated(SERVER, t2);
            assertProblem(refresh(second, t1), 401, "auth.token_reused");
            assertProblem(refresh(SERVER, t3), 401, "auth.token_revoked");

            JsonNode u1 = login(second, "roaming");
            JsonNode lost = rotated(SERVER, u1);
            rotated(second, rotated(second, u1));
            assertProblem(refresh(SERVER, lost), 401, "auth.token_reused");
        }
    }

    /** With no reuse time, a token sent again ends its login even while the first answer's token is unused. */
    @Test
    void refresh_noReuseTime_anySecondUseEndsTheLogin() {
        try (TestServer strict =
                TestServer.start(Map.of("DB_URL", SERVER.config().jdbcUrl(), "REFRESH_TOKEN_REUSE_SECONDS", "0"))) {
            JsonNode t1 = login(strict, "strict");
            JsonNode t2 = rotated(strict, t1);
            assertProblem(refresh(strict, t1), 401, "auth.token_reused");
            assertProblem(refresh(strict, t2), 401, "auth.token_revoked");
        }
    }
}
