package dev.prescient.engine.replication;

import java.time.Duration;

/**
 * Tuning of a replication client.
 *
 * @param compression codec of bulk-sync chunks (the receiver follows the sender's choice)
 * @param dedup offer block hashes first and send only blocks the target does not already hold
 * @param batchBytes raw bytes of blocks per bulk-sync chunk (rounded down to whole blocks)
 * @param window bulk-sync chunks in flight at once (pipelining depth)
 * @param timeout longest a request may wait for its answer before the connection is declared dead
 * @param maxRetries resends of a request whose payload failed its checksum before giving up
 */
public record ReplicationSettings(Compression compression, boolean dedup, int batchBytes, int window,
                                  Duration timeout, int maxRetries) {

    public ReplicationSettings {
        if (batchBytes < 4096 || batchBytes > 8 * 1024 * 1024) {
            throw new IllegalArgumentException("batchBytes must be in [4 KiB, 8 MiB]: " + batchBytes);
        }
        if (window < 1 || window > 64) {
            throw new IllegalArgumentException("window must be in [1, 64]: " + window);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
    }

    /** LZ4, dedup on, 1 MiB chunks, 8 in flight, 10 s timeout, 5 retries. */
    public static ReplicationSettings defaults() {
        return new ReplicationSettings(Compression.LZ4, true, 1024 * 1024, 8, Duration.ofSeconds(10), 5);
    }

    public ReplicationSettings withCompression(Compression c) {
        return new ReplicationSettings(c, dedup, batchBytes, window, timeout, maxRetries);
    }

    public ReplicationSettings withDedup(boolean d) {
        return new ReplicationSettings(compression, d, batchBytes, window, timeout, maxRetries);
    }

    public ReplicationSettings withTimeout(Duration t) {
        return new ReplicationSettings(compression, dedup, batchBytes, window, t, maxRetries);
    }

    public ReplicationSettings withBatch(int bytes, int w) {
        return new ReplicationSettings(compression, dedup, bytes, w, timeout, maxRetries);
    }
}
