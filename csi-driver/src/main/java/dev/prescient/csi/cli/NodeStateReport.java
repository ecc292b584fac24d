package dev.prescient.csi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.prescient.csi.agent.NodeState;
import dev.prescient.engine.store.ReplicaStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A node's state as its files hold it, read without the agent and without writing anything: the replicas in the
 * tier directories, what the agent and the engines keep per replica or front-end in {@code <state>/run/engine} (the
 * agent's {@code <id>.state.json} records, see {@link NodeState}, shown field by field under the names of the files
 * they replaced: port, front-end, read source, hand-off, ...; the engines' pid, members and log files; and the
 * per-kind files of agents before the records, on a node not restarted since its upgrade) and the staged volumes in
 * {@code <state>/staged}. Grouped by volume; {@code csi-cli state} prints it as a table or JSON.
 */
public final class NodeStateReport {

    /** One replica or front-end id: what the store says about it and every run record, by kind. */
    public record Entry(String id, String volume, String tier, Long sizeBytes, Long allocatedBytes, Long generation,
            Boolean engineRunning, Map<String, String> records) {
    }

    /** One staged volume: where it is attached and mounted on this node. */
    public record Staged(String volume, String device, String method, String stagingPath, String fsType) {
    }

    public record Report(Path stateDir, Map<String, List<Entry>> volumes, List<Staged> staged) {
    }

    private NodeStateReport() {
    }

    /**
     * @param tiers the node's tiers (name to directory); empty: every directory under {@code <state>/tiers}, the
     *              node's default layout
     */
    public static Report read(Path stateDir, Map<String, Path> tiers) throws IOException {
        Map<String, Path> t = new LinkedHashMap<>(tiers);
        if (t.isEmpty() && Files.isDirectory(stateDir.resolve("tiers"))) {
            try (Stream<Path> s = Files.list(stateDir.resolve("tiers"))) {
                s.filter(Files::isDirectory).sorted().forEach(d -> t.put(d.getFileName().toString(), d));
            }
        }
        t.values().removeIf(d -> !Files.isDirectory(d)); // the store would create a missing one: this only reads
        Map<String, ReplicaStore.ReplicaInfo> replicas = new TreeMap<>();
        if (!t.isEmpty()) {
            try (ReplicaStore store = new ReplicaStore(t)) {
                for (ReplicaStore.ReplicaInfo i : store.list()) {
                    replicas.put(i.replicaId(), i);
                }
            }
        }
        Map<String, Map<String, String>> records = runRecords(stateDir.resolve("run/engine"));
        TreeMap<String, List<Entry>> byVolume = new TreeMap<>();
        java.util.Set<String> ids = new java.util.TreeSet<>(replicas.keySet());
        ids.addAll(records.keySet());
        for (String id : ids) {
            ReplicaStore.ReplicaInfo i = replicas.get(id);
            Map<String, String> r = records.getOrDefault(id, Map.of());
            String volume = i != null ? i.volumeId() : volumeFromMembers(r).orElse("?");
            Boolean running = r.containsKey("pid") ? isEngine(r.get("pid")) : null;
            byVolume.computeIfAbsent(volume, v -> new ArrayList<>()).add(new Entry(id, volume,
                    i == null ? null : i.tier(), i == null ? null : i.size(), i == null ? null : i.allocatedBytes(),
                    i == null ? null : i.generation(), running, r));
        }
        return new Report(stateDir, byVolume, staged(stateDir.resolve("staged")));
    }

