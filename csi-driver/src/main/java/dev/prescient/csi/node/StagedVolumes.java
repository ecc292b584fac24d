package dev.prescient.csi.node;

import dev.prescient.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/** Staged volumes on disk ({@code <state>/staged/<volumeId>.properties}) so a restarted plugin knows them. */
public final class StagedVolumes {
    private final Path dir;

    public record Staged(String volumeId, String nbdUri, String stagingPath, String fsType, boolean block,
            Attacher.Attachment attachment) {
    }

    public StagedVolumes(Path stateDir) throws IOException {
        this.dir = stateDir.resolve("staged");
        Files.createDirectories(dir);
    }

    public void put(Staged s) throws IOException {
        Properties p = new Properties();
        p.setProperty("volumeId", s.volumeId());
        p.setProperty("nbdUri", s.nbdUri());
        p.setProperty("stagingPath", s.stagingPath());
        p.setProperty("fsType", s.fsType());
        p.setProperty("block", Boolean.toString(s.block()));
        p.setProperty("device", s.attachment().device());
        p.setProperty("method", s.attachment().method());
        p.setProperty("fuseDir", s.attachment().fuseDir() == null ? "" : s.attachment().fuseDir().toString());
        p.setProperty("helperPid", Long.toString(s.attachment().helperPid()));
        AtomicFiles.write(dir.resolve(s.volumeId() + ".properties"), p, null);
    }

    public Optional<Staged> get(String volumeId) throws IOException {
        Path f = dir.resolve(volumeId + ".properties");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(f)) {
            p.load(in);
        }
        String fuse = p.getProperty("fuseDir", "");
        return Optional.of(new Staged(p.getProperty("volumeId"), p.getProperty("nbdUri"), p.getProperty("stagingPath"),
                p.getProperty("fsType"), Boolean.parseBoolean(p.getProperty("block")),
                new Attacher.Attachment(p.getProperty("device"), p.getProperty("method"),
                        fuse.isEmpty() ? null : Path.of(fuse), Long.parseLong(p.getProperty("helperPid", "0")))));
    }

    public void remove(String volumeId) throws IOException {
        Files.deleteIfExists(dir.resolve(volumeId + ".properties"));
    }

    public List<Staged> all() throws IOException {
        List<Staged> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".properties")).toList()) {
                String n = p.getFileName().toString();
                get(n.substring(0, n.length() - ".properties".length())).ifPresent(out::add);
            }
        }
        return out;
    }
}
