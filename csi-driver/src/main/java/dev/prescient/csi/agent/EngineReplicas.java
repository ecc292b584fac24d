package dev.prescient.csi.agent;

import dev.prescient.engine.io.AtomicFiles;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Exec;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.store.ReplicaStore;
import io.grpc.Status;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * This node's replicas, kept by the engine's {@link ReplicaStore} in the tier directories
 * ({@code <tier>/<replicaId>.img} + crash-safe {@code .meta} with the allocation map), and the
 * snapshots, sparse images under {@code <tier>/snapshots/} with a small properties file.
 *
 * <p>The agent never holds a replica open: each mutation uses a short-lived store that is closed
 * before returning, because the replica's engine process (see {@link EngineExports}) must be the
 * only one with its files open. Listing reads metadata only.
 */
public final class EngineReplicas {
    private final Map<String, Path> tiers;

    public record ReplicaMeta(String replicaId, String volumeId, String tier, long sizeBytes, long allocatedBytes,
            long generation, Path file) {
    }

    public record SnapshotMeta(String snapshotId, String replicaId, String volumeId, String tier, long sizeBytes,
            long createdMillis, Path file) {
    }

    /** Fills a new sparse file of the snapshot's size with the replica's data. */
    public interface Filler {
        void fill(Path target) throws IOException;
    }

    public EngineReplicas(Map<String, Path> tiers) throws IOException {
        this.tiers = Map.copyOf(tiers);
        for (Path p : tiers.values()) {
            Files.createDirectories(p.resolve("snapshots"));
        }
    }

    public Map<String, Path> tiers() {
        return tiers;
    }

    private Path tierDir(String tier) {
        Path p = tiers.get(tier);
        if (p == null) {
            throw new CsiException(Status.Code.INVALID_ARGUMENT, "UnknownTier", "this node has no tier " + tier
                    + " (has " + tiers.keySet() + ")");
        }
        return p;
    }

    private ReplicaStore store() throws IOException {
        return new ReplicaStore(tiers);
    }

    /** Creates an empty (all-hole) replica, or returns the one that exists under that id. */
    public synchronized ReplicaMeta create(String replicaId, String volumeId, String tier, long size, long needBytes)
            throws IOException {
        Optional<ReplicaMeta> existing = find(replicaId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path dir = tierDir(tier);
        if (Files.getFileStore(dir).getUsableSpace() < needBytes) {
            throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoSpace", "tier " + tier + " is full");
        }
        try (ReplicaStore s = store()) {
            s.create(replicaId, volumeId, tier, size).close();
        } catch (NoSpaceException e) {
            throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoSpace", "tier " + tier + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CsiException.invalid(e.getMessage());
        }
        return find(replicaId).orElseThrow();
    }

    /** Grows a replica; its engine process must be stopped (offline expansion). */
    public synchronized ReplicaMeta grow(String replicaId, long newSize) throws IOException {
        ReplicaMeta m = find(replicaId).orElseThrow(() -> CsiException.notFound("replica " + replicaId + " not found"));
        if (newSize <= m.sizeBytes()) {
            return m;
        }
        try (ReplicaStore s = store()) {
            s.grow(replicaId, newSize);
        } catch (NoSpaceException e) {
            throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoSpace", e.getMessage());
        }
        return find(replicaId).orElseThrow();
    }

    public synchronized boolean delete(String replicaId) throws IOException {
        try (ReplicaStore s = store()) {
            s.delete(replicaId);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    public Optional<ReplicaMeta> find(String replicaId) throws IOException {
        return list().stream().filter(m -> m.replicaId().equals(replicaId)).findFirst();
    }

    public List<ReplicaMeta> list() throws IOException {
        try (ReplicaStore s = store()) {
            return s.list().stream().map(i -> new ReplicaMeta(i.replicaId(), i.volumeId(), i.tier(), i.size(),
                    i.allocatedBytes(), i.generation(), tiers.get(i.tier()).resolve(i.replicaId() + ".img"))).toList();
        }
    }

    /** What a file really occupies (st_blocks); the JDK does not expose it. */
    public static long diskBytes(Path file) throws IOException {
        try {
            String[] f = Exec.check(List.of("stat", "-c", "%b %B", file.toString())).strip().split(" ");
            return Long.parseLong(f[0]) * Long.parseLong(f[1]);
        } catch (IOException e) {
            // A replica deleted while it is being listed (a move's clean-up) occupies nothing: a health or
            // list call must not fail for the whole node because of it.
            if (!Files.exists(file)) {
                return 0;
            }
            throw e;
        }
    }

    // ------------------------------------------------------------ snapshots

    /**
     * A full, sparse copy of the replica as {@code filler} reads it (through the engine's export,
     * so the engine stays the only owner of the replica). Crash-consistent, like a power cut.
     */
    public synchronized SnapshotMeta snapshot(String snapshotId, ReplicaMeta m, Filler filler) throws IOException {
        Optional<SnapshotMeta> existing = findSnapshot(snapshotId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path dir = tierDir(m.tier()).resolve("snapshots");
        Path img = dir.resolve(snapshotId + ".img");
        Path tmp = dir.resolve(snapshotId + ".img.tmp");
        Files.deleteIfExists(tmp);
        try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
            raf.setLength(m.sizeBytes());
        }
        filler.fill(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        SnapshotMeta s = new SnapshotMeta(snapshotId, m.replicaId(), m.volumeId(), m.tier(), m.sizeBytes(),
                System.currentTimeMillis(), img);
        Properties p = new Properties();
        p.setProperty("snapshotId", snapshotId);
        p.setProperty("replicaId", m.replicaId());
        p.setProperty("volumeId", m.volumeId());
        p.setProperty("sizeBytes", Long.toString(m.sizeBytes()));
        p.setProperty("createdMillis", Long.toString(s.createdMillis()));
        store(p, dir.resolve(snapshotId + ".snap"));
        move(tmp, img);
        return s;
    }

    public Optional<SnapshotMeta> findSnapshot(String id) throws IOException {
        return snapshots().stream().filter(s -> s.snapshotId().equals(id)).findFirst();
    }

    public List<SnapshotMeta> snapshots() throws IOException {
        List<SnapshotMeta> out = new ArrayList<>();
        for (var e : tiers.entrySet()) {
            try (Stream<Path> s = Files.list(e.getValue().resolve("snapshots"))) {
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".snap")).sorted().toList()) {
                    Properties pr = load(p);
                    Path img = p.resolveSibling(pr.getProperty("snapshotId") + ".img");
                    if (Files.exists(img)) {
                        out.add(new SnapshotMeta(pr.getProperty("snapshotId"), pr.getProperty("replicaId"),
                                pr.getProperty("volumeId"), e.getKey(), Long.parseLong(pr.getProperty("sizeBytes")),
                                Long.parseLong(pr.getProperty("createdMillis")), img));
                    }
                }
            }
        }
        return out;
    }

    public synchronized boolean deleteSnapshot(String id) throws IOException {
        Optional<SnapshotMeta> s = findSnapshot(id);
        if (s.isEmpty()) {
            return false;
        }
        Files.deleteIfExists(s.get().file().resolveSibling(id + ".snap"));
        Files.deleteIfExists(s.get().file());
        return true;
    }

    // ------------------------------------------------------------ files

    static void store(Properties p, Path target) throws IOException {
        AtomicFiles.write(target, p, null);
    }

    static Properties load(Path p) {
        Properties pr = new Properties();
        try (var in = Files.newInputStream(p)) {
            pr.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pr;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Some file systems refuse fsync on a directory; the rename is then as durable as they allow.
        }
    }
}
