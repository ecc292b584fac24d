package dev.prescient.local.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The processes the launcher started; each with its log file, stopped as a tree (TERM, then KILL). */
public final class Children implements AutoCloseable {
    /** One started process. */
    public record Child(String name, Process process, Path log) {
    }

    private final List<Child> children = Collections.synchronizedList(new ArrayList<>());

    public Child start(String name, List<String> cmd, Path log) throws IOException {
        return start(name, cmd, log, java.util.Map.of());
    }

    /** Starts {@code cmd} with extra environment variables. */
    public Child start(String name, List<String> cmd, Path log, java.util.Map<String, String> env) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Child c = new Child(name, p, log);
        children.add(c);
        return c;
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public List<Child> all() {
        synchronized (children) {
            return List.copyOf(children);
        }
    }

    /** Stops every child and its descendants, newest first; returns the pids that needed a KILL. */
    @Override
    public void close() {
        List<Child> reversed = new ArrayList<>(all());
        Collections.reverse(reversed);
        for (Child c : reversed) {
            stopTree(c.process().toHandle());
        }
        children.clear();
    }

    /** TERM to the process and all descendants, wait, then KILL what is left. */
    public static void stopTree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(0, root);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + 10_000;
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }
}
