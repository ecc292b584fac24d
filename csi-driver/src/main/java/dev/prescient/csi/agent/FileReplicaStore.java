package dev.prescient.csi.agent;

import dev.prescient.csi.CsiException;
import dev.prescient.csi.node.Exec;
import io.grpc.Status;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
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
 * Replicas of this node as sparse files in tier directories: {@code <tier>/<replicaId>.img} plus
 * {@code <replicaId>.meta} (written new, fsynced, renamed: a crash leaves the old or the new one).
 * Snapshots are sparse copies under {@code <tier>/snapshots/}. A restarted node finds everything
 * by listing the directories.
 *
 * <p>Stand-in for the engine's ReplicaStore (dev.prescient.engine.store), which had not landed
 * when this was written; the on-disk layout is deliberately the same idea (sparse file + meta).
 */
public final class FileReplicaStore {
    private final Map<String, Path> tiers;

    public record ReplicaMeta(String replicaId, String volumeId, String tier, long sizeBytes, long generation,
            int nbdPort, Path file) {
    }

    public record SnapshotMeta(String snapshotId, String replicaId, String volumeId, String tier, long sizeBytes,
            long createdMillis, Path file) {
    }

    public FileReplicaStore(Map<String, Path> tiers) throws IOException {
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

    public synchronized ReplicaMeta create(String replicaId, String volumeId, String tier, long size, int port,
            Optional<Path> fillFrom) throws IOException {
        Optional<ReplicaMeta> existing = find(replicaId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path dir = tierDir(tier);
        FileStore fs = Files.getFileStore(dir);
        if (fs.getUsableSpace() < (fillFrom.isPresent() ? Files.size(fillFrom.get()) : 0)) {
            throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoSpace", "tier " + tier + " is full");
        }
        Path img = dir.resolve(replicaId + ".img");
        Path tmp = dir.resolve(replicaId + ".img.tmp");
        if (fillFrom.isPresent()) {
            // cp keeps holes (sparse=always) and shares blocks where the file system can (reflink=auto).
            Exec.check(List.of("cp", "--sparse=always", "--reflink=auto", fillFrom.get().toString(), tmp.toString()));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                // Growing by truncate-extension allocates nothing: the replica starts as one big hole.
                try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
                    raf.setLength(size);
                }
            }
            ch.force(true);
        }
        ReplicaMeta m = new ReplicaMeta(replicaId, volumeId, tier, Math.max(size, Files.size(tmp)), 1, port, img);
        writeMeta(m);
        move(tmp, img);
        return m;
    }

    public synchronized ReplicaMeta expand(String replicaId, long newSize) throws IOException {
        ReplicaMeta m = find(replicaId).orElseThrow(() -> CsiException.notFound("replica " + replicaId + " not found"));
        if (newSize <= m.sizeBytes()) {
            return m;
        }
        try (RandomAccessFile raf = new RandomAccessFile(m.file().toFile(), "rw")) {
            raf.setLength(newSize);
            raf.getFD().sync();
        }
        ReplicaMeta grown = new ReplicaMeta(m.replicaId(), m.volumeId(), m.tier(), newSize, m.generation() + 1,
                m.nbdPort(), m.file());
        writeMeta(grown);
        return grown;
    }

    public synchronized boolean delete(String replicaId) throws IOException {
        Optional<ReplicaMeta> m = find(replicaId);
        if (m.isEmpty()) {
            return false;
        }
        Files.deleteIfExists(metaPath(m.get().file()));
        Files.deleteIfExists(m.get().file());
        return true;
    }

    public Optional<ReplicaMeta> find(String replicaId) throws IOException {
        return list().stream().filter(m -> m.replicaId().equals(replicaId)).findFirst();
    }

    public List<ReplicaMeta> list() throws IOException {
        List<ReplicaMeta> out = new ArrayList<>();
        for (var e : tiers.entrySet()) {
            try (Stream<Path> s = Files.list(e.getValue())) {
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".meta")).sorted().toList()) {
                    Properties pr = load(p);
                    Path img = e.getValue().resolve(pr.getProperty("replicaId") + ".img");
                    if (Files.exists(img)) {
                        out.add(new ReplicaMeta(pr.getProperty("replicaId"), pr.getProperty("volumeId"), e.getKey(),
                                Long.parseLong(pr.getProperty("sizeBytes")), Long.parseLong(pr.getProperty("generation")),
                                Integer.parseInt(pr.getProperty("nbdPort", "0")), img));
                    }
                }
            }
        }
        return out;
    }

    public long allocatedBytes(Path file) throws IOException {
        // st_blocks * block unit: what the sparse file really occupies (the JDK does not expose st_blocks).
        String[] f = Exec.check(List.of("stat", "-c", "%b %B", file.toString())).strip().split(" ");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    // ------------------------------------------------------------ snapshots

    public synchronized SnapshotMeta snapshot(String snapshotId, String replicaId) throws IOException {
        Optional<SnapshotMeta> existing = findSnapshot(snapshotId);
        if (existing.isPresent()) {
            return existing.get();
        }
        ReplicaMeta m = find(replicaId).orElseThrow(() -> CsiException.notFound("replica " + replicaId + " not found"));
        Path dir = tierDir(m.tier()).resolve("snapshots");
        Path img = dir.resolve(snapshotId + ".img");
        Path tmp = dir.resolve(snapshotId + ".img.tmp");
        // A consistent copy needs the writers quiesced; CSI snapshots are crash-consistent, as a
        // power cut would be, which is what this copy of the file as it stands gives.
        Exec.check(List.of("cp", "--sparse=always", "--reflink=auto", m.file().toString(), tmp.toString()));
        SnapshotMeta s = new SnapshotMeta(snapshotId, replicaId, m.volumeId(), m.tier(), m.sizeBytes(),
                System.currentTimeMillis(), img);
        Properties p = new Properties();
        p.setProperty("snapshotId", snapshotId);
        p.setProperty("replicaId", replicaId);
        p.setProperty("volumeId", m.volumeId());
        p.setProperty("sizeBytes", Long.toString(m.sizeBytes()));
        p.setProperty("createdMillis", Long.toString(s.createdMillis()));
        store(p, metaPath(img));
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
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".meta")).sorted().toList()) {
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
        Files.deleteIfExists(metaPath(s.get().file()));
        Files.deleteIfExists(s.get().file());
        return true;
    }

    // ------------------------------------------------------------ files

    private static Path metaPath(Path img) {
        String n = img.getFileName().toString();
        return img.resolveSibling(n.substring(0, n.length() - ".img".length()) + ".meta");
    }

    private void writeMeta(ReplicaMeta m) throws IOException {
        Properties p = new Properties();
        p.setProperty("replicaId", m.replicaId());
        p.setProperty("volumeId", m.volumeId());
        p.setProperty("sizeBytes", Long.toString(m.sizeBytes()));
        p.setProperty("generation", Long.toString(m.generation()));
        p.setProperty("nbdPort", Integer.toString(m.nbdPort()));
        store(p, metaPath(m.file()));
    }

    static void store(Properties p, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(tmp)) {
            p.store(out, null);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        move(tmp, target);
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
