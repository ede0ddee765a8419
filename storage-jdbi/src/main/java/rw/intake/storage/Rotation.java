package rw.intake.storage;

/** What became of a refresh token presented for rotation ({@link AccountStore#rotateRefreshToken}). */
public enum Rotation {
    /** It was unused: it is now used, and its successor is stored. */
    ROTATED,
    /** It had been used before: its whole family was revoked, the successor is not stored. */
    REUSED,
    /** No such usable token: revoked, expired, issued to another account, or never stored. */
    UNKNOWN
}
