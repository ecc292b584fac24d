package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.store.AtomicBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;

/**
 * The write side of a {@link ReplicaSet}: one mutation (write, unmap, write-zeroes) fanned out to
 * the members a request started with. One sync RW member is written on the caller's thread, the
 * others in parallel (a remote member in the background of that write, others on the pool);
 * async members get a copy on their own queue. The request succeeds once every sync RW member has
 * it; members that fail or were skipped record what they missed in their dirty bitmap and go ERR,
 * and a catching-up member whose round may overwrite the write with older data is marked dirty
 * again. Split from ReplicaSet, which keeps the member list, reads, flushes and quiescing.
 */
final class WriteFanOut {
    @FunctionalInterface
    interface Op {
        void apply(BlockTarget t, ByteBuffer data) throws IOException;

        /** Starts the op on a target that can finish it in the background, or null (see BlockTarget.startWrite). */
        default BlockTarget.PendingWrite start(BlockTarget t, ByteBuffer data) throws IOException {
            return null;
        }
    }

    private final String volumeId;
    private final int blockSize;
    private final ExecutorService fanout;
    private final BiConsumer<Member, String> setErr;

    WriteFanOut(String volumeId, int blockSize, ExecutorService fanout, BiConsumer<Member, String> setErr) {
        this.volumeId = volumeId;
        this.blockSize = blockSize;
        this.fanout = fanout;
        this.setErr = setErr;
    }

