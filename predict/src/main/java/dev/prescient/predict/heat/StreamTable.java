package dev.prescient.predict.heat;

import java.util.Arrays;

/**
 * A fixed number of sequential streams, each the last extent it reached, the extent it stood at
 * the previous window end, its last touch and its smoothed advance per window.
 *
 * <p>An access to extent {@code e} joins the lowest-numbered stream whose last extent {@code l}
 * lies in {@code (e - gap, e + gap]}: it advances the stream when {@code e > l}, otherwise it is
 * a re-read inside the stream's tail and only touches it. With no such stream, {@code e} starts
 * a new stream in a free entry or in place of the least recently touched one.
 *
 * <p>Both lookups are O(1) per event: a small hash keyed by {@code floor(l / BLOCK)} finds the
 * streams whose last extent is near {@code e} (two blocks cover the window), and a doubly linked
 * recency list gives the least recently touched stream. With non-decreasing times the list order
 * is the order of touch times, so the victim is the stream with the oldest touch; a per-event
 * linear scan of the table used to cost more than the rest of the predictor.
 */
final class StreamTable {
    /** Width of a hash block in extents; a match window of 2 * gap must span at most two blocks. */
    private static final int BLOCK_SHIFT = 3;

    private final int capacity;
    private final int gap;
    final long[] last;
    final long[] mark;
    final long[] touch;
    final double[] advance;
    private int count;
    private int hint;

    // hash of streams by block of their last extent: entry = stream + 1, 0 = empty
    private final int[] buckets;
    private final int bucketMask;

    // recency list: head = least recently touched
    private final int[] prev;
    private final int[] next;
    private int head = -1;
    private int tail = -1;

    /**
     * @param capacity number of streams kept (1..4096)
     * @param gap      how far ahead (and back) of a stream's last extent an access still joins it (1..4)
     */
    StreamTable(int capacity, int gap) {
        if (capacity < 1 || capacity > 4096 || gap < 1 || 2 * gap > (1 << BLOCK_SHIFT)) {
            throw new IllegalArgumentException("need 1 <= capacity <= 4096 and 1 <= gap <= "
                    + (1 << BLOCK_SHIFT) / 2 + ", got " + capacity + ", " + gap);
        }
        this.capacity = capacity;
        this.gap = gap;
        last = new long[capacity];
        mark = new long[capacity];
        touch = new long[capacity];
        advance = new double[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        int size = Integer.highestOneBit(capacity * 4 - 1) << 1;
        buckets = new int[size];
        bucketMask = size - 1;
        clear();
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return count;
    }

    /** Records an access to extent e at time t. */
    void observe(long e, long t) {
        int h = hint;
        if (h < count && e > last[h] && e <= last[h] + gap) {
            move(h, e); // the stream of the previous access continues: the common sequential case
            touch(h, t);
            return;
        }
        int j = find(e);
        if (j >= 0) {
            if (e > last[j]) {
                move(j, e);
            } // else a re-read inside the stream's tail: no advance
            touch(j, t);
            hint = j;
            return;
        }
        if (count < capacity) {
            j = count++;
        } else {
            j = head;
            unlink(j);
            removeFromHash(j);
        }
        last[j] = e;
        mark[j] = e;
        advance[j] = 0;
        insertIntoHash(j);
        touch(j, t);
        hint = j;
    }

    /** At a window end: each stream's advance since the previous end, smoothed. */
    void endWindow() {
        for (int j = 0; j < count; j++) {
            double a = last[j] - mark[j];
            advance[j] = advance[j] == 0 ? a : 0.5 * advance[j] + 0.5 * a;
            mark[j] = last[j];
        }
    }

    /** The lowest-numbered stream that e joins, or -1. */
    private int find(long e) {
        long lo = Math.floorDiv(e - gap, 1L << BLOCK_SHIFT);
        long hi = Math.floorDiv(e + gap - 1, 1L << BLOCK_SHIFT);
        int best = scanBlock(lo, e, Integer.MAX_VALUE);
        if (hi != lo) {
            best = scanBlock(hi, e, best);
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    private int scanBlock(long block, long e, int best) {
        for (int i = slotOf(block); ; i = (i + 1) & bucketMask) {
            int b = buckets[i];
            if (b == 0) {
                return best;
            }
            int j = b - 1;
            long l = last[j];
            if (j < best && (e > l && e <= l + gap || e <= l && e > l - gap)) {
                best = j;
            }
        }
    }

    private int slotOf(long block) {
        long x = block * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 32)) & bucketMask;
    }

    private static long blockOf(long extent) {
        return extent >> BLOCK_SHIFT;
    }

    private void move(int j, long e) {
        if (blockOf(e) != blockOf(last[j])) {
            removeFromHash(j);
            last[j] = e;
            insertIntoHash(j);
        } else {
            last[j] = e;
        }
    }

    private void insertIntoHash(int j) {
        int i = slotOf(blockOf(last[j]));
        while (buckets[i] != 0) {
            i = (i + 1) & bucketMask;
        }
        buckets[i] = j + 1;
    }

    /** Linear-probing deletion by backward shift: later entries of the run move into the hole. */
    private void removeFromHash(int j) {
        int i = slotOf(blockOf(last[j]));
        while (buckets[i] != j + 1) {
            i = (i + 1) & bucketMask;
        }
        int hole = i;
        for (int k = (hole + 1) & bucketMask; buckets[k] != 0; k = (k + 1) & bucketMask) {
            int home = slotOf(blockOf(last[buckets[k] - 1]));
            // the entry at k may fill the hole when its home is not in (hole, k] cyclically
            boolean between = hole <= k ? home > hole && home <= k : home > hole || home <= k;
            if (!between) {
                buckets[hole] = buckets[k];
                hole = k;
            }
        }
        buckets[hole] = 0;
    }

    private void touch(int j, long t) {
        touch[j] = t;
        if (tail == j) {
            return;
        }
        if (prev[j] != -2) {
            unlink(j);
        }
        prev[j] = tail;
        next[j] = -1;
        if (tail >= 0) {
            next[tail] = j;
        } else {
            head = j;
        }
        tail = j;
    }

    private void unlink(int j) {
        int p = prev[j];
        int n = next[j];
        if (p >= 0) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
        prev[j] = -2; // not linked
        next[j] = -2;
    }

    /** The streams kept, as after the given restored arrays (recency order rebuilt from touch times). */
    void restore(int n, long[] lastIn, long[] markIn, long[] touchIn, double[] advanceIn) {
        if (n < 0 || n > capacity) {
            throw new IllegalArgumentException("stream count " + n);
        }
        clear();
        count = n;
        System.arraycopy(lastIn, 0, last, 0, n);
        System.arraycopy(markIn, 0, mark, 0, n);
        System.arraycopy(touchIn, 0, touch, 0, n);
        System.arraycopy(advanceIn, 0, advance, 0, n);
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            insertIntoHash(j);
        }
        // oldest touch first, lower index first among equals: the victim order of a linear scan
        Arrays.sort(order, (a, b) -> touch[a] != touch[b] ? Long.compare(touch[a], touch[b]) : Integer.compare(a, b));
        for (int j : order) {
            touch(j, touch[j]);
        }
    }

    private void clear() {
        Arrays.fill(buckets, 0);
        Arrays.fill(prev, -2);
        Arrays.fill(next, -2);
        head = -1;
        tail = -1;
        count = 0;
        hint = 0;
    }
}
