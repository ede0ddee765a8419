package rw.intake.validation.internal;

/** Bit mixing for the duplicate index. */
final class Hashing {

    private Hashing() {}

    /** The murmur3 64-bit finalizer: a bijection that spreads every input bit over the output. */
    static long mix(long k) {
        long h = k;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
