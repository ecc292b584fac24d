package dev.prescient.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The one way a small state file is replaced: write {@code <name>.tmp}, fsync it, rename it over the target, fsync
 * the directory. A reader sees the old content or the new, never a torn file; a crash between the write and the
 * rename leaves the old file and a stale {@code .tmp} that the next write overwrites.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** The temporary file {@link #write} uses for {@code target}. */
    public static Path tmpFor(Path target) {
        return target.resolveSibling(target.getFileName() + ".tmp");
    }

    public static void write(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, Properties p, String comment) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, comment);
        write(target, out.toByteArray());
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = tmpFor(target);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Only file systems without rename(2) semantics get here; the write is then not atomic.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            fsyncDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename is then as durable as they allow.
        }
    }

    /** Makes a rename or a new directory entry in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
