package dev.prescient.engine.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size bitmap safe for concurrent setters without locks: used for allocation maps and
 * dirty-block tracking, where every write sets bits from many threads.
 */
public final class AtomicBitmap {
    private final long bits;
    private final AtomicLongArray words;

    public AtomicBitmap(long bits) {
        if (bits < 0 || (bits + 63) / 64 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bitmap size out of range: " + bits);
        }
        this.bits = bits;
        this.words = new AtomicLongArray((int) ((bits + 63) / 64));
    }

    public long size() {
        return bits;
    }

    public boolean get(long i) {
        return (words.get((int) (i >>> 6)) & (1L << i)) != 0;
    }

    /** Sets bit i; returns true if it was clear before. */
    public boolean set(long i) {
        int w = (int) (i >>> 6);
        long mask = 1L << i;
        long old = words.get(w);
        if ((old & mask) != 0) {
            return false; // fast path: no CAS when already set (the common case for hot blocks)
        }
        return (words.getAndAccumulate(w, mask, (a, b) -> a | b) & mask) == 0;
    }

    /** Sets bits [from, to); returns true if any was clear before. */
    public boolean setRange(long from, long to) {
        boolean changed = false;
        for (long i = from; i < to; ) {
            int w = (int) (i >>> 6);
            long end = Math.min(to, ((long) w + 1) << 6);
            long mask = rangeMask(i, end);
            long old = words.get(w);
            if ((old & mask) != mask) {
                old = words.getAndAccumulate(w, mask, (a, b) -> a | b);
                changed |= (old & mask) != mask;
            }
            i = end;
        }
        return changed;
    }

    public void clear(long i) {
        int w = (int) (i >>> 6);
        long mask = ~(1L << i);
        words.getAndAccumulate(w, mask, (a, b) -> a & b);
    }

    public void clearRange(long from, long to) {
        for (long i = from; i < to; ) {
            int w = (int) (i >>> 6);
            long end = Math.min(to, ((long) w + 1) << 6);
            long mask = ~rangeMask(i, end);
            words.getAndAccumulate(w, mask, (a, b) -> a & b);
            i = end;
        }
    }

    private static long rangeMask(long from, long to) {
        int lo = (int) (from & 63);
        int n = (int) (to - from);
        long m = n == 64 ? -1L : ((1L << n) - 1);
        return m << lo;
    }

    /** Index of the first set bit at or after {@code from}, or -1. */
    public long nextSetBit(long from) {
        if (from >= bits) {
            return -1;
        }
        int w = (int) (from >>> 6);
        long word = words.get(w) & (-1L << from);
        while (true) {
            if (word != 0) {
                long i = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return i < bits ? i : -1;
            }
            if (++w >= words.length()) {
                return -1;
            }
            word = words.get(w);
        }
    }

    /** Index of the first clear bit at or after {@code from}, or size() when none. */
    public long nextClearBit(long from) {
        if (from >= bits) {
            return bits;
        }
        int w = (int) (from >>> 6);
        long word = ~words.get(w) & (-1L << from);
        while (true) {
            if (word != 0) {
                long i = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return Math.min(i, bits);
            }
            if (++w >= words.length()) {
                return bits;
            }
            word = ~words.get(w);
        }
    }

    public long cardinality() {
        long n = 0;
        for (int i = 0; i < words.length(); i++) {
            n += Long.bitCount(words.get(i));
        }
        return n;
    }

    /**
     * Atomically takes and clears all bits: the result holds exactly the bits set before, and a
     * concurrent set either lands in the result or stays in this bitmap, never lost.
     */
    public AtomicBitmap drain() {
        AtomicBitmap out = new AtomicBitmap(bits);
        for (int i = 0; i < words.length(); i++) {
            if (words.get(i) != 0) {
                out.words.set(i, words.getAndSet(i, 0));
            }
        }
        return out;
    }

    /** ORs all bits of {@code other} into this one. */
    public void or(AtomicBitmap other) {
        for (int i = 0; i < Math.min(words.length(), other.words.length()); i++) {
            long v = other.words.get(i);
            if (v != 0) {
                words.getAndAccumulate(i, v, (a, b) -> a | b);
            }
        }
    }

    public long[] toLongArray() {
        long[] a = new long[words.length()];
        for (int i = 0; i < a.length; i++) {
            a[i] = words.get(i);
        }
        return a;
    }

    public static AtomicBitmap fromLongArray(long bits, long[] a) {
        AtomicBitmap b = new AtomicBitmap(bits);
        for (int i = 0; i < Math.min(a.length, b.words.length()); i++) {
            b.words.set(i, a[i]);
        }
        return b;
    }
}
