package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.server.TestServer;

/**
 * Tokens signed by hand with the server's own secret (so the signature is valid) but with a claim missing or of the
 * wrong type: every one is a 401 {@code auth.invalid_token}, never a 500, on the routes and on refresh.
 */
final class TokenClaimsTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A compact JWS over these exact header and payload texts, HS256 with the test server's secret. */
    static String signed(String header, String payload) {
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TestServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The claims of a good token of {@code typ}, as JSON values (strings quoted). */
    private static Map<String, String> claims(String typ) {
        long now = Instant.now().getEpochSecond();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("iss", "\"intake\"");
        c.put("sub", "\"admin\"");
        c.put("role", "\"admin\"");
        c.put("typ", "\"" + typ + "\"");
        c.put("iat", Long.toString(now - 10));
        c.put("exp", Long.toString(now + 600));
        c.put("jti", "\"3f1c-id\"");
        if ("refresh".equals(typ)) {
            c.put("fam", "\"family\"");
        }
        return c;
    }

    private static String token(Map<String, String> claims) {
        StringBuilder json = new StringBuilder("{");
        claims.forEach((k, v) -> json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":")
                .append(v));
        return signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", json.append('}').toString());
    }

    /** The good claims with {@code claim} removed ({@code value} null) or replaced by a JSON value. */
    private static String tokenWith(String typ, String claim, String value) {
        Map<String, String> c = claims(typ);
        if (value == null) {
            c.remove(claim);
        } else {
            c.put(claim, value);
        }
        return token(c);
    }

    private static void assertInvalid(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(TestServer.json(r).get("code").asText()).isEqualTo("auth.invalid_token");
    }

    private static HttpResponse<String> refresh(String token) {
        return SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + token + "\"}");
    }

    @Test
    void handSignedGoodAccessToken_isAccepted() {
        assertThat(SERVER.get("/api/v1/uploads", token(claims("access"))).statusCode())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "iat", "sub", "role", "typ", "jti", "iss"})
    void accessToken_missingClaim(String claim) {
        assertInvalid(SERVER.get("/api/v1/uploads", tokenWith("access", claim, null)));
        assertInvalid(refresh(tokenWith("refresh", claim, null)));
    }

    @Test
    void refreshToken_missingFamily() {
        assertInvalid(refresh(tokenWith("refresh", "fam", null)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "exp=\"tomorrow\"",
                "exp={\"at\":1}",
                "exp=null",
                "exp=[1]",
                "iat=\"now\"",
                "sub=5",
                "sub=\"\"",
                "sub=null",
                "sub={}",
                "role=7",
                "role=\"root\"",
                "role=[\"admin\"]",
                "role=null",
                "typ=1",
                "jti=12",
                "jti=\"\"",
                "iss=[\"intake\"]",
                "fam=3",
                "fam=\"\""
            })
    void claimOfWrongType(String change) {
        String claim = change.substring(0, change.indexOf('='));
        String value = change.substring(change.indexOf('=') + 1);
        if (!"fam".equals(claim)) {
            assertInvalid(SERVER.get("/api/v1/uploads", tokenWith("access", claim, value)));
        }
        assertInvalid(refresh(tokenWith("refresh", claim, value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "\"\"", "null", "[\"x\"]", "{}"})
    void passwordStampOfWrongType(String value) {
        assertInvalid(SERVER.get("/api/v1/uploads", tokenWith("access", "cst", value)));
    }

    @Test
    void passwordStampOfAnotherPassword_revoked() {
        String token = tokenWith("access", "cst", "\"c3RhbXAtb2YtZWxzZQ\"");
        // the account's state is read in the background on the first use of its tokens; until then a token passes
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> r = SERVER.get("/api/v1/uploads", token);
        while (r.statusCode() == 200 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            r = SERVER.get("/api/v1/uploads", token);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(TestServer.json(r).get("code").asText()).isEqualTo("auth.token_revoked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "5", "null", "{", "{\"exp\":1e999}", ""})
    void payloadNotAnObject(String payload) {
        String token = signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
        assertInvalid(SERVER.get("/api/v1/uploads", token));
        assertInvalid(refresh(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"typ\":\"JWT\"}", "{\"alg\":5}", "[]"})
    void oddHeader(String header) {
        String token = signed(header, payload(claims("access")));
        HttpResponse<String> r = SERVER.get("/api/v1/uploads", token);
        assertThat(r.statusCode()).as(header + " -> " + r.body()).isIn(200, 401);
        assertThat(r.statusCode() == 200 ? "ok" : TestServer.json(r).get("code").asText())
                .isIn("ok", "auth.invalid_token");
    }

    /** A header that lists critical extensions is refused: intake understands none (RFC 7515, 4.1.11). */
    @ParameterizedTest
    @ValueSource(strings = {"[\"exp\"]", "[\"b64\"]", "[]", "\"x\""})
    void criticalHeader_refused(String crit) {
        String token = signed("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":" + crit + "}", payload(claims("access")));

        assertInvalid(SERVER.get("/api/v1/uploads", token));
    }

    /** The claims (values as JSON) as a payload object. */
    private static String payload(Map<String, String> claims) {
        StringBuilder json = new StringBuilder("{");
        claims.forEach((k, v) -> json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":")
                .append(v));
        return json.append('}').toString();
    }
}
