package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.store.AtomicBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A point-in-time snapshot of a volume by copy-on-write: taking it pauses I/O only to register
 * (microseconds); afterwards, the first write to each chunk first saves the chunk's old contents
 * into a sparse side file. Reads of the snapshot come from the side file for saved chunks and
 * from the live volume otherwise, so the snapshot is a read-only BlockTarget usable as the source
 * of a new volume. Per-chunk stripe locks order a snapshot read against a concurrent save.
 * Known limit: the saved-chunk map lives in memory; a snapshot does not survive an engine restart.
 */
public final class CowSnapshot implements BlockTarget {
    private static final int STRIPES = 256;

    private final ReplicaSet set;
    private final String name;
    private final int chunk;
    private final Path file;
    private final FileChannel side;
    private final AtomicBitmap saved;
    private final Object[] stripes = new Object[STRIPES];
    private volatile boolean released;

    private CowSnapshot(ReplicaSet set, String name, int chunk, Path file, FileChannel side) {
        this.set = set;
        this.name = name;
        this.chunk = chunk;
        this.file = file;
        this.side = side;
        this.saved = new AtomicBitmap((set.size() + chunk - 1) / chunk);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Takes a snapshot consistent with every write acknowledged before this call returns. */
    public static CowSnapshot take(ReplicaSet set, String name, Path dir, int chunk) throws IOException {
        Path f = dir.resolve(set.volumeId() + "@" + name + ".cow");
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        CowSnapshot s = new CowSnapshot(set, name, chunk, f, ch);
        try {
            set.gate().pause(10, TimeUnit.SECONDS);
        } catch (TimeoutException | InterruptedException e) {
            ch.close();
            Files.deleteIfExists(f);
            throw new IOException("could not pause volume " + set.volumeId() + " for snapshot " + name, e);
        }
        try {
            set.registerSnapshot(s);
        } finally {
            set.gate().resume();
        }
        return s;
    }

    public String name() {
        return name;
    }

    /** Bytes saved in the side file so far. */
    public long savedBytes() {
        return saved.cardinality() * chunk;
    }

    /** Called by the set, inside its gate, before a write changes the range. */
    void preserveBeforeWrite(long offset, long length) throws IOException {
        long first = offset / chunk;
        long last = (offset + length - 1) / chunk;
        for (long c = first; c <= last; c++) {
            if (saved.get(c)) {
                continue;
            }
            synchronized (stripes[(int) (c % STRIPES)]) {
                if (saved.get(c)) {
                    continue;
                }
                long off = c * chunk;
                int n = (int) Math.min(chunk, set.size() - off);
                ByteBuffer buf = ByteBuffer.allocateDirect(n);
                set.readUngated(off, buf);
                buf.flip();
                while (buf.hasRemaining()) {
                    side.write(buf, off + buf.position());
                }
                saved.set(c);
            }
        }
    }

    @Override
    public long size() {
        return set.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        if (released) {
            throw new IOException("snapshot " + name + " released");
        }
        int len = dst.remaining();
        if (offset < 0 || offset > size() - len) {
            throw new OutOfRangeException(offset, len, size());
        }
        set.gate().enter();
        try {
            long pos = offset;
            long end = offset + len;
            while (pos < end) {
                long c = pos / chunk;
                int n = (int) Math.min(end - pos, (c + 1) * chunk - pos);
                ByteBuffer part = dst.duplicate();
                part.limit(part.position() + n);
                synchronized (stripes[(int) (c % STRIPES)]) {
                    if (saved.get(c)) {
                        long p = pos;
                        while (part.hasRemaining()) {
                            int r = side.read(part, p);
                            if (r < 0) {
                                throw new IOException("snapshot side file truncated");
                            }
                            p += r;
                        }
                    } else {
                        set.readUngated(pos, part);
                    }
                }
                dst.position(dst.position() + n);
                pos += n;
            }
        } finally {
            set.gate().exit();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        throw new ReadOnlyException(name);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        throw new ReadOnlyException(name);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        throw new ReadOnlyException(name);
    }

    @Override
    public void flush() {
        // nothing to make durable: a snapshot takes no writes
    }

    @Override
    public long nextAllocated(long offset) throws IOException {
        long live = set.nextAllocated(offset);
        long c = saved.nextSetBit(offset / chunk);
        long s = c < 0 ? -1 : Math.max(offset, c * chunk);
        if (live < 0) {
            return s;
        }
        return s < 0 ? live : Math.min(live, s);
    }

    @Override
    public long nextHole(long offset) throws IOException {
        return size(); // conservative: the union of two maps has no cheap hole answer
    }

    /** Stops copy-on-write and deletes the side file. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        set.unregisterSnapshot(this);
        side.close();
        Files.deleteIfExists(file);
    }

    /** Snapshots are read-only; the frontend maps this to EPERM. */
    public static final class ReadOnlyException extends IOException {
        public ReadOnlyException(String name) {
            super("snapshot " + name + " is read-only");
        }
    }
}
