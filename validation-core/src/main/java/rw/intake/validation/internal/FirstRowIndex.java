package rw.intake.validation.internal;

/**
 * The duplicate index of one key kind: for each distinct {@code long} key, the first row it stood on. Open
 * addressing with linear probing over primitive arrays; capacities are not powers of two (a slot is chosen by
 * multiply-shift) so the table can grow by half rather than double, keeping the load between 0.53 and 0.8.
 *
 * <p>Two tables: a <em>packed</em> one where a key below 2<sup>42</sup> and its row below 2<sup>22</sup> share one
 * {@code long} (8 bytes a slot: phone numbers, whose E.164 digits fit), and a <em>wide</em> one, a {@code long} key
 * array beside an {@code int} row array (12 bytes a slot: NIDs, email hashes, anything larger). Not thread-safe.
 */
public final class FirstRowIndex {

    static final int ROW_BITS = 22;
    static final int KEY_BITS = 64 - ROW_BITS;
    private static final long ROW_MASK = (1L << ROW_BITS) - 1;
    private static final int MIN_CAPACITY = 16;
    private static final long EMPTY = 0;
    /** Stands for key 0 in the wide table, where 0 marks an empty slot. */
    private static final long ZERO_KEY = Long.MIN_VALUE;

    private long[] packed;
    private int packedSize;
    private long[] wideKeys;
    private int[] wideRows;
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
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, wanted);
        this.packed = new long[packed ? capacity : 0];
        this.wideKeys = new long[packed ? 0 : capacity];
        this.wideRows = new int[wideKeys.length];
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
        if (packable) {
            int earlier = findPacked(key);
            if (earlier > 0) {
                return earlier;
            }
        }
        if (!packable || wideSize > 0) {
            int earlier = findWide(key);
            if (earlier > 0) {
                return earlier;
            }
        }
        if (packable && row <= ROW_MASK) {
            insertPacked(key << ROW_BITS | row);
        } else {
            insertWide(key, row);
        }
        return 0;
    }

    /** Distinct keys held. */
    public int size() {
        return packedSize + wideSize;
    }

    /** Bytes held by the arrays (with their 16-byte headers). */
    public long retainedBytes() {
        return 16L * 3 + 8L * packed.length + 8L * wideKeys.length + 4L * wideRows.length;
    }

    private static int slot(long key, int capacity) {
        return (int) (((Hashing.mix(key) >>> 32) * capacity) >>> 32);
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

    private int findWide(long key) {
        int cap = wideKeys.length;
        if (cap == 0) {
            return 0;
        }
        long k = key == 0 ? ZERO_KEY : key;
        for (int i = slot(k, cap); ; i = i + 1 == cap ? 0 : i + 1) {
            long e = wideKeys[i];
            if (e == EMPTY) {
                return 0;
            }
            if (e == k) {
                return wideRows[i];
            }
        }
    }

    private void insertWide(long key, int row) {
        if (wideSize + 1 > wideKeys.length * 4L / 5) {
            long[] oldKeys = wideKeys;
            int[] oldRows = wideRows;
            wideKeys = new long[grown(oldKeys.length)];
            wideRows = new int[wideKeys.length];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    placeWide(oldKeys[i], oldRows[i]);
                }
            }
        }
        placeWide(key == 0 ? ZERO_KEY : key, row);
        wideSize++;
    }

    private void placeWide(long k, int row) {
        int cap = wideKeys.length;
        int i = slot(k, cap);
        while (wideKeys[i] != EMPTY) {
            i = i + 1 == cap ? 0 : i + 1;
        }
        wideKeys[i] = k;
        wideRows[i] = row;
    }

    private static int grown(int capacity) {
        long next = Math.max(MIN_CAPACITY, capacity + (capacity >> 1));
        if (next > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("duplicate index full");
        }
        return (int) next;
    }

}
