package rw.intake.validation.internal;

/**
 * The duplicate index of one key kind: for each distinct {@code long} key, the first row it stood on. Open
 * addressing with linear probing over primitive arrays; capacities are not powers of two (a slot is chosen by
 * multiply-shift) so the table can grow by half rather than double, keeping the load between 0.53 and 0.8.
 *
 * <p>Two tables: a <em>packed</em> one where a key below 2<sup>42</sup> and its row below 2<sup>22</sup> share one
 * {@code long} (8 bytes a slot: phone numbers, whose E.164 digits fit), and a <em>wide</em> one, an {@code int} array
 * with three {@code int}s a slot: the key's high and low halves and the row (12 bytes a slot: NIDs, email hashes,
 * anything larger). Either way a slot's key and row sit side by side, so a probe that finds its slot empty (the
 * common case: most keys are new) costs one cache miss, and the same probe inserts. Row 0 marks an empty slot.
 * Not thread-safe.
 */
public final class FirstRowIndex {

    static final int ROW_BITS = 22;
    static final int KEY_BITS = 64 - ROW_BITS;
    private static final long ROW_MASK = (1L << ROW_BITS) - 1;
    private static final int MIN_CAPACITY = 16;
    private static final long EMPTY = 0;
    /** {@code int}s per wide slot: key high half, key low half, row. */
    private static final int WIDE = 3;

    private long[] packed;
    private int packedSize;
    /** Wide slots, {@link #WIDE} ints each; a slot is empty when its row is 0. */
    private int[] wide;

    private int wideCapacity;
    private int wideSize;

    /** An empty index that grows as keys come. */
    public FirstRowIndex() {
        this(0, false);
    }

    /**
     * An index sized for {@code expectedKeys} distinct keys from the start, so it need not grow (and re-place its
     * keys) on the way: in the packed table when {@code packed}, else in the wide one.
     */
    public FirstRowIndex(int expectedKeys, boolean packed) {
        if (expectedKeys < 0) {
            throw new IllegalArgumentException("expectedKeys must be >= 0: " + expectedKeys);
        }
        long wanted = expectedKeys == 0 ? 0 : Math.max(MIN_CAPACITY, expectedKeys * 5L / 4 + 1);
        int capacity = (int) Math.min((Integer.MAX_VALUE - 8) / WIDE, wanted);
        this.packed = new long[packed ? capacity : 0];
        this.wideCapacity = packed ? 0 : capacity;
        this.wide = new int[wideCapacity * WIDE];
    }

    /**
     * Records that {@code key} stands on {@code row} unless it stood on an earlier row.
     *
     * @return the first row the key stood on, or 0 if this is its first occurrence
     */
    public int firstRow(long key, int row) {
        if (row < 1) {
            throw new IllegalArgumentException("row must be >= 1: " + row);
        }
        boolean packable = key >= 0 && key < (1L << KEY_BITS);
        if (!packable) {
            return firstRowWide(key, row);
        }
        if (wideSize == 0 && row <= ROW_MASK) {
            return firstRowPacked(key, row);
        }
        // A packable key may stand in either table (the wide one holds those whose row did not fit).
        int earlier = findPacked(key);
        if (earlier > 0) {
            return earlier;
        }
        if (row <= ROW_MASK) {
            earlier = findWide(key);
            if (earlier > 0) {
                return earlier;
            }
            insertPacked(key << ROW_BITS | row);
            return 0;
        }
        return firstRowWide(key, row);
    }

    /**
     * Reads the slot where the probe for {@code key} starts, changing nothing, and returns what it holds. Called for a
     * run of keys before they are looked up, it lets their cache misses overlap (no load waits for another), where one
     * probe after another waits for each miss in turn; the probes then find their slots in the cache.
     */
    public long touch(long key) {
        if (key >= 0 && key < (1L << KEY_BITS) && packed.length > 0) {
            return packed[slot(key, packed.length)];
        }
        return wideCapacity == 0 ? 0 : wide[slot(key, wideCapacity) * WIDE + 2];
    }

    /** Distinct keys held. */
    public int size() {
        return packedSize + wideSize;
    }

    /** Bytes held by the arrays (with their 16-byte headers). */
    public long retainedBytes() {
        return 16L * 2 + 8L * packed.length + 4L * wide.length;
    }

