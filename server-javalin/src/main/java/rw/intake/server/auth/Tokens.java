package rw.intake.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import rw.intake.server.ApiException;

/**
 * Access and refresh tokens: HS256 JWTs signed with the server's secret. Verification is strict: the algorithm must
 * be HS256 ({@code alg: none} and every other algorithm are refused), the signature must match, the token must not be
 * expired (no leeway), the issuer must be ours, and the token type ({@code typ} claim) must be the one the route
 * expects, so a refresh token is never accepted as an access token. An access token that passed all of that is
 * remembered (by its exact text) for at most a minute and never past its own expiry, so that paging clients do not
 * pay for an HMAC and a JSON parse on every request. Thread-safe.
 */
public final class Tokens {

    public static final String ISSUER = "intake";
    static final String ACCESS = "access";
    static final String REFRESH = "refresh";
    private static final int MIN_SECRET_BYTES = 32;

    private final Algorithm algorithm;
    private final JWTVerifier accessVerifier;
    private final JWTVerifier refreshVerifier;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Clock clock;
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    private Tokens(byte[] secret, Duration accessTtl, Duration refreshTtl, Clock clock) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        this.algorithm = Algorithm.HMAC256(secret);
        this.accessVerifier = verifier(ACCESS, clock);
        this.refreshVerifier = verifier(REFRESH, clock);
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
        this.clock = clock;
    }

    /** Tokens signed with {@code secret} (UTF-8, at least 32 bytes). */
    public static Tokens create(String secret, Duration accessTtl, Duration refreshTtl, Clock clock) {
        return new Tokens(secret.getBytes(StandardCharsets.UTF_8), accessTtl, refreshTtl, clock);
    }

    private JWTVerifier verifier(String type, Clock c) {
        return ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withIssuer(ISSUER)
                .withClaim("typ", type)
                .withClaimPresence("role")
                .withClaimPresence("sub")
                .acceptLeeway(0))
                .build(c);
    }

    /** A new pair for this account. */
    public Issued issue(Principal p) {
        Instant now = clock.instant();
        return new Issued(sign(p, ACCESS, now, accessTtl), sign(p, REFRESH, now, refreshTtl), accessTtl.toSeconds());
    }

    private String sign(Principal p, String type, Instant now, Duration ttl) {
        return JWT.create()
                .withIssuer(ISSUER)
                .withSubject(p.username())
                .withClaim("role", p.role())
                .withClaim("typ", type)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .withJWTId(UUID.randomUUID().toString())
                .sign(algorithm);
    }

    /**
     * The caller of a valid access token.
     *
     * @throws ApiException 401 {@code auth.invalid_token} or {@code auth.token_expired}
     */
    public Principal verifyAccess(String token) {
        Verified v = verified.getIfPresent(token);
        if (v != null && clock.millis() < v.expiresAtMillis()) {
            return v.principal();
        }
        DecodedJWT jwt = decode(accessVerifier, token);
        Principal p = principal(jwt);
        verified.put(token, new Verified(p, jwt.getExpiresAtAsInstant().toEpochMilli()));
        return p;
    }

    /** The caller of a valid refresh token; 401 as {@link #verifyAccess}. */
    public Principal verifyRefresh(String token) {
        return principal(decode(refreshVerifier, token));
    }

    private static Principal principal(DecodedJWT jwt) {
        try {
            return new Principal(jwt.getSubject(), jwt.getClaim("role").asString());
        } catch (NullPointerException ex) {
            throw new ApiException(401, "auth.invalid_token", "Unauthorized", "the token is not valid");
        }
    }

    private static DecodedJWT decode(JWTVerifier verifier, String token) {
        try {
            return verifier.verify(token);
        } catch (TokenExpiredException ex) {
            throw new ApiException(401, "auth.token_expired", "Unauthorized", "the token has expired");
        } catch (JWTVerificationException | IllegalArgumentException | NullPointerException ex) {
            throw new ApiException(401, "auth.invalid_token", "Unauthorized", "the token is not valid");
        }
    }

    private record Verified(Principal principal, long expiresAtMillis) {
    }

    /** A token pair as the token routes return it. */
    public record Issued(String access, String refresh, long expiresIn) {
    }
}
