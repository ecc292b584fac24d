package dev.prescient.csi.agent;

import dev.prescient.engine.control.Membership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-kind files agents before {@link NodeState} kept in the run directory ({@code <id>.port}, {@code .frontend},
 * ...), read once into {@link NodeRecord}s when a node is upgraded in place. The record is written first and the old
 * files removed after, so a crash in between only repeats the migration; a file that does not parse is logged and
 * left where it is, and the others of that id are migrated.
 */
final class OldRunFiles {
    private static final Logger LOG = LoggerFactory.getLogger(OldRunFiles.class);
    /** The kinds, longest first where one ends another ({@code .frontend-only} / {@code .frontend}). */
    static final List<String> KINDS = List.of("frontend-only", "frontend", "read-source", "hand-off", "handed-to",
            "inherit", "filling", "rport", "port");

    private OldRunFiles() {
    }

    /** An old file: its id, its kind and where it is. */
    record Found(String id, String kind, Path file) {
    }

    /** The old files in {@code dir}, by id. */
    static Map<String, List<Found>> scan(Path dir) throws IOException {
        Map<String, List<Found>> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                for (String kind : KINDS) {
                    String suffix = "." + kind;
                    if (name.endsWith(suffix) && name.length() > suffix.length()) {
                        String id = name.substring(0, name.length() - suffix.length());
                        out.computeIfAbsent(id, k -> new ArrayList<>()).add(new Found(id, kind, f));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Folds the old files of every id into its record and removes them. */
    static void migrate(NodeState state) throws IOException {
        Map<String, List<Found>> old = scan(state.dir());
        for (Map.Entry<String, List<Found>> e : old.entrySet()) {
            String id = e.getKey();
            NodeRecord r;
            try {
                r = state.get(id);
            } catch (NodeState.RecordException ex) {
                LOG.error("old state files of {} not migrated: {}", id, ex.getMessage());
                continue;
            }
            List<Path> folded = new ArrayList<>();
            for (Found f : e.getValue()) {
                try {
                    r = fold(r, f.kind(), Files.readString(f.file()));
                    folded.add(f.file());
                } catch (IOException | RuntimeException ex) {
                    LOG.error("old state file {} cannot be read ({}): left in place, not migrated; the rest of {}'s"
                            + " state is", f.file(), ex.getMessage(), id);
                }
            }
            if (folded.isEmpty()) {
                continue;
            }
            NodeRecord migrated = r;
            state.update(id, before -> migrated);
            for (Path p : folded) {
                Files.deleteIfExists(p);
            }
            LOG.info("state of {} migrated to {} from {}", id, state.file(id).getFileName(),
                    folded.stream().map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * {@code r} with the content of one old file; a field the record already has wins (it can only have one when a
     * crash interrupted an earlier migration, after the record was written: the same content).
     */
    static NodeRecord fold(NodeRecord r, String kind, String text) throws IOException {
        String t = text.strip();
        return switch (kind) {
            case "port" -> r.port() != null ? r : r.withPort(port(t));
            case "rport" -> r.replicationPort() != null ? r : r.withReplicationPort(port(t));
            case "frontend" -> {
                // "<agent host:port> <front-end replica>"
                String[] f = t.split(" +");
                if (f.length != 2 || f[0].lastIndexOf(':') < 1) {
                    throw new IOException("malformed front-end record: " + t);
                }
                yield r.frontEnd() != null ? r : r.withFrontEnd(new NodeRecord.Peer(f[1], f[0]));
            }
            case "frontend-only" -> r.withFrontEndOnly(true);
            case "filling" -> r.filling() != null ? r : r.withFilling(t);
            case "read-source" -> r.readSource() != null ? r : r.withReadSource(peer(t));
            case "handed-to" -> r.handedTo() != null ? r : r.withHandedTo(peer(t));
            case "inherit" -> r.inherit() != null ? r : r.withInherit(members(MemberHandover.parse(t)));
            case "hand-off" -> {
                MemberHandover h = MemberHandover.parseHandOff(t);
                yield r.handOff() != null ? r : r.withHandOff(new NodeRecord.HandOff(h.successor(), h.agent(),
                        members(h.members())));
            }
            default -> throw new IllegalArgumentException("not an old run file kind: " + kind);
        };
    }

    private static int port(String t) throws IOException {
        try {
            int p = Integer.parseInt(t);
            if (p < 1 || p > 65535) {
                throw new IOException("port out of range: " + t);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IOException("not a port: " + t);
        }
    }

    private static NodeRecord.Peer peer(String t) throws IOException {
        MemberHandover.ReadSource rs = MemberHandover.ReadSource.parse(t);
        return new NodeRecord.Peer(rs.replicaId(), rs.agent());
    }

    private static List<NodeRecord.Member> members(List<Membership.Remote> rs) {
        return rs.stream().map(NodeRecord.Member::of).toList();
    }
}
