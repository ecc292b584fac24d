package dev.prescient.predict.tiering;

import java.util.Arrays;

/**
 * LIRS, after S. Jiang and X. Zhang, "LIRS: An Efficient Low Inter-reference Recency Set
 * Replacement Policy to Improve Buffer Cache Performance", SIGMETRICS 2002. Blocks with a low
 * inter-reference recency (LIR) hold 99% of the space; the other 1% holds resident HIR blocks in
 * a FIFO list Q. The recency stack S holds LIR blocks and recently seen HIR blocks, resident or
 * not; a HIR block hit while still in S has a smaller reuse distance than the oldest LIR block
 * and takes its place. Stack pruning keeps an LIR block at the bottom of S.
 *
 * <p>S is not bounded here (the paper's basic form); it holds ids, not data. Sizes work as in
 * {@link S3FifoCache}: {@code size == null} is one unit per block.
 */
public final class LirsCache implements CachePolicy {
    private static final byte NONE = 0;
    private static final byte LIR = 1;
    private static final byte HIR_RESIDENT = 2;
    private static final byte HIR_GONE = 3;

    private final long capacity;
    private final long lirCapacity;
    private final int[] size;
    private final IntLists stack;
    private final IntLists queue;
    private byte[] state;
    private long lirUsed;
    private long hirUsed;

    public LirsCache(long capacity, int universe) {
        this(capacity, universe, null);
    }

    public LirsCache(long capacity, int universe, int[] size) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        // the paper's 1% for resident HIR blocks, at least one unit
        this.lirCapacity = capacity - Math.max(1, capacity / 100);
        this.size = size;
        this.stack = new IntLists(1, universe);
        this.queue = new IntLists(1, universe);
        this.state = new byte[Math.max(1, universe)];
    }

    @Override
    public String name() {
        return "LIRS";
    }

    private long sizeOf(int id) {
        return size == null ? 1 : size[id];
    }

    private boolean inStack(int id) {
        return stack.listOf(id) != IntLists.NONE;
    }

    public boolean resident(int id) {
        return id < state.length && (state[id] == LIR || state[id] == HIR_RESIDENT);
    }

    private void toTop(int id) {
        stack.remove(id);
        stack.pushHead(0, id);
    }

    @Override
    public boolean access(int x, int t) {
        grow(x);
        byte st = state[x];
        if (st == LIR) {
            toTop(x);
            prune();
            return true;
        }
        if (st == HIR_RESIDENT) {
            if (inStack(x)) {
                // its reuse distance beats the bottom LIR block's recency: swap their roles
                queue.remove(x);
                hirUsed -= sizeOf(x);
                state[x] = LIR;
                lirUsed += sizeOf(x);
                toTop(x);
                demoteLirOverflow();
            } else {
                toTop(x);
                queue.remove(x);
                queue.pushHead(0, x);
            }
            return true;
        }
        admit(x, st == HIR_GONE);
        return false;
    }

    @Override
    public boolean prefetch(int x) {
        grow(x);
        if (state[x] != NONE) {
            return false; // cached, or remembered in S: left alone
        }
        return admit(x, false);
    }

    private boolean admit(int x, boolean inHistory) {
        long sz = sizeOf(x);
        if (sz > capacity) {
            return false;
        }
        if (!inHistory && lirUsed + sz <= lirCapacity && hirUsed == 0) {
            // warm-up: the first blocks fill the LIR set
            state[x] = LIR;
            lirUsed += sz;
            toTop(x);
            return true;
        }
        while (lirUsed + hirUsed + sz > capacity) {
            if (queue.size(0) == 0) {
                demoteBottomLir();
                continue;
            }
            int y = queue.removeTail(0);
            hirUsed -= sizeOf(y);
            state[y] = inStack(y) ? HIR_GONE : NONE;
        }
        if (inHistory) {
            state[x] = LIR;
            lirUsed += sz;
            toTop(x);
            demoteLirOverflow();
        } else {
            state[x] = HIR_RESIDENT;
            hirUsed += sz;
            toTop(x);
            queue.pushHead(0, x);
        }
        return true;
    }

    private void demoteLirOverflow() {
        while (lirUsed > lirCapacity && stack.size(0) > 1) {
            demoteBottomLir();
        }
        prune();
    }

    /** The LIR block at the bottom of S becomes a resident HIR block at the end of Q. */
    private void demoteBottomLir() {
        prune();
        int b = stack.removeTail(0);
        state[b] = HIR_RESIDENT;
        lirUsed -= sizeOf(b);
        hirUsed += sizeOf(b);
        queue.pushHead(0, b);
        prune();
    }

    /** Removes HIR blocks from the bottom of S until an LIR block is there. */
    private void prune() {
        int b;
        while ((b = stack.tail(0)) != IntLists.NONE && state[b] != LIR) {
            stack.remove(b);
            if (state[b] == HIR_GONE) {
                state[b] = NONE;
            }
        }
    }

    private void grow(int id) {
        if (id >= state.length) {
            state = Arrays.copyOf(state, Math.max(id + 1, state.length * 2));
        }
    }
}
