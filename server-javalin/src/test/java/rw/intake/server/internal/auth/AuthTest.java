package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

final class AuthTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode p = TestServer.json(r);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.has("type") && p.has("title") && p.has("detail")).isTrue();
    }

    @Test
    void health_needsNoToken() {
        HttpResponse<String> r = SERVER.get("/api/v1/", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(r).get("status").asText()).isEqualTo("ok");
        assertThat(TestServer.json(r).get("description").asText()).isEqualTo("app is running");
    }

    @Test
    void token_rightPassword() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/token", null, "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode t = TestServer.json(r);
        assertThat(t.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(t.get("expiresIn").asLong()).isEqualTo(900);
        assertThat(SERVER.get("/api/v1/uploads", t.get("access").asText()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void token_legacyTrailingSlash() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/token/", null, "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        String refresh = TestServer.json(r).get("refresh").asText();
        HttpResponse<String> rr = SERVER.postJson("/api/v1/token/refresh/", null, "{\"refresh\":\"" + refresh + "\"}");
        assertThat(rr.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(rr).get("access").asText()).isNotBlank();
    }

    @Test
    void token_wrongPassword() {
        SERVER.clerkToken("wrongpw");
        assertProblem(
                SERVER.postJson("/api/v1/token", null, "{\"username\":\"wrongpw\",\"password\":\"nope-nope\"}"),
                401,
                "auth.invalid_credentials");
    }

    @Test
    void token_unknownUser() {
        assertProblem(
                SERVER.postJson("/api/v1/token", null, "{\"username\":\"ghost\",\"password\":\"whatever1\"}"),
                401,
                "auth.invalid_credentials");
    }

    @Test
    void token_malformedBody() {
        assertProblem(SERVER.postJson("/api/v1/token", null, "{not json"), 400, "request.invalid_body");
        assertProblem(SERVER.postJson("/api/v1/token", null, "{\"username\":\"x\"}"), 400, "request.invalid_body");
    }

    @Test
    void token_bodyWithTrailingContentOrAMemberTwiceRefused() {
        String login = "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}";
        for (String body : new String[] {
            login + " xyz",
            login + " {}",
            login + "}",
            "{\"username\":\"nobody\",\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}",
            "{\"username\":\"admin\",\"password\":\"wrong-one\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}"
        }) {
            assertProblem(SERVER.postJson("/api/v1/token", null, body), 400, "request.invalid_body");
        }
        // whitespace after the value is not content
        assertThat(SERVER.postJson("/api/v1/token", null, " " + login + " \r\n\t")
                        .statusCode())
                .isEqualTo(200);

        String refresh = TestServer.json(SERVER.postJson("/api/v1/token", null, login))
                .get("refresh")
                .asText();
        assertProblem(
                SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + refresh + "\"} []"),
                400,
                "request.invalid_body");
        assertProblem(
                SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"x\",\"refresh\":\"" + refresh + "\"}"),
                400,
                "request.invalid_body");
        // refused before it was looked at: the refresh token is still unused
        assertThat(SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + refresh + "\"}")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void token_repeatedFailuresAreRefused() {
        SERVER.clerkToken("guessed");
        String wrong = "{\"username\":\"guessed\",\"password\":\"wrong-password\"}";
        for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
            assertProblem(SERVER.postJson("/api/v1/token", null, wrong), 401, "auth.invalid_credentials");
        }
        HttpResponse<String> r =
                SERVER.postJson("/api/v1/token", null, "{\"username\":\"guessed\",\"password\":\"guessed-password\"}");
        assertProblem(r, 429, "auth.too_many_attempts");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void refresh_givesNewAccess() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/token", null, "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        String refresh = TestServer.json(r).get("refresh").asText();
        HttpResponse<String> rr = SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + refresh + "\"}");
        assertThat(rr.statusCode()).isEqualTo(200);
        assertThat(SERVER.get(
                                "/api/v1/uploads",
                                TestServer.json(rr).get("access").asText())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void refresh_accessTokenRefused() {
        assertProblem(
                SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + SERVER.adminToken() + "\"}"),
                401,
                "auth.invalid_token");
    }

    @Test
    void access_missingToken() {
        assertProblem(SERVER.get("/api/v1/uploads", null), 401, "auth.missing_token");
        assertProblem(SERVER.get("/api/v1/users", null), 401, "auth.missing_token");
    }

    @Test
    void access_refreshTokenRefused() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/token", null, "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        assertProblem(
                SERVER.get("/api/v1/uploads", TestServer.json(r).get("refresh").asText()), 401, "auth.invalid_token");
    }

    @Test
    void access_expiredToken() {
        String token = JWT.create()
                .withIssuer(Tokens.ISSUER)
                .withSubject("admin")
                .withClaim("role", "admin")
                .withClaim("typ", "access")
                .withIssuedAt(Instant.now().minusSeconds(120))
                .withExpiresAt(Instant.now().minusSeconds(60))
                .withJWTId("expired-1")
                .sign(Algorithm.HMAC256(TestServer.JWT_SECRET));
        assertProblem(SERVER.get("/api/v1/uploads", token), 401, "auth.token_expired");
    }

    @Test
    void access_wrongSignature() {
        String token = JWT.create()
                .withIssuer(Tokens.ISSUER)
                .withSubject("admin")
                .withClaim("role", "admin")
                .withClaim("typ", "access")
                .withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256("another-secret-another-secret-another-secret"));
        assertProblem(SERVER.get("/api/v1/uploads", token), 401, "auth.invalid_token");
    }

    @Test
    void access_wrongIssuer() {
        String token = JWT.create()
                .withIssuer("someone-else")
                .withSubject("admin")
                .withClaim("role", "admin")
                .withClaim("typ", "access")
                .withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256(TestServer.JWT_SECRET));
        assertProblem(SERVER.get("/api/v1/uploads", token), 401, "auth.invalid_token");
    }

    @Test
    void access_algNone() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload =
                b64.encodeToString(("{\"iss\":\"intake\",\"sub\":\"admin\",\"role\":\"admin\",\"typ\":\"access\","
                                + "\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                        .getBytes(StandardCharsets.UTF_8));
        assertProblem(SERVER.get("/api/v1/uploads", header + "." + payload + "."), 401, "auth.invalid_token");
    }

    @Test
    void access_garbageToken() {
        assertProblem(SERVER.get("/api/v1/uploads", "not-a-jwt"), 401, "auth.invalid_token");
    }

    @Test
    void unknownRoute_isProblem() {
        assertProblem(SERVER.get("/api/v1/nothing-here", SERVER.adminToken()), 404, "route.not_found");
    }
}
