package dev.prescient.engine.store;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.ReplicaProvider;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The replicas this node hosts, across several tier directories (one per StorageTier). Its state
 * is the files themselves: a restarted store finds every replica by its metadata file.
 * Open replicas are shared: each {@link #openReplica} adds a reference, each close drops one.
 */
public final class ReplicaStore implements ReplicaProvider, Closeable {
    public static final int DEFAULT_ALLOC_CHUNK = 64 * 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");

    private final Map<String, Path> tiers;
    private final Map<String, LocalReplica> open = new LinkedHashMap<>();

    /** @param tiers tier name to directory; directories are created if missing */
    public ReplicaStore(Map<String, Path> tiers) throws IOException {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("a store needs at least one tier");
        }
        this.tiers = new LinkedHashMap<>(tiers);
        for (Path p : this.tiers.values()) {
            Files.createDirectories(p);
        }
    }

    /** What the store knows about a replica without opening it. */
    public record ReplicaInfo(String replicaId, String volumeId, String tier, long size, long allocatedBytes,
                              long generation, boolean clean) {
    }

    public synchronized LocalReplica create(String replicaId, String volumeId, String tier, long size)
            throws IOException {
        return create(replicaId, volumeId, tier, size, DEFAULT_ALLOC_CHUNK);
    }

    public synchronized LocalReplica create(String replicaId, String volumeId, String tier, long size, int allocChunk)
            throws IOException {
        checkId(replicaId);
        Path dir = tiers.get(tier);
        if (dir == null) {
            throw new NoSuchFileException("no tier " + tier);
        }
        if (find(replicaId) != null) {
            throw new FileAlreadyExistsException("replica " + replicaId + " exists");
        }
        LocalReplica r = LocalReplica.create(dir, replicaId, volumeId, size, allocChunk);
        r.retain(); // one reference held by the store until delete/close
        open.put(replicaId, r);
        return r;
    }

    @Override
    public synchronized LocalReplica openReplica(String replicaId) throws IOException {
        checkId(replicaId);
        LocalReplica r = open.get(replicaId);
        if (r == null) {
            Path dir = find(replicaId);
            if (dir == null) {
                throw new NoSuchFileException("replica " + replicaId + " not on this node");
            }
            r = LocalReplica.open(dir, replicaId);
            open.put(replicaId, r);
        }
        r.retain();
        return r;
    }

    /** Removes a replica's files. Fails while someone other than the store holds it open. */
    public synchronized void delete(String replicaId) throws IOException {
        checkId(replicaId);
        Path dir = find(replicaId);
        if (dir == null) {
            throw new NoSuchFileException("replica " + replicaId + " not on this node");
        }
        LocalReplica r = open.remove(replicaId);
        if (r != null) {
            r.abandon();
        }
        Files.deleteIfExists(dir.resolve(replicaId + ".meta"));
        Files.deleteIfExists(dir.resolve(replicaId + ".meta.tmp"));
        Files.deleteIfExists(dir.resolve(replicaId + ".meta.spare"));
        Files.deleteIfExists(dir.resolve(replicaId + ".img"));
        ReplicaMetadata.fsyncDirectory(dir);
    }

    /**
     * Grows a replica to {@code newSize} (offline: refused while it is open, because an open
     * replica's size and allocation map are fixed in memory).
     */
    public synchronized void grow(String replicaId, long newSize) throws IOException {
        checkId(replicaId);
        Path dir = find(replicaId);
        if (dir == null) {
            throw new NoSuchFileException("replica " + replicaId + " not on this node");
        }
        if (open.containsKey(replicaId)) {
            throw new IllegalStateException("replica " + replicaId + " is open; grow it offline");
        }
        LocalReplica.grow(dir, replicaId, newSize);
    }

    public synchronized List<ReplicaInfo> list() throws IOException {
        List<ReplicaInfo> out = new ArrayList<>();
        for (Map.Entry<String, Path> t : tiers.entrySet()) {
            try (Stream<Path> files = Files.list(t.getValue())) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".meta"))::iterator) {
                    ReplicaMetadata m = ReplicaMetadata.readFrom(f);
                    LocalReplica r = open.get(m.replicaId());
                    long alloc = r != null ? r.allocatedBytes()
                            : Math.min(m.size(), AtomicBitmap.fromLongArray(m.chunks(), m.allocation()).cardinality()
                            * m.allocChunk());
                    out.add(new ReplicaInfo(m.replicaId(), m.volumeId(), t.getKey(), m.size(), alloc, m.generation(),
                            m.clean()));
                }
            }
        }
        return out;
    }

    /** Usable and total bytes of a tier's file system. */
    public long[] tierSpace(String tier) throws IOException {
        var fs = Files.getFileStore(tiers.get(tier));
        return new long[]{fs.getUsableSpace(), fs.getTotalSpace()};
    }

    private Path find(String replicaId) {
        for (Path dir : tiers.values()) {
            if (Files.exists(dir.resolve(replicaId + ".meta"))) {
                return dir;
            }
        }
        return null;
    }

    private static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid replica id: " + id);
        }
    }

    /**
     * Closes every open replica cleanly (fsync, clean marker), whoever else still holds it: the
     * store ends with its process, after the holders' I/O stopped (a holder's later close is a
     * no-op). Dropping only the store's own reference left the replica set's hold, so a SIGTERM
     * never wrote the marker and every restart scanned.
     */
    @Override
    public synchronized void close() throws IOException {
        IOException first = null;
        for (LocalReplica r : open.values()) {
            try {
                r.closeClean();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    /** Opens a target for callers that only need the BlockTarget view. */
    public BlockTarget target(String replicaId) throws IOException {
        return openReplica(replicaId);
    }
}
