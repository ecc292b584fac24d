package dev.prescient.engine.replication;

/**
 * The ordering rule of one replication connection on the member side. Requests used to run one at
 * a time in arrival order; now a large WRITE may run on a worker while the connection goes on
 * reading, and the rule keeps every outcome the serial order gave:
 * <ul>
 *   <li>only a WRITE of {@link #MIN_PIPELINED}..{@link #MAX_PIPELINED} bytes runs beside others
 *       ({@link #pipelines}); a small write costs less than the hand-off to another thread;</li>
 *   <li>it starts only when no running write overlaps its range ({@link #begin}), so overlapping
 *       writes land in the order they were sent;</li>
 *   <li>every other request (FLUSH, FUA or not; READ, UNMAP, WRITE_ZEROES, OFFER, CHUNK, small
 *       WRITEs) waits until no write runs ({@link #awaitIdle}): a FLUSH still covers every write
 *       received before it, a READ sees them, exactly as when they ran in order;</li>
 *   <li>at most {@code slots} writes run at once, which bounds the connection's buffers.</li>
 * </ul>
 * Used by the connection's reading thread ({@code begin}, {@code awaitIdle}) and its workers
 * ({@code end}).
 */
final class InFlightWrites {
    static final int MIN_PIPELINED = 64 * 1024;
    static final int MAX_PIPELINED = 1024 * 1024;

    private final long[] start;
    private final long[] end;
    private final boolean[] used;
    private int running;

    InFlightWrites(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1: " + slots);
        }
        start = new long[slots];
        end = new long[slots];
        used = new boolean[slots];
    }

    /** True for a request that may run beside the ones before it (see the class comment). */
    static boolean pipelines(byte type, int payloadLength) {
        return type == Frame.WRITE && payloadLength >= MIN_PIPELINED && payloadLength <= MAX_PIPELINED;
    }

    /**
     * Waits until a slot is free and no running write overlaps [offset, offset + length), then
     * records this write as running and returns its slot.
     */
    synchronized int begin(long offset, long length) throws InterruptedException {
        while (true) {
            int free = -1;
            boolean overlap = false;
            for (int i = 0; i < used.length; i++) {
                if (!used[i]) {
                    free = free < 0 ? i : free;
                } else if (offset < end[i] && start[i] < offset + length) {
                    overlap = true;
                }
            }
            if (free >= 0 && !overlap) {
                used[free] = true;
                start[free] = offset;
                end[free] = offset + length;
                running++;
                return free;
            }
            wait();
        }
    }

    /** The write in {@code slot} is done (applied and answered, or failed and answered). */
    synchronized void end(int slot) {
        if (!used[slot]) {
            throw new IllegalStateException("slot " + slot + " is not running");
        }
        used[slot] = false;
        running--;
        notifyAll();
    }

    /** Waits until no write runs. */
    synchronized void awaitIdle() throws InterruptedException {
        while (running > 0) {
            wait();
        }
    }

    synchronized int running() {
        return running;
    }

    int slots() {
        return used.length;
    }
}