    /**
     * The agent's records field by field, and the other {@code <id>.<kind>} files (the kind being everything after
     * the id's first dot); an unreadable record shows as {@code state=(unreadable: why)}.
     */
    static Map<String, Map<String, String>> runRecords(Path runDir) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        if (!Files.isDirectory(runDir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(runDir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                int dot = name.indexOf('.');
                if (dot <= 0 || name.endsWith(".tmp")) {
                    continue;
                }
                if (name.endsWith(NodeState.SUFFIX)) {
                    String id = name.substring(0, name.length() - NodeState.SUFFIX.length());
                    Map<String, String> into = out.computeIfAbsent(id, k -> new TreeMap<>());
                    try {
                        NodeState.read(f).ifPresent(r -> into.putAll(r.summaries()));
                    } catch (IOException e) {
                        into.put("state", "(unreadable: " + e.getMessage() + ")");
                    }
                    continue;
                }
                String kind = name.substring(dot + 1);
                String value = kind.equals("log") ? f.toString() : summary(f);
                out.computeIfAbsent(name.substring(0, dot), k -> new TreeMap<>()).put(kind, value);
            }
        }
        return out;
    }

    private static String summary(Path f) {
        try {
            if (Files.size(f) > 4096) {
                return "(" + Files.size(f) + " bytes)";
            }
            byte[] b = Files.readAllBytes(f);
            for (byte x : b) {
                if (x == 0) {
                    return "(" + b.length + " bytes, binary)";
                }
            }
            return new String(b, java.nio.charset.StandardCharsets.UTF_8).strip().replace("\n", "; ");
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static Optional<String> volumeFromMembers(Map<String, String> r) {
        String m = r.get("members");
        if (m != null && m.startsWith("volume ")) {
            String[] f = m.split(" ");
            return f.length > 1 ? Optional.of(f[1]) : Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean isEngine(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static List<Staged> staged(Path dir) throws IOException {
        List<Staged> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".properties")).sorted().toList()) {
                Properties p = new Properties();
                try (var in = Files.newInputStream(f)) {
                    p.load(in);
                }
                String name = f.getFileName().toString();
                out.add(new Staged(p.getProperty("volumeId", name.substring(0, name.length() - ".properties".length())),
                        p.getProperty("device", ""), p.getProperty("method", ""), p.getProperty("stagingPath", ""),
                        p.getProperty("fsType", "")));
            }
        }
        return out;
    }

    public static void printJson(Report r, PrintWriter out) throws IOException {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(Map.of(
                "stateDir", r.stateDir().toString(), "volumes", r.volumes(), "staged", r.staged())));
    }

    public static void printTable(Report r, PrintWriter out) {
        out.printf("%-20s %-24s %-8s %10s %10s %4s %-7s %s%n", "VOLUME", "REPLICA", "TIER", "SIZE", "ALLOCATED", "GEN",
                "ENGINE", "RECORDS");
        for (Map.Entry<String, List<Entry>> v : r.volumes().entrySet()) {
            for (Entry e : v.getValue()) {
                Map<String, String> shown = new TreeMap<>(e.records());
                shown.remove("log");
                StringBuilder recs = new StringBuilder();
                shown.forEach((k, val) -> recs.append(recs.length() == 0 ? "" : "  ").append(k).append('=')
                        .append(val.isEmpty() ? "(empty)" : val));
                out.printf("%-20s %-24s %-8s %10s %10s %4s %-7s %s%n", v.getKey(), e.id(), dash(e.tier()),
                        e.sizeBytes() == null ? "-" : bytes(e.sizeBytes()),
                        e.allocatedBytes() == null ? "-" : bytes(e.allocatedBytes()), dash(e.generation()),
                        e.engineRunning() == null ? "-" : e.engineRunning() ? "running" : "dead", recs);
            }
        }
        if (!r.staged().isEmpty()) {
            out.println();
            out.printf("%-20s %-14s %-8s %-6s %s%n", "STAGED VOLUME", "DEVICE", "METHOD", "FS", "STAGING PATH");
            for (Staged s : r.staged()) {
                out.printf("%-20s %-14s %-8s %-6s %s%n", s.volume(), s.device(), s.method(), s.fsType(),
                        s.stagingPath());
            }
        }
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    static String bytes(long b) {
        if (b >= 1L << 30 && b % (1L << 30) == 0) {
            return (b >> 30) + "Gi";
        }
        if (b >= 1L << 20) {
            return (b >> 20) + "Mi";
        }
        if (b >= 1L << 10) {
            return (b >> 10) + "Ki";
        }
        return Long.toString(b);
    }
}