    /**
     * Applies one mutation to every member of {@code ms} (the list the request started with) and
     * returns once the client may be answered; see {@link ReplicaSet} for the rules.
     */
    void apply(Member[] ms, long offset, long length, ByteBuffer data, Op op) throws IOException {
        long firstBlock = offset / blockSize;
        long endBlock = (offset + length + blockSize - 1) / blockSize;
        Member inline = null;
        List<Member> parallel = null;
        // Members this write skips because they are ERR now. Their miss is recorded below by what
        // they were at dispatch, not by their mode then: a catch-up may turn ERR into WO meanwhile.
        boolean[] skipped = null;
        for (int i = 0; i < ms.length; i++) {
            Member m = ms[i];
            if (m.mode == ReplicaMode.ERR) {
                if (skipped == null) {
                    skipped = new boolean[ms.length];
                }
                skipped[i] = true;
                continue;
            }
            if (!m.sync && m.mode == ReplicaMode.RW) {
                submitAsync(m, offset, length, data, op, firstBlock, endBlock);
            } else if (inline == null && m.mode == ReplicaMode.RW) {
                inline = m;
            } else {
                if (parallel == null) {
                    parallel = new ArrayList<>(ms.length);
                }
                parallel.add(m);
            }
        }
        if (inline == null) {
            throw new ReplicaSet.NoHealthyReplicaException(volumeId);
        }
        CompletableFuture<?>[] futures = null;
        // Members that can take the request in the background (a remote replica: the request is sent,
        // its answer awaited below) start on this thread: measured (two replicas, issue 19), handing
        // each write to the fan-out pool cost three thread wake-ups per request.
        BlockTarget.PendingWrite[] started = null;
        IOException[] startErrors = null;
        if (parallel != null) {
            futures = new CompletableFuture<?>[parallel.size()];
            started = new BlockTarget.PendingWrite[parallel.size()];
            startErrors = new IOException[parallel.size()];
            for (int i = 0; i < futures.length; i++) {
                Member m = parallel.get(i);
                ByteBuffer d = data == null ? null : data.duplicate();
                try {
                    started[i] = op.start(m.target, d);
                } catch (IOException e) {
                    startErrors[i] = e;
                }
                if (started[i] != null || startErrors[i] != null) {
                    continue;
                }
                futures[i] = CompletableFuture.runAsync(() -> {
                    try {
                        op.apply(m.target, d);
                    } catch (IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, fanout);
            }
        }
        IOException inlineErr = null;
        try {
            op.apply(inline.target, data == null ? null : data.duplicate());
        } catch (IOException e) {
            inlineErr = e;
        }
        int ok = inlineErr == null ? 1 : 0;
        boolean allNoSpace = inlineErr == null || inlineErr instanceof NoSpaceException;
        IOException firstErr = inlineErr;
        List<Member> failed = new ArrayList<>(0);
        if (inlineErr != null) {
            failed.add(inline);
        }
        if (futures != null) {
            for (int i = 0; i < futures.length; i++) {
                Member m = parallel.get(i);
                try {
                    if (futures[i] != null) {
                        futures[i].get();
                    } else if (startErrors[i] != null) {
                        throw new ExecutionException(startErrors[i]);
                    } else {
                        try {
                            started[i].await();
                        } catch (IOException e) {
                            throw new ExecutionException(e);
                        }
                    }
                    if (m.mode == ReplicaMode.RW) {
                        ok++;
                    }
                } catch (ExecutionException e) {
                    IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
                    if (m.mode == ReplicaMode.RW) {
                        allNoSpace &= io instanceof NoSpaceException;
                        firstErr = firstErr == null ? io : firstErr;
                        failed.add(m);
                    } else {
                        // A catching-up replica failing never fails the client's write.
                        m.dirty.setRange(firstBlock, endBlock);
                        setErr.accept(m, "write failed while catching up: " + io.getMessage());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for replicas", e);
                }
            }
        }
        if (ok == 0) {
            if (allNoSpace) {
                // Every replica is full: the client gets ENOSPC, nobody diverged from anybody.
                throw (NoSpaceException) firstErr;
            }
            for (Member m : failed) {
                setErr.accept(m, firstErr.getMessage());
                m.dirty.setRange(firstBlock, endBlock);
            }
            throw new ReplicaSet.NoHealthyReplicaException(volumeId, firstErr);
        }
        for (Member m : failed) {
            m.dirty.setRange(firstBlock, endBlock);
            setErr.accept(m, "write failed: " + m.id);
        }
        // After every replica has the data (see class comment): replicas this write skipped or
        // that went ERR record the miss; a replica whose catch-up round is running re-marks blocks
        // that round may overwrite with old data.
        for (int i = 0; i < ms.length; i++) {
            Member m = ms[i];
            if ((skipped != null && skipped[i]) || m.mode == ReplicaMode.ERR) {
                m.dirty.setRange(firstBlock, endBlock);
                continue;
            }
            AtomicBitmap c = m.copying;
            if (c == null) {
                continue;
            }
            // Only blocks the round may already have read can get an old copy after this
            // write; the round reads blocks not yet reached after this write's source write.
            long limit = Math.min(endBlock, m.copyCursor);
            long hit = c.nextSetBit(firstBlock);
            if (hit >= 0 && hit < limit) {
                m.dirty.setRange(firstBlock, endBlock);
            }
        }
    }

    private void submitAsync(Member m, long offset, long length, ByteBuffer data, Op op, long firstBlock,
                             long endBlock) throws IOException {
        // The caller reuses its buffer after we return, so an async replica gets a copy.
        ByteBuffer copy = null;
        int permits = (int) Math.min(length, m.maxLagBytes);
        if (data != null) {
            copy = ByteBuffer.allocateDirect(data.remaining());
            copy.put(data.duplicate()).flip();
        }
        try {
            m.lag.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for async replica " + m.id, e);
        }
        ByteBuffer d = copy;
        m.asyncQueue.execute(() -> {
            try {
                if (m.mode == ReplicaMode.RW) {
                    op.apply(m.target, d);
                } else {
                    m.dirty.setRange(firstBlock, endBlock);
                }
            } catch (IOException e) {
                m.dirty.setRange(firstBlock, endBlock);
                setErr.accept(m, "async write failed: " + e.getMessage());
            } finally {
                m.lag.release(permits);
            }
        });
    }
}
