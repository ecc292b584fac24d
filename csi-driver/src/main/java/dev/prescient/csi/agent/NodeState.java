package dev.prescient.csi.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.prescient.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's records in the engines' run directory: one {@link NodeRecord} per replica or front-end, as
 * {@code <id>.state.json}, replaced whole through {@link AtomicFiles} (temp + fsync + rename + directory fsync), so a
 * crash leaves the old record or the new one. Opening a directory migrates the files earlier agents kept there
 * ({@link OldRunFiles}): a node upgraded in place keeps its volumes.
 *
 * <p>A record that cannot be read (corrupt, or written by a newer agent) is never overwritten: reading or editing it
 * fails with {@link RecordException} naming the file, and listings skip it with a logged error, so the other records
 * keep working.
 */
public final class NodeState {
    private static final Logger LOG = LoggerFactory.getLogger(NodeState.class);
    public static final String SUFFIX = ".state.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** One lock per directory: several objects of one process may open the same node's state (tests, restarts). */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final Object lock;
    /** Unreadable records already logged at ERROR (listings run every few seconds). */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** A record that is corrupt or newer than this agent: left as it is. */
    public static final class RecordException extends IOException {
        public RecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens (creating) {@code dir} and migrates old-format files found there. */
    public NodeState(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.lock = LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Object());
        synchronized (lock) {
            OldRunFiles.migrate(this);
        }
    }

    public Path dir() {
        return dir;
    }

    Path file(String id) {
        return dir.resolve(id + SUFFIX);
    }

    /** The record of {@code id}; empty when there is none. */
    public Optional<NodeRecord> find(String id) throws IOException {
        return read(file(id));
    }

    /** The record of {@code id}, or {@link NodeRecord#EMPTY}. */
    public NodeRecord get(String id) throws IOException {
        return find(id).orElse(NodeRecord.EMPTY);
    }

    /**
     * Reads, edits and replaces the record of {@code id} in one step (the edit runs under this directory's lock: keep
     * it to computing the new record). An edit that empties the record deletes it.
     *
     * @return the record as written
     */
    public NodeRecord update(String id, UnaryOperator<NodeRecord> edit) throws IOException {
        synchronized (lock) {
            NodeRecord before = get(id);
            NodeRecord after = edit.apply(before);
            if (after.isEmpty()) {
                Files.deleteIfExists(file(id));
            } else if (!after.equals(before) || !Files.exists(file(id))) {
                write(file(id), after);
            }
            return after;
        }
    }

    /** The ids whose record matches; unreadable records are logged (once each) and left out. */
    public List<String> ids(Predicate<NodeRecord> which) throws IOException {
        List<String> out = new ArrayList<>();
        all().forEach((id, r) -> {
            if (which.test(r)) {
                out.add(id);
            }
        });
        return out;
    }

    /** Every readable record by id; unreadable ones are logged (once each) and left out. */
    public Map<String, NodeRecord> all() throws IOException {
        Map<String, NodeRecord> out = new TreeMap<>();
        for (Path f : recordFiles(dir)) {
            String id = idOf(f);
            try {
                read(f).ifPresent(r -> out.put(id, r));
                reported.remove(id);
            } catch (RecordException e) {
                if (reported.add(id)) {
                    LOG.error("{} (the other records are used as usual)", e.getMessage());
                }
            }
        }
        return out;
    }

    static List<Path> recordFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    static String idOf(Path recordFile) {
        String n = recordFile.getFileName().toString();
        return n.substring(0, n.length() - SUFFIX.length());
    }

    /** Reads one record file; empty when it does not exist. */
    public static Optional<NodeRecord> read(Path f) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (IOException e) {
            throw corrupt(f, "not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (tree == null || !tree.isObject() || !tree.path("version").isInt()) {
            throw corrupt(f, "no integer \"version\" field", null);
        }
        int version = tree.get("version").intValue();
        if (version > NodeRecord.CURRENT) {
            throw new RecordException("node state record " + f + " has format version " + version
                    + ", newer than this agent's " + NodeRecord.CURRENT + " (written by a newer agent?): refusing to"
                    + " use or overwrite it; run the newer agent again, or move the file away to drop its state", null);
        }
        if (version < 1) {
            throw corrupt(f, "format version " + version + " is not one any agent wrote", null);
        }
        try {
            return Optional.of(JSON.treeToValue(tree, NodeRecord.class));
        } catch (IOException | IllegalArgumentException e) {
            throw corrupt(f, e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static RecordException corrupt(Path f, String why, Throwable cause) {
        return new RecordException("node state record " + f + " is corrupt (" + why + "): left in place and not"
                + " used; the agent refuses to edit that replica's state until it is repaired or removed", cause);
    }

    static void write(Path f, NodeRecord r) throws IOException {
        AtomicFiles.write(f, JSON.writeValueAsBytes(r));
    }
}
