package dev.prescient.engine.replication.bench;

import dev.prescient.engine.BlockTarget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A minimal file-backed BlockTarget for replication tests and benchmarks, independent of the
 * replica store (unmap writes zeroes instead of punching holes). Known shortcut: once the store's
 * LocalReplica is in the tree, benchmarks should use it instead.
 */
public final class FileTarget implements BlockTarget {
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1024 * 1024);

    private final FileChannel ch;
    private final long size;

    public FileTarget(Path file, long size) throws IOException {
        this.ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (ch.size() < size) {
            ch.truncate(size);
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        this.size = size;
    }

    /** Opens an existing file with its current size. */
    public static FileTarget open(Path file) throws IOException {
        return new FileTarget(file, java.nio.file.Files.size(file));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        check(offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        check(offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
        if (fua) {
            ch.force(false);
        }
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        writeZeroes(offset, length, false);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        check(offset, length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            ByteBuffer z = ZEROES.duplicate().limit((int) Math.min(ZEROES.capacity(), end - pos));
            while (z.hasRemaining()) {
                pos += ch.write(z, pos);
            }
        }
        if (fua) {
            ch.force(false);
        }
    }

    @Override
    public void flush() throws IOException {
        ch.force(false);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    private void check(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IOException("range " + offset + "+" + length + " outside " + size + " bytes");
        }
    }
}
