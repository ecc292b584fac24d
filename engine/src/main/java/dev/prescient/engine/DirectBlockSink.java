package dev.prescient.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A sink that writes straight into a target: the local case, no wire in between. */
final class DirectBlockSink implements BlockSink {
    private final BlockTarget target;
    private final int blockSize;
    private long bytes;

    DirectBlockSink(BlockTarget target, int blockSize) {
        this.target = target;
        this.blockSize = blockSize;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public void put(long index, ByteBuffer data) throws IOException {
        int n = data.remaining();
        target.write(index * blockSize, data, false);
        bytes += n;
    }

    @Override
    public void putZeroes(long index, long count) throws IOException {
        long off = index * blockSize;
        long len = Math.min(count * blockSize, target.size() - off);
        target.writeZeroes(off, len, false);
    }

    @Override
    public void finish() throws IOException {
        target.flush();
    }

    @Override
    public void finish(boolean durable) throws IOException {
        if (durable) {
            target.flush();
        }
    }

    @Override
    public long bytesTransferred() {
        return bytes;
    }
}
