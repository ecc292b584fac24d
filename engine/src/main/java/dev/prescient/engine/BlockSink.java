package dev.prescient.engine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

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

    /** Bytes this sink actually sent or wrote so far (after compression and dedup). */
    long bytesTransferred();

    @Override
    default void close() throws IOException {
    }
}
