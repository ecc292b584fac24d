package dev.prescient.local.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Leaves nothing behind under a work folder: unmounts file systems mounted below it, detaches loop devices backed
 * by files below it, and stops daemons whose pid files live below it (engine exports and nbdfuse are detached on
 * purpose so that they outlive a crashed node plugin, so they are not children of anything we started).
 */
public final class HostSweep {
    /** What is still there; empty lists mean clean. */
    public record Leftovers(List<String> mounts, List<String> loops, List<Long> pids) {
        public boolean clean() {
            return mounts.isEmpty() && loops.isEmpty() && pids.isEmpty();
        }
    }

    private final Path root;

    public HostSweep(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Leftovers find() throws IOException {
        return new Leftovers(mounts(), loops(), daemons());
    }

    /** Unmount, detach, stop; then reports what is still there. */
    public Leftovers sweep() throws IOException {
        List<String> ms = new ArrayList<>(mounts());
        // Deepest first so a mount inside another mount goes before its parent.
        ms.sort((a, b) -> b.length() - a.length());
        for (String m : ms) {
            run("umount", m);
            if (mounts().contains(m)) {
                run("umount", "-l", m);
            }
        }
        for (String loop : loops()) {
            run("losetup", "-d", loop);
        }
        // TERM every daemon first, then wait: one slow daemon should not hold up the others' grace period.
        List<ProcessHandle> ds = daemons().stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
        ds.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + 10_000;
        for (ProcessHandle h : ds) {
            while (running(h.pid()) && System.currentTimeMillis() < deadline) {
                sleepQuietly(100);
            }
            if (running(h.pid())) {
                h.destroyForcibly();
            }
        }
        for (String m : mounts()) {
            // nbdfuse mounts disappear with their daemon; a stale FUSE mount needs a lazy unmount.
            run("umount", "-l", m);
        }
        return find();
    }

    List<String> mounts() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1) {
                String mp = f[1].replace("\\040", " ");
                if (Path.of(mp).startsWith(root)) {
                    out.add(mp);
                }
            }
        }
        return out;
    }

    List<String> loops() {
        List<String> out = new ArrayList<>();
        String listing = run("losetup", "-n", "-l", "-O", "NAME,BACK-FILE");
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split("\\s+", 2);
            if (f.length == 2 && f[1].startsWith(root.toString())) {
                out.add(f[0]);
            }
        }
        return out;
    }

    List<Long> daemons() throws IOException {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".pid") && Files.isRegularFile(f)).toList()) {
                pid(p).filter(HostSweep::running).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Alive and not a zombie (a daemon whose parent never reaps it is gone for all purposes). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Optional<Long> pid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
