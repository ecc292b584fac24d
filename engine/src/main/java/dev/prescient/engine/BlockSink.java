package dev.prescient.engine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/*
 * Contract change (engine core): added finish(boolean durable). Catch-up rounds before a
 * switchover only need the blocks applied, not fsynced (one flush follows at the end); the default
 * keeps the old meaning (durable), so existing sinks need no change.
 */

/**
 * Receives whole blocks during a copy or delta sync. The sender decides which blocks to send
 * (dirty or allocated ones); the sink decides how to move them (direct write, or compressed,
 * deduplicated and checksummed frames to another node). Nothing put is considered durable until
 * {@link #finish()} returns.
 */
public interface BlockSink extends Closeable {

    int blockSize();

    /**
     * Puts block {@code index}; {@code data} holds blockSize bytes, or fewer for the last block of
     * a target whose size is not a multiple of the block size.
     */
    void put(long index, ByteBuffer data) throws IOException;

    /** Marks {@code count} blocks from {@code index} as zero (sent as a range, never as data). */
    void putZeroes(long index, long count) throws IOException;

    /** Waits until every block put is durable on the target. */
    void finish() throws IOException;

    /**
     * Waits until every block put is applied on the target (readable there); with
     * {@code durable} also durable. Sinks that cannot tell the two apart finish durably.
     */
    default void finish(boolean durable) throws IOException {
        finish();
    }

    /** Bytes this sink actually sent or wrote so far (after compression and dedup). */
    long bytesTransferred();

    @Override
    default void close() throws IOException {
    }
}
