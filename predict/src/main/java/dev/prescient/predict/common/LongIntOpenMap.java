package dev.prescient.predict.common;

import java.util.Arrays;

/**
 * Open-addressing map from long keys to dense int slots (0, 1, 2, ... in insertion order), with
 * linear probing and no boxing. The probe table holds only int entries (key checks go through
 * the dense key array), so a key costs 8 bytes plus about 6 bytes of table. Models keep their
 * per-key state in parallel primitive arrays indexed by the slot. Keys are never removed
 * (models forget by decay, not by deletion).
 *
 * <p>An entry is {@code slot + 1} in its low {@code log2(table size)} bits and a fingerprint of
 * the key's hash in the bits above, which the slot never needs (slots stay below the table
 * size). A probe reads the key array only when the fingerprint matches: in a large map each such
 * read is a cache miss, and without fingerprints every collision on the probe path paid one.
 */
public final class LongIntOpenMap {
    private int[] table; // fingerprint << bits | (slot + 1); 0 = empty
    private int mask;
    private int bits; // log2(table.length)
    private int size;
    private long[] slotKeys;

    public LongIntOpenMap(int expected) {
        int cap = tableCapacity(Math.max(4, expected));
        table = new int[cap];
        mask = cap - 1;
        bits = Integer.numberOfTrailingZeros(cap);
        slotKeys = new long[Math.max(4, expected)];
    }

    private static int tableCapacity(int n) {
        long want = (long) Math.ceil(n / 0.7) + 1;
        long cap = Long.highestOneBit(want - 1) << 1;
        if (cap > 1 << 30) {
            throw new IllegalArgumentException("too many keys: " + n);
        }
        return (int) Math.max(8, cap);
    }

    private static long hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    /** The fingerprint bits of an entry: the top bits of the hash (the index uses the low ones). */
    private int fingerprint(long h) {
        return (int) (h >>> (32 + bits)) << bits;
    }

    /** Slot of the key, or -1. */
    public int get(long key) {
        long h = hash(key);
        int fp = fingerprint(h);
        int i = (int) h & mask;
        while (true) {
            int e = table[i];
            if (e == 0) {
                return -1;
            }
            if ((e & ~mask) == fp) {
                int s = (e & mask) - 1;
                if (slotKeys[s] == key) {
                    return s;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /** Slot of the key, adding it with the next free slot when absent. */
    public int intern(long key) {
        long h = hash(key);
        int fp = fingerprint(h);
        int i = (int) h & mask;
        while (true) {
            int e = table[i];
            if (e == 0) {
                int slot = size++;
                if (slot >= slotKeys.length) {
                    slotKeys = Arrays.copyOf(slotKeys, slotKeys.length * 2);
                }
                slotKeys[slot] = key;
                table[i] = fp | (slot + 1);
                if (size > (mask + 1) * 0.7) {
                    grow();
                }
                return slot;
            }
            if ((e & ~mask) == fp) {
                int s = (e & mask) - 1;
                if (slotKeys[s] == key) {
                    return s;
                }
            }
            i = (i + 1) & mask;
        }
    }

    public int size() {
        return size;
    }

    /** Capacity of the dense slot arrays (callers size their parallel arrays to this). */
    public int slotCapacity() {
        return slotKeys.length;
    }

    /** The key stored at a slot. */
    public long keyAt(int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException(slot);
        }
        return slotKeys[slot];
    }

    /** Bytes held by the map's arrays (for the cost report). */
    public long bytes() {
        return table.length * 4L + slotKeys.length * 8L;
    }

    private void grow() {
        int cap = table.length * 2;
        table = new int[cap];
        mask = cap - 1;
        bits = Integer.numberOfTrailingZeros(cap);
        for (int slot = 0; slot < size; slot++) {
            long h = hash(slotKeys[slot]);
            int i = (int) h & mask;
            while (table[i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = fingerprint(h) | (slot + 1);
        }
    }
}
