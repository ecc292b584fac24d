package dev.prescient.engine.control;

import dev.prescient.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica set of a front-end engine as persisted in its run directory, so that a restarted
 * engine re-attaches its remote members instead of silently dropping them. Text, one line each:
 * <pre>
 * volume &lt;volumeId&gt; &lt;sizeBytes&gt;
 * local &lt;replicaId&gt; member|dropped
 * remote &lt;replicaId&gt; &lt;host:port&gt; syncing|in-sync
 * reads &lt;replicaId&gt;
 * </pre>
 * The {@code reads} line (optional) names the member chosen to serve reads (READ, or the last SWITCH); a restarted
 * engine serves reads from it again once it is back in sync. Written to a temporary file, forced to disk and renamed
 * over the old one, so a crash leaves the old record or the new one.
 *
 * @param readSource the chosen read source, or null (the default order: local first)
 */
public record Membership(String volumeId, long size, String localId, boolean localDropped, List<Remote> remotes,
                         String readSource) {

    public Membership(String volumeId, long size, String localId, boolean localDropped, List<Remote> remotes) {
        this(volumeId, size, localId, localDropped, remotes, null);
    }

    public record Remote(String replicaId, String endpoint, boolean inSync) {
    }

    public Membership {
        remotes = List.copyOf(remotes);
    }

    public static Membership read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        String vol = null;
        long size = -1;
        String local = null;
        boolean dropped = false;
        List<Remote> remotes = new ArrayList<>();
        String reads = null;
        for (String line : lines) {
            String[] t = line.strip().split(" +");
            if (t.length == 0 || t[0].isEmpty()) {
                continue;
            }
            switch (t[0]) {
                case "volume" -> {
                    check(t, 3, file, line);
                    vol = t[1];
                    size = Long.parseLong(t[2]);
                }
                case "local" -> {
                    check(t, 3, file, line);
                    local = t[1];
                    dropped = t[2].equals("dropped");
                }
                case "remote" -> {
                    check(t, 4, file, line);
                    remotes.add(new Remote(t[1], t[2], t[3].equals("in-sync")));
                }
                case "reads" -> {
                    check(t, 2, file, line);
                    reads = t[1];
                }
                default -> throw new IOException(file + ": unknown line: " + line);
            }
        }
        if (vol == null || local == null) {
            throw new IOException(file + ": no volume or local line");
        }
        return new Membership(vol, size, local, dropped, remotes, reads);
    }

    private static void check(String[] t, int n, Path file, String line) throws IOException {
        if (t.length != n) {
            throw new IOException(file + ": malformed line: " + line);
        }
    }

    public void write(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("volume ").append(volumeId).append(' ').append(size).append('\n');
        b.append("local ").append(localId).append(' ').append(localDropped ? "dropped" : "member").append('\n');
        for (Remote r : remotes) {
            b.append("remote ").append(r.replicaId).append(' ').append(r.endpoint).append(' ')
                    .append(r.inSync ? "in-sync" : "syncing").append('\n');
        }
        if (readSource != null) {
            b.append("reads ").append(readSource).append('\n');
        }
        AtomicFiles.write(file, b.toString());
    }
}
