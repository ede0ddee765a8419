package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
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
        if (status == 401) {
            // RFC 9110: every 401 carries a challenge
            assertThat(r.headers().allValues("WWW-Authenticate")).as(code).hasSize(1);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .as(code)
                    .matches("Bearer( error=\"invalid_(token|request)\")?");
        }
    }

    /** A refused token's 401 names the error (RFC 6750 section 3.1). */
    private static void assertInvalidToken(HttpResponse<String> r, String code) {
        assertProblem(r, 401, code);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    }

    private static HttpResponse<String> getWithAuthorization(String path, String... headers) {
        HttpRequest.Builder b = SERVER.request(path, null);
        for (String h : headers) {
            b.header("Authorization", h);
        }
        return SERVER.send(b.GET().build());
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
        assertInvalidToken(
                SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + SERVER.adminToken() + "\"}"),
                "auth.invalid_token");
    }

    @Test
    void access_missingToken() {
        assertProblem(SERVER.get("/api/v1/uploads", null), 401, "auth.missing_token");
        assertProblem(SERVER.get("/api/v1/users", null), 401, "auth.missing_token");
        assertThat(SERVER.get("/api/v1/uploads", null).headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer");
        HttpResponse<String> basic = getWithAuthorization("/api/v1/uploads", "Basic YWRtaW46YWRtaW4=");
        assertProblem(basic, 401, "auth.invalid_token");
        assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void access_twoAuthorizationHeadersRefusedWhateverTheyHold() {
        String good = "Bearer " + SERVER.adminToken();
        for (String[] pair : new String[][] {
            {good, "Bearer garbage"}, {"Bearer garbage", good}, {good, good}, {good, "Basic YWRtaW46YWRtaW4="}
        }) {
            HttpResponse<String> r = getWithAuthorization("/api/v1/uploads", pair);
            assertProblem(r, 401, "auth.invalid_token");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_request\"");
        }
        assertThat(getWithAuthorization("/api/v1/uploads", good).statusCode()).isEqualTo(200);
    }

    @Test
    void access_refreshTokenRefused() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/token", null, "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        assertInvalidToken(
                SERVER.get("/api/v1/uploads", TestServer.json(r).get("refresh").asText()), "auth.invalid_token");
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
        assertInvalidToken(SERVER.get("/api/v1/uploads", token), "auth.token_expired");
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
        assertInvalidToken(SERVER.get("/api/v1/uploads", "not-a-jwt"), "auth.invalid_token");
    }

    @Test
    void unknownRoute_isProblem() {
        assertProblem(SERVER.get("/api/v1/nothing-here", SERVER.adminToken()), 404, "route.not_found");
    }
}
