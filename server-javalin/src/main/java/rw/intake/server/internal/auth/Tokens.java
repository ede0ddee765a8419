package rw.intake.server.internal.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import rw.intake.server.internal.http.ApiException;

/**
 * Access and refresh tokens: HS256 JWTs signed with the server's secret. Verification is strict: the algorithm must
 * be HS256 ({@code alg: none} and every other algorithm are refused), the signature must match, the token must not be
 * expired (no leeway), the issuer must be ours, and the token type ({@code typ} claim) must be the one the route
 * expects, so a refresh token is never accepted as an access token. Every claim the server relies on must be there
 * with its type ({@code sub}, {@code jti} and, on a refresh token, {@code fam} non-empty strings; {@code role}
 * {@code clerk} or {@code admin}; {@code exp} and {@code iat} numbers): a validly signed token lacking one, or with
 * a claim of another type, is a 401 {@code auth.invalid_token} like any other bad token. A refresh token carries
 * its id ({@code jti}) and its family ({@code fam}, shared by the tokens rotated from one login), which the token
 * routes check against the database. An access token that passed all of that is remembered (by its exact text) for
 * at most a minute and never past its own expiry, so that paging clients do not pay for an HMAC and a JSON parse on
 * every request. Thread-safe.
 */
public final class Tokens {

    public static final String ISSUER = "intake";
    static final String ACCESS = "access";
    static final String REFRESH = "refresh";
    /** The access token's claim holding its password stamp. */
    static final String STAMP = "cst";

    /** The fewest bytes {@code JWT_SECRET} may have (HS256's key is 256 bits). */
    public static final int MIN_SECRET_BYTES = 32;

    private final Algorithm algorithm;
    private final JWTVerifier accessVerifier;
    private final JWTVerifier refreshVerifier;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Clock clock;
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

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
                        .withClaimPresence("exp")
                        .withClaimPresence("iat")
                        .withClaimPresence("jti")
                        .acceptLeeway(0))
                .build(c);
    }

    /** A new pair for this caller, which has no account's password behind it; as {@link #issue(Principal, String, String)}. */
    public Issued issue(Principal p, String family) {
        return issue(p, family, null);
    }

    /**
     * A new pair for this account; the refresh token belongs to {@code family}, and the access token carries
     * {@code stamp} ({@link AccountStanding#stampOf}: the account's password as it is now) unless it is null.
     */
    public Issued issue(Principal p, String family, String stamp) {
        Instant now = clock.instant();
        String refreshId = UUID.randomUUID().toString();
        Instant refreshExpiresAt = now.plus(refreshTtl);
        JWTCreator.Builder accessClaims = sign(p, ACCESS, UUID.randomUUID().toString(), now, now.plus(accessTtl));
        if (stamp != null) {
            accessClaims.withClaim(STAMP, stamp);
        }
        String access = accessClaims.sign(algorithm);
        String refresh = sign(p, REFRESH, refreshId, now, refreshExpiresAt)
                .withClaim("fam", family)
                .sign(algorithm);
        return new Issued(access, refresh, accessTtl.toSeconds(), refreshId, family, refreshExpiresAt);
    }

    private static JWTCreator.Builder sign(Principal p, String type, String id, Instant now, Instant expiresAt) {
        return JWT.create()
                .withIssuer(ISSUER)
                .withSubject(p.username())
                .withClaim("role", p.role())
                .withClaim("typ", type)
                .withIssuedAt(now)
                .withExpiresAt(expiresAt)
                .withJWTId(id);
    }

    /** Now, by the clock the tokens are issued and checked with. */
    Instant now() {
        return clock.instant();
    }

    /**
     * The caller of a valid access token.
     *
     * @throws ApiException 401 {@code auth.invalid_token} or {@code auth.token_expired}
     */
    public Principal verifyAccess(String token) {
        return verifyStampedAccess(token).principal();
    }

    /** As {@link #verifyAccess}, with the token's password stamp (null if it has none). */
    public Access verifyStampedAccess(String token) {
        Verified v = verified.getIfPresent(token);
        if (v != null && clock.millis() < v.expiresAtMillis()) {
            return v.access();
        }
        DecodedJWT jwt = decode(accessVerifier, token);
        Claim stamp = jwt.getClaim(STAMP);
        if (!stamp.isMissing() && (stamp.asString() == null || stamp.asString().isEmpty())) {
            throw invalid();
        }
        Access access = new Access(
                principal(jwt),
                stamp.isMissing() ? null : stamp.asString(),
                jwt.getIssuedAtAsInstant().getEpochSecond());
        verified.put(token, new Verified(access, jwt.getExpiresAtAsInstant().toEpochMilli()));
        return access;
    }

    /** The claims of a valid refresh token; 401 as {@link #verifyAccess}. */
    public RefreshClaims verifyRefresh(String token) {
        DecodedJWT jwt = decode(refreshVerifier, token);
        return new RefreshClaims(principal(jwt), jwt.getId(), text(jwt, "fam"));
    }

    /** The principal of a verified token whose claims all have their types; else 401. */
    private static Principal principal(DecodedJWT jwt) {
        String role = text(jwt, "role");
        if (!Principal.ADMIN.equals(role) && !Principal.CLERK.equals(role)) {
            throw invalid();
        }
        text(jwt, "jti");
        return new Principal(text(jwt, "sub"), role);
    }

    /** A claim that must be a non-empty string. */
    private static String text(DecodedJWT jwt, String claim) {
        String v = jwt.getClaim(claim).asString();
        if (v == null || v.isEmpty()) {
            throw invalid();
        }
        return v;
    }

    private static ApiException invalid() {
        return ApiException.unauthorized(
                "auth.invalid_token", "the token is not valid", ApiException.BEARER_INVALID_TOKEN);
    }

    private static DecodedJWT decode(JWTVerifier verifier, String token) {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException ex) {
            throw ApiException.unauthorized(
                    "auth.token_expired", "the token has expired", ApiException.BEARER_INVALID_TOKEN);
        } catch (
                RuntimeException
                        ex) { // JWTVerificationException, and whatever a hostile payload makes the parser throw
            throw invalid();
        }
        // a critical header names extensions the token must be understood with (RFC 7515, 4.1.11): intake knows none
        if (jwt.getExpiresAtAsInstant() == null
                || jwt.getIssuedAtAsInstant() == null
                || !jwt.getHeaderClaim("crit").isMissing()) {
            throw invalid();
        }
        return jwt;
    }

    private record Verified(Access access, long expiresAtMillis) {}

    /**
     * A verified access token: its caller, the stamp of the account's password it was issued under (or null), and when
     * it was issued (its {@code iat}, seconds since the epoch).
     */
    public record Access(Principal principal, String stamp, long issuedAtSecond) {}

    /**
     * A token pair as the token routes return it, with what the database keeps of the refresh token.
     *
     * @param expiresIn the access token's lifetime in seconds
     */
    public record Issued(
            String access, String refresh, long expiresIn, String refreshId, String family, Instant refreshExpiresAt) {}

    /** What a verified refresh token says: whose it is, its id and its family. */
    public record RefreshClaims(Principal principal, String id, String family) {}
}
