package rw.intake.server.internal.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow password hashes: PBKDF2-HMAC-SHA256 with a random 16-byte salt. The encoded form carries its own iteration
 * count ({@code pbkdf2-sha256$ITER$SALT$HASH}, Base64), so the cost can be raised later without breaking old hashes.
 * It may end in a mark ({@code $MARK}, {@link #remarked}) that changes the encoded hash, and with it the stamp its
 * access tokens carry ({@link AccountStanding#stampOf}), without changing the password it verifies. Thread-safe.
 */
public final class Passwords {

    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 210_000;

    private static final String PREFIX = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {}

    /** A new encoded hash of {@code password}. */
    public static String hash(String password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /**
     * A new encoded hash of {@code password} at {@code iterations}; {@link #verify} takes as long. Below
     * {@link #DEFAULT_ITERATIONS} only for fixtures whose passwords protect nothing, such as the tests' clerks.
     */
    public static String hash(String password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] h = pbkdf2(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
    }

    /** Whether {@code password} matches the encoded hash; false for a malformed hash. Constant-time compare. */
    public static boolean verify(String password, String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
        if ((parts.length != 4 && parts.length != 5) || !PREFIX.equals(parts[0])) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
        } catch (IllegalArgumentException ex) {
            return false;
        }
    }

    /**
     * The same hash (of the same password) with a new random mark in place of any it had: every access token issued
     * under the old encoded form is refused from then on, as after a password change, while the password stays.
     */
    public static String remarked(String encoded) {
        String[] parts = encoded.split("\\$");
        String hash = parts.length == 5 ? encoded.substring(0, encoded.lastIndexOf('$')) : encoded;
        byte[] mark = new byte[9];
        RANDOM.nextBytes(mark);
        return hash + "$" + Base64.getUrlEncoder().withoutPadding().encodeToString(mark);
    }

    /** A random password of 20 URL-safe characters, for a first admin or a new user. */
    public static String random() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", ex);
        } finally {
            spec.clearPassword();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
