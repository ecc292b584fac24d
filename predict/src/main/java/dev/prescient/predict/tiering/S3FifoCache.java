package dev.prescient.predict.tiering;

import java.util.Arrays;

/**
 * S3-FIFO, after J. Yang, Y. Zhang, Z. Qiu, Y. Yue and K. V. Rashmi, "FIFO queues are all you need
 * for cache eviction", SOSP 2023: a small FIFO S (10% of the space) filters one-hit wonders, a
 * main FIFO M with a 2-bit frequency and lazy reinsertion holds the rest, and a ghost FIFO G of
 * ids evicted from S sends them straight to M when they come back.
 *
 * <p>An object leaves S for M when it was hit at least once while in S (libCacheSim's default
 * move-to-main threshold; its count restarts in M). Sizes are optional: with {@code size == null}
 * every object is one unit, otherwise capacity and queues are in the units of {@code size}
 * (bytes in libCacheSim's mode) and the ghost remembers as many units as M holds.
 */
public final class S3FifoCache implements CachePolicy {
    private static final int S = 0;
    private static final int M = 1;

    private final long capacity;
    private final long smallTarget;
    private final int[] size;
    private final IntLists queues;
    private final IntLists ghost;
    private byte[] freq;
    private long sUsed;
    private long mUsed;
    private long gUsed;

    public S3FifoCache(long capacity, int universe) {
        this(capacity, universe, null);
    }

    public S3FifoCache(long capacity, int universe, int[] size) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.smallTarget = Math.max(1, capacity / 10);
        this.size = size;
        this.queues = new IntLists(2, universe);
        this.ghost = new IntLists(1, universe);
        this.freq = new byte[Math.max(1, universe)];
    }

    @Override
    public String name() {
        return "S3-FIFO";
    }

    private long sizeOf(int id) {
        return size == null ? 1 : size[id];
    }

    public boolean resident(int id) {
        return queues.listOf(id) != IntLists.NONE;
    }

    @Override
    public boolean access(int id, int t) {
        if (resident(id)) {
            freq[id] = (byte) Math.min(3, freq[id] + 1);
            return true;
        }
        insert(id);
        return false;
    }

    @Override
    public boolean prefetch(int id) {
        if (resident(id) || ghost.listOf(id) != IntLists.NONE) {
            return false;
        }
        return insert(id);
    }

    private boolean insert(int id) {
        long sz = sizeOf(id);
        if (sz > capacity) {
            return false; // larger than the whole cache: not admitted, as in libCacheSim
        }
        if (id >= freq.length) {
            freq = Arrays.copyOf(freq, Math.max(id + 1, freq.length * 2));
        }
        while (sUsed + mUsed + sz > capacity) {
            evict();
        }
        freq[id] = 0;
        if (ghost.listOf(id) != IntLists.NONE) {
            ghost.remove(id);
            gUsed -= sz;
            queues.pushHead(M, id);
            mUsed += sz;
        } else {
            queues.pushHead(S, id);
            sUsed += sz;
        }
        return true;
    }

    private void evict() {
        if ((sUsed >= smallTarget && queues.size(S) > 0) || queues.size(M) == 0) {
            evictSmall();
        } else {
            evictMain();
        }
    }

    private void evictSmall() {
        while (queues.size(S) > 0) {
            int t = queues.removeTail(S);
            long sz = sizeOf(t);
            sUsed -= sz;
            if (freq[t] >= 1) {
                freq[t] = 0;
                queues.pushHead(M, t);
                mUsed += sz;
                while (mUsed > capacity - smallTarget && queues.size(M) > 1) {
                    evictMain();
                }
            } else {
                ghost.pushHead(0, t);
                gUsed += sz;
                // the ghost remembers about as much as the main queue holds
                while (gUsed > capacity - smallTarget && ghost.size(0) > 0) {
                    gUsed -= sizeOf(ghost.removeTail(0));
                }
                return;
            }
        }
    }

    private void evictMain() {
        while (queues.size(M) > 0) {
            int t = queues.removeTail(M);
            if (freq[t] > 0) {
                freq[t]--;
                queues.pushHead(M, t); // lazy reinsertion: a second chance per remaining hit
            } else {
                mUsed -= sizeOf(t);
                return;
            }
        }
    }
}
