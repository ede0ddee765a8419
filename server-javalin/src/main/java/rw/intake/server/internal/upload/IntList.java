package rw.intake.server.internal.upload;

import java.util.Arrays;

/** A growable list of ints without boxing: the filter indexes of a staged upload. Not thread-safe. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
        values = new int[Math.max(capacity, 4)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length + (values.length >> 1) + 1);
        }
        values[size++] = value;
    }

    /** Adds {@code value} unless it is already the last element (one record with two matching violations). */
    void addOnce(int value) {
        if (size == 0 || values[size - 1] != value) {
            add(value);
        }
    }

    void set(int index, int value) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        values[index] = value;
    }

    /** In an ascending list: inserts {@code value} where it belongs unless it is there already. */
    void insertSorted(int value) {
        int at = Arrays.binarySearch(values, 0, size, value);
        if (at >= 0) {
            return;
        }
        at = -at - 1;
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length + (values.length >> 1) + 1);
        }
        System.arraycopy(values, at, values, at + 1, size - at);
        values[at] = value;
        size++;
    }

    /** In an ascending list: removes {@code value} if it is there. */
    void removeSorted(int value) {
        int at = Arrays.binarySearch(values, 0, size, value);
        if (at >= 0) {
            System.arraycopy(values, at + 1, values, at, size - at - 1);
            size--;
        }
    }

    int get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return values[index];
    }

    int size() {
        return size;
    }

    void trim() {
        if (values.length > size + 16) {
            values = Arrays.copyOf(values, size);
        }
    }

    /** A copy of the elements. */
    int[] toArray() {
        return Arrays.copyOf(values, size);
    }

    /**
     * Bytes held, approximately. Safe to call from any thread (a metrics gauge): a list published without a barrier
     * may show its array not yet set, counted as none.
     */
    long retainedBytes() {
        int[] v = values;
        return 16L + (v == null ? 0 : 4L * v.length);
    }
}
