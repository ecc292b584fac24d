package dev.prescient.engine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/*
 * Contract change (engine core): added the default methods nextAllocated/nextHole so that copies
 * and catch-up skip holes. Defaults say "everything is allocated", so existing implementations
 * (e.g. RemoteReplica) keep working unchanged.
 */

/**
 * Positional block I/O: the one interface every layer of the data path speaks. A local replica
 * file, a remote replica reached over the replication transport, and a whole replica set are all
 * BlockTargets, so the NBD frontend, sync and scrub do not care which one they drive.
 *
 * <p>Implementations are safe for concurrent use by several threads (several NBD connections).
 * An {@link IOException} means the operation did not happen durably; callers never assume partial
 * success. {@link java.nio.file.FileSystemException} subclasses and {@link NoSpaceException} keep
 * their meaning so the frontend can map them to NBD errors (EIO, ENOSPC).
 */
public interface BlockTarget extends Closeable {

    /** Size in bytes. */
    long size();

    /** Reads exactly {@code dst.remaining()} bytes at {@code offset}; holes read as zeroes. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code offset}; with {@code fua} the data is durable on return. */
    void write(long offset, ByteBuffer src, boolean fua) throws IOException;

    /** Discards the range (may punch a hole); later reads return zeroes. */
    void unmap(long offset, long length) throws IOException;

    /** Makes the range read as zeroes, allocating or not as the implementation prefers. */
    void writeZeroes(long offset, long length, boolean fua) throws IOException;

    /**
     * Starts a write that finishes in the background, for a caller with other work to overlap it
     * with (a replica set writes its local replica while a remote one receives the data), or null
     * when this target cannot (the default): the caller then calls {@link #write}. {@code src} stays
     * untouched until {@link PendingWrite#await} returns, which the caller always calls.
     */
    default PendingWrite startWrite(long offset, ByteBuffer src, boolean fua) throws IOException {
        return null;
    }

    /** A write started by {@link #startWrite}. */
    @FunctionalInterface
    interface PendingWrite {
        /** Returns when the write is done as {@link #write} would have; throws what it would have thrown. */
        void await() throws IOException;

        /**
         * Calls {@code done} once, with null or what {@link #await} would have thrown, when the write is done,
         * instead of {@link #await} (one or the other, never both). It may run on the thread that learns of the end
         * (a connection's reader); work that would block there runs on {@code blocking}. The default awaits on
         * {@code blocking}.
         */
        default void whenDone(java.util.concurrent.Executor blocking, WriteDone done) {
            Runnable settle = () -> {
                Throwable failure = null;
                try {
                    await();
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
                done.done(failure);
            };
            try {
                blocking.execute(settle);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                settle.run(); // a pool that is shut down: settled here rather than never
            }
        }
    }

    /** The end of a write: {@code failure} is null when it succeeded, else what {@link #write} would have thrown. */
    @FunctionalInterface
    interface WriteDone {
        void done(Throwable failure);
    }

    /**
     * Writes as {@link #write} does and calls {@code done} exactly once when the write is done (never throws
     * instead). A target that waits for another party (a replica set waiting for a remote member's answer) may call
     * it later on another thread, so the caller need not sleep until it is woken; {@code src} stays untouched until
     * then. The default writes on the caller's thread and calls {@code done} before it returns.
     */
    default void writeAsync(long offset, ByteBuffer src, boolean fua, WriteDone done) {
        Throwable failure = null;
        try {
            write(offset, src, fua);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            failure = e;
        }
        done.done(failure);
    }

    /** Makes every write acknowledged so far durable. */
    void flush() throws IOException;

    /**
     * Opens a sink for bulk catch-up of this target in blocks of {@code blockSize}. Local targets
     * write directly; remote targets batch, compress, deduplicate and checksum on the wire.
     */
    default BlockSink openSink(int blockSize) throws IOException {
        return new DirectBlockSink(this, blockSize);
    }

    /**
     * The first offset at or after {@code offset} that may hold data (like SEEK_DATA), or -1 when
     * the rest of the target is a hole. Conservative: may report zero ranges as data, never data as
     * a hole. The default reports everything as data.
     */
    default long nextAllocated(long offset) throws IOException {
        return offset < size() ? offset : -1;
    }

    /**
     * The first offset at or after {@code offset} that starts a hole (like SEEK_HOLE), or
     * {@link #size()} when there is none. The default reports no holes.
     */
    default long nextHole(long offset) throws IOException {
        return size();
    }

    @Override
    default void close() throws IOException {
    }
}
