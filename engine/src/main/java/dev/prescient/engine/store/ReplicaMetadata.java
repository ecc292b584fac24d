package dev.prescient.engine.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The small metadata file next to a replica's data file. Written crash-safely: a new file is
 * written and fsynced, renamed over the old one, then the directory is fsynced, so after a crash
 * either the old or the new version is found whole (a CRC32C guards against torn files).
 *
 * @param generation increases on every metadata write, so a reader can tell versions apart
 * @param clean      true only when the replica was closed cleanly; false means the allocation map
 *                   may miss blocks written after the last flush and must be rebuilt by a scan
 * @param allocChunk granularity of the allocation map in bytes
 * @param allocation allocation map words (bit i = chunk i may hold data)
 * @param regionChunks chunks per region of the write-intent journal
 * @param openRegions write-intent journal words (bit g = region g may hold data written after
 *                   this allocation map was taken); after a crash only those regions are scanned.
 *                   Null when unknown (a file of the first format): every region counts as open
 */
public record ReplicaMetadata(String replicaId, String volumeId, long size, int allocChunk,
                              long generation, boolean clean, long[] allocation, int regionChunks,
                              long[] openRegions) {

    private static final int MAGIC_V1 = 0x50524d31; // "PRM1": no journal
    private static final int MAGIC = 0x50524d32; // "PRM2"
    /** 1024 chunks: 64 MiB regions at the default 64 KiB chunk. */
    public static final int DEFAULT_REGION_CHUNKS = 1024;

    public long chunks() {
        return (size + allocChunk - 1) / allocChunk;
    }

    public long regions() {
        return (chunks() + regionChunks - 1) / regionChunks;
    }

    byte[] encode() {
        byte[] id = replicaId.getBytes(StandardCharsets.UTF_8);
        byte[] vol = volumeId.getBytes(StandardCharsets.UTF_8);
        long[] open = openRegions == null ? allOpen(regions()) : openRegions;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + id.length + 4 + vol.length + 8 + 4 + 8 + 1 + 4
                + allocation.length * 8 + 4 + 4 + open.length * 8 + 4);
        b.putInt(MAGIC).putInt(id.length).put(id).putInt(vol.length).put(vol)
                .putLong(size).putInt(allocChunk).putLong(generation).put((byte) (clean ? 1 : 0))
                .putInt(allocation.length);
        for (long w : allocation) {
            b.putLong(w);
        }
        b.putInt(regionChunks).putInt(open.length);
        for (long w : open) {
            b.putLong(w);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static ReplicaMetadata decode(byte[] bytes) throws CorruptMetadataException {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int magic = b.getInt();
            if (magic != MAGIC && magic != MAGIC_V1) {
                throw new CorruptMetadataException("bad magic");
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
                throw new CorruptMetadataException("checksum mismatch");
            }
            String id = str(b);
            String vol = str(b);
            long size = b.getLong();
            int chunk = b.getInt();
            long gen = b.getLong();
            boolean clean = b.get() != 0;
            long[] alloc = new long[b.getInt()];
            for (int i = 0; i < alloc.length; i++) {
                alloc[i] = b.getLong();
            }
            if (magic == MAGIC_V1) {
                return new ReplicaMetadata(id, vol, size, chunk, gen, clean, alloc, DEFAULT_REGION_CHUNKS, null);
            }
            int regionChunks = b.getInt();
            long[] open = new long[b.getInt()];
            for (int i = 0; i < open.length; i++) {
                open[i] = b.getLong();
            }
            if (regionChunks <= 0) {
                throw new CorruptMetadataException("region of " + regionChunks + " chunks");
            }
            return new ReplicaMetadata(id, vol, size, chunk, gen, clean, alloc, regionChunks, open);
        } catch (RuntimeException e) {
            throw new CorruptMetadataException("truncated: " + e);
        }
    }

    private static long[] allOpen(long regions) {
        AtomicBitmap a = new AtomicBitmap(regions);
        a.setRange(0, regions);
        return a.toLongArray();
    }

    private static String str(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /**
     * Write new, fsync, rename, fsync directory. The "new" file is recycled: the previous
     * version's inode is kept (hard link) and overwritten in place next time, so a metadata update
     * needs no free space. A full tier can thus still flush and acknowledge overwrites.
     */
    void writeTo(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Path spare = file.resolveSibling(file.getFileName() + ".spare");
        byte[] bytes = encode();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long pos = 0;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
            if (ch.size() > bytes.length) {
                ch.truncate(bytes.length);
            }
            ch.force(true);
        } catch (IOException e) {
            throw LocalReplica.mapNoSpace(e, "writing metadata " + tmp);
        }
        Files.deleteIfExists(spare);
        if (Files.exists(file)) {
            Files.createLink(spare, file); // keeps the old version's blocks for the next update
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("tier file system cannot rename atomically: " + file, e);
        }
        if (Files.exists(spare)) {
            Files.move(spare, tmp, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(file.getParent());
    }

    static ReplicaMetadata readFrom(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }

    static void fsyncDirectory(Path dir) throws IOException {
        // Linux allows fsync on a directory opened read-only; this makes the rename durable.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The metadata file cannot be parsed: a typed reason, never a silent empty replica. */
    public static final class CorruptMetadataException extends IOException {
        public CorruptMetadataException(String reason) {
            super("corrupt replica metadata: " + reason);
        }
    }
}
