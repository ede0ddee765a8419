package rw.intake.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A split-block Bloom filter over NIDs: blocks of 512 bits (8 longs, one cache line); a key picks one block and sets
 * one bit in each of its 8 words. A query reads one cache line. At {@value #BITS_PER_KEY} bits per planned key the
 * false-positive rate is about 1 % when full and a fraction of that below capacity; there are no false negatives.
 *
 * <p>Words are read and written with opaque access (no torn longs); adds must be serialized by the caller, and a reader
 * sees the keys added before a volatile write it has read (the owner publishes that way).
 */
final class NidBloom {

    /** Bits per planned key: 1.25 bytes per NID at capacity. */
    static final int BITS_PER_KEY = 10;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    /** One odd multiplier per word of a block (those of Parquet's split-block filter). */
    private static final int[] SALT = {
        0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31
    };

    private static final int WORDS_PER_BLOCK = 8;
    private static final int MAX_BLOCKS = Integer.MAX_VALUE / WORDS_PER_BLOCK;

    private final long[] words;
    private final long blocks;
    private final long capacity;
    /** Keys that set at least one bit (distinct keys, less the rare ones that were false positives). */
    private long keys;

    NidBloom(long capacity) {
        long bits = Math.max(1, capacity) * BITS_PER_KEY;
        this.blocks = Math.min(MAX_BLOCKS, (bits + 511) / 512);
        this.words = new long[(int) blocks * WORDS_PER_BLOCK];
        this.capacity = capacity;
    }

    /**
     * The key of a NID: a normalized NID (16 ASCII digits) is its number; anything else hashes (a collision only makes
     * a false positive).
     */
    static long key(String nid) {
        long number = number(nid);
        return number >= 0 ? number : hash(nid);
    }

    /**
     * The number of 16 ASCII digits, or -1 for anything else. A registered (valid) NID's number is at least 10^15 (its
     * first digit is 1, 2 or 3), and is how {@code registered_nids} holds it.
     */
    static long number(String nid) {
        if (nid.length() != 16) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < 16; i++) {
            int digit = nid.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static long hash(String text) {
        long h = 1125899906842597L;
        for (int i = 0; i < text.length(); i++) {
            h = 31 * h + text.charAt(i);
        }
        return ~h;
    }

    /** SplitMix64's finalizer (Stafford's mix 13): every key bit reaches every hash bit. */
    private static long mix(long key) {
        long z = (key ^ (key >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The first word of the key's block: the hash's high half scaled to the block count. */
    private int base(long hash) {
        return (int) (((hash >>> 32) * blocks) >>> 32) * WORDS_PER_BLOCK;
    }

    /** False if the key was never added; true if it was, or (rarely) by chance. */
    boolean mightContain(long key) {
        long h = mix(key);
        int base = base(h);
        int x = (int) h;
        for (int i = 0; i < WORDS_PER_BLOCK; i++) {
            long bit = 1L << ((x * SALT[i]) >>> 26);
            if (((long) WORDS.getOpaque(words, base + i) & bit) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Adds a key (callers serialize adds); true if it set a bit, i.e. it was not in the filter. */
    boolean add(long key) {
        long h = mix(key);
        int base = base(h);
        int x = (int) h;
        boolean added = false;
        for (int i = 0; i < WORDS_PER_BLOCK; i++) {
            long bit = 1L << ((x * SALT[i]) >>> 26);
            long word = (long) WORDS.getOpaque(words, base + i);
            if ((word & bit) == 0) {
                WORDS.setOpaque(words, base + i, word | bit);
                added = true;
            }
        }
        if (added) {
            keys++;
        }
        return added;
    }

    /** Distinct keys added (read under the adders' lock). */
    long keys() {
        return keys;
    }

    /** The keys planned for: past it the false-positive rate climbs, and the owner rebuilds the filter larger. */
    long capacity() {
        return capacity;
    }

    /** The filter's size in bytes. */
    long bytes() {
        return (long) words.length * Long.BYTES;
    }
}
