package rw.intake.storage;

/** What became of a refresh token presented for rotation ({@link AccountStore#rotateRefreshToken}). */
public enum Rotation {
    /** It was unused: it is now used, and its successor is stored. */
    ROTATED,
    /**
     * It had been used a short while before and its successor was not used yet: that successor is spent, and the new
     * one stored in its place (the answer to the first use was lost, most likely).
     */
    RESENT,
    /** It had been used before: its whole family was revoked, the successor is not stored. */
    REUSED,
    /** No such usable token: revoked, expired, issued to another account, or never stored. */
    UNKNOWN
}
