package dev.prescient.engine;

import java.nio.ByteBuffer;

/** Zero detection for the copy paths that skip or punch zero blocks (catch-up, delta sync, trim of zero chunks). */
public final class Zeroes {
    private Zeroes() {
    }

    /** True when every byte between position and limit is zero; checked a long at a time, the buffer unchanged. */
    public static boolean isZero(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