    private static int slot(long key, int capacity) {
        return (int) (((Hashing.mix(key) >>> 32) * capacity) >>> 32);
    }

    /** The packed table alone: one probe finds the key or the empty slot where it goes. */
    private int firstRowPacked(long key, int row) {
        long[] table = packed;
        int cap = table.length;
        if (cap > 0) {
            for (int i = slot(key, cap); ; i = i + 1 == cap ? 0 : i + 1) {
                long e = table[i];
                if (e == EMPTY) {
                    if (packedSize + 1 > cap * 4L / 5) {
                        break;
                    }
                    table[i] = key << ROW_BITS | row;
                    packedSize++;
                    return 0;
                }
                if (e >>> ROW_BITS == key) {
                    return (int) (e & ROW_MASK);
                }
            }
        }
        insertPacked(key << ROW_BITS | row);
        return 0;
    }

    private int findPacked(long key) {
        int cap = packed.length;
        if (cap == 0) {
            return 0;
        }
        for (int i = slot(key, cap); ; i = i + 1 == cap ? 0 : i + 1) {
            long e = packed[i];
            if (e == EMPTY) {
                return 0;
            }
            if (e >>> ROW_BITS == key) {
                return (int) (e & ROW_MASK);
            }
        }
    }

    private void insertPacked(long entry) {
        if (packedSize + 1 > packed.length * 4L / 5) {
            long[] old = packed;
            packed = new long[grown(old.length)];
            for (long e : old) {
                if (e != EMPTY) {
                    placePacked(e);
                }
            }
        }
        placePacked(entry);
        packedSize++;
    }

    private void placePacked(long entry) {
        int cap = packed.length;
        int i = slot(entry >>> ROW_BITS, cap);
        while (packed[i] != EMPTY) {
            i = i + 1 == cap ? 0 : i + 1;
        }
        packed[i] = entry;
    }

    /** The wide table alone: one probe finds the key or the empty slot where it goes. */
    private int firstRowWide(long key, int row) {
        int[] table = wide;
        int cap = wideCapacity;
        if (cap > 0) {
            int hi = (int) (key >>> 32);
            int lo = (int) key;
            for (int i = slot(key, cap) * WIDE; ; i = i + WIDE == table.length ? 0 : i + WIDE) {
                int r = table[i + 2];
                if (r == 0) {
                    if (wideSize + 1 > cap * 4L / 5) {
                        break;
                    }
                    table[i] = hi;
                    table[i + 1] = lo;
                    table[i + 2] = row;
                    wideSize++;
                    return 0;
                }
                if (table[i] == hi && table[i + 1] == lo) {
                    return r;
                }
            }
        }
        growWide();
        placeWide(key, row);
        wideSize++;
        return 0;
    }

    private int findWide(long key) {
        int[] table = wide;
        int cap = wideCapacity;
        if (cap == 0) {
            return 0;
        }
        int hi = (int) (key >>> 32);
        int lo = (int) key;
        for (int i = slot(key, cap) * WIDE; ; i = i + WIDE == table.length ? 0 : i + WIDE) {
            int r = table[i + 2];
            if (r == 0) {
                return 0;
            }
            if (table[i] == hi && table[i + 1] == lo) {
                return r;
            }
        }
    }

    private void growWide() {
        int[] old = wide;
        int capacity = grown(wideCapacity);
        if (capacity > (Integer.MAX_VALUE - 8) / WIDE) {
            throw new IllegalStateException("duplicate index full");
        }
        wideCapacity = capacity;
        wide = new int[capacity * WIDE];
        for (int i = 0; i < old.length; i += WIDE) {
            if (old[i + 2] != 0) {
                placeWide((long) old[i] << 32 | (old[i + 1] & 0xFFFF_FFFFL), old[i + 2]);
            }
        }
    }

    private void placeWide(long key, int row) {
        int[] table = wide;
        int i = slot(key, wideCapacity) * WIDE;
        while (table[i + 2] != 0) {
            i = i + WIDE == table.length ? 0 : i + WIDE;
        }
        table[i] = (int) (key >>> 32);
        table[i + 1] = (int) key;
        table[i + 2] = row;
    }

    private static int grown(int capacity) {
        long next = Math.max(MIN_CAPACITY, capacity + (capacity >> 1));
        if (next > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("duplicate index full");
        }
        return (int) next;
    }
}
