package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A real target with switches for failures: a fake over a real file, not a mock script. */
class FaultyTarget implements BlockTarget {
    final BlockTarget inner;
    volatile boolean failWrites;
    volatile boolean failReads;
    volatile boolean noSpace;
    volatile boolean corruptReads;

    FaultyTarget(BlockTarget inner) {
        this.inner = inner;
    }

    private void checkWrite() throws IOException {
        if (noSpace) {
            throw new NoSpaceException("injected: tier full", null);
        }
        if (failWrites) {
            throw new IOException("injected write failure");
        }
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        if (failReads) {
            throw new IOException("injected read failure");
        }
        int p = dst.position();
        inner.read(offset, dst);
        if (corruptReads && dst.position() > p) {
            dst.put(p, (byte) (dst.get(p) ^ 0x55));
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        checkWrite();
        inner.write(offset, src, fua);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        checkWrite();
        inner.unmap(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        checkWrite();
        inner.writeZeroes(offset, length, fua);
    }

    @Override
    public void flush() throws IOException {
        checkWrite();
        inner.flush();
    }

    @Override
    public long nextAllocated(long offset) throws IOException {
        return inner.nextAllocated(offset);
    }

    @Override
    public long nextHole(long offset) throws IOException {
        return inner.nextHole(offset);
    }
}
