package dev.prescient.csi.node;

import dev.prescient.csi.Exec;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Waits;
import dev.prescient.csi.agent.NbdTransport;
import dev.prescient.csi.keeper.DirectLauncher;
import dev.prescient.csi.keeper.Launcher;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns an NBD export into a local block device. Where the kernel NBD driver exists
 * ({@code /dev/nbd*}) that is {@code nbd-client}; otherwise {@code nbdfuse} presents the export
 * as a file and a loop device makes it a block device (the case on machines without the nbd
 * module). The helper processes are started by a {@link Launcher} so they survive a node-plugin
 * restart, and a restarted plugin adopts them ({@link #healthy}).
 */
public final class Attacher {
    private final Path runDir;
    private final Launcher launcher;
    private final NbdTransport transport;

    /** What was attached, enough to find and detach it again after a restart. */
    public record Attachment(String device, String method, Path fuseDir, long helperPid) {
    }

    public Attacher(Path runDir) throws IOException {
        this(runDir, new DirectLauncher(), NbdTransport.plain());
    }

    /**
     * @param launcher  starts nbdfuse so that it outlives this process (a process keeper on Kubernetes)
     * @param transport how an export's URI is reached (this node's socket, TLS to another node)
     */
    public Attacher(Path runDir, Launcher launcher, NbdTransport transport) throws IOException {
        this.runDir = runDir;
        this.launcher = launcher;
        this.transport = transport;
        Files.createDirectories(runDir);
    }

    public static boolean kernelNbd() {
        try (var s = Files.list(Path.of("/dev"))) {
            return s.anyMatch(p -> p.getFileName().toString().matches("nbd\\d+")) && Exec.onPath("nbd-client");
        } catch (IOException e) {
            return false;
        }
    }

    public Attachment attach(String volumeId, String nbdUri) throws IOException {
        if (kernelNbd()) {
            String dev = firstFreeNbd();
            Exec.check(transport.nbdClientArgs(nbdUri, dev));
            return new Attachment(dev, "nbd-client", null, 0);
        }
        Path dir = runDir.resolve(volumeId);
        Files.createDirectories(dir);
        Path pidFile = runDir.resolve(volumeId + ".fuse.pid");
        Files.deleteIfExists(pidFile);
        // This attempt's output only: an earlier attempt's error must not be reported as this one's.
        Path log = runDir.resolve(volumeId + ".fuse.log");
        List<String> cmd = new java.util.ArrayList<>(List.of("nbdfuse", "-P", pidFile.toString(), dir.toString()));
        cmd.addAll(transport.nbdfuseSource(nbdUri));
        long helper = launcher.start(cmd, log, false);
        Path file = dir.resolve("nbd");
        boolean[] exited = {false};
        boolean up = Waits.until(15_000, 50, () -> {
            if (Files.exists(pidFile) && Files.exists(file)) {
                return true;
            }
            // nbdfuse that could not connect exits: no need to wait out the deadline.
            exited[0] = !alive(helper) && !(Files.exists(pidFile) && Files.exists(file));
            return exited[0];
        });
        if (!up || exited[0]) {
            if (!exited[0]) {
                ProcessHandle.of(helper).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (Mounts.at(dir).isEmpty()) {
                Files.deleteIfExists(dir);
            }
            throw new CsiException(Status.Code.UNAVAILABLE, "NbdAttachFailed", "nbdfuse "
                    + (exited[0] ? "exited" : "did not come up in 15 s") + " for "
                    + nbdUri + ": " + Files.readString(log).strip());
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        String loop = Exec.check(List.of("losetup", "--find", "--show", file.toString())).strip();
        return new Attachment(loop, "nbdfuse", dir, pid);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String firstFreeNbd() throws IOException {
        for (int i = 0; i < 128; i++) {
            Path pid = Path.of("/sys/block/nbd" + i + "/pid");
            if (Files.exists(Path.of("/dev/nbd" + i)) && !Files.exists(pid)) {
                return "/dev/nbd" + i;
            }
        }
        throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoFreeNbdDevice", "every /dev/nbd* is in use");
    }

    /** Idempotent: a missing device or dead helper is already detached. */
    public void detach(Attachment a) throws IOException {
        if (a.method().equals("nbd-client")) {
            Exec.run(List.of("nbd-client", "-d", a.device()), 30);
            return;
        }
        if (a.device() != null && loopBackedBy(a.device(), a.fuseDir())) {
            Exec.run(List.of("losetup", "-d", a.device()), 30);
        }
        if (a.fuseDir() != null && Mounts.at(a.fuseDir()).isPresent()) {
            // fusermount3 (package fuse3) is the unprivileged way; the node plugin runs as root, so umount works too.
            Exec.check(Exec.onPath("fusermount3") ? List.of("fusermount3", "-u", a.fuseDir().toString())
                    : List.of("umount", a.fuseDir().toString()));
        }
        Optional<ProcessHandle> h = a.helperPid() > 0 ? ProcessHandle.of(a.helperPid()) : Optional.empty();
        if (h.isPresent() && isNbdfuse(a.helperPid())) {
            h.get().destroy();
            try {
                h.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.get().destroyForcibly();
            }
        }
        if (a.fuseDir() != null) {
            Files.deleteIfExists(a.fuseDir());
            // The helper's pid file and log go with it: a stale pid file would name a reused pid one day.
            Files.deleteIfExists(a.fuseDir().resolveSibling(a.fuseDir().getFileName() + ".fuse.pid"));
            Files.deleteIfExists(a.fuseDir().resolveSibling(a.fuseDir().getFileName() + ".fuse.log"));
        }
    }

    /** What is broken in the attachment, empty when it is whole (for the log of a re-stage). */
    public Optional<String> whyUnhealthy(Attachment a) throws IOException {
        if (healthy(a)) {
            return Optional.empty();
        }
        if (a.method().equals("nbd-client")) {
            return Optional.of(a.device() + " has no nbd-client connection");
        }
        return Optional.of(isNbdfuse(a.helperPid()) ? a.device() + " is not backed by " + a.fuseDir().resolve("nbd")
                : "nbdfuse pid " + a.helperPid() + " is gone");
    }

    /** Whether the attachment is still whole: helper alive and loop device pointing at its file. */
    public boolean healthy(Attachment a) throws IOException {
        if (a.method().equals("nbd-client")) {
            return Files.exists(Path.of("/sys/block", Path.of(a.device()).getFileName().toString(), "pid"));
        }
        return isNbdfuse(a.helperPid()) && loopBackedBy(a.device(), a.fuseDir());
    }

    static boolean loopBackedBy(String loop, Path fuseDir) {
        if (loop == null || fuseDir == null) {
            return false;
        }
        Path backing = Path.of("/sys/block", Path.of(loop).getFileName().toString(), "loop", "backing_file");
        String file = fuseDir.resolve("nbd").toString();
        try {
            if (Files.readString(backing).strip().equals(file)) {
                return true;
            }
        } catch (IOException e) {
            return false;
        }
        // The kernel prints the backing path as seen from the mount the loop device was set up
        // through; after the plugin's container (and its mount namespace) is gone that mount is
        // detached and the path reads differently though the file is the same. Device and inode
        // do not depend on the namespace.
        try {
            long dev = (Long) Files.getAttribute(Path.of(file), "unix:dev");
            long ino = (Long) Files.getAttribute(Path.of(file), "unix:ino");
            String out = Exec.check(List.of("losetup", "--list", "--noheadings", "-O", "BACK-INO,BACK-MAJ:MIN", loop));
            return backs(out, ino, dev);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether losetup's {@code BACK-INO,BACK-MAJ:MIN} line names inode {@code ino} on device {@code dev}.
     * Not {@code --raw}: it escapes the column padding ({@code \x20}) instead of dropping it.
     */
    static boolean backs(String losetupLine, long ino, long dev) {
        String[] f = losetupLine.strip().split("\\s+");
        return f.length == 2 && f[0].equals(Long.toString(ino)) && f[1].equals(majorMinor(dev));
    }

    /** glibc's dev_t encoding, as stat returns it, to "major:minor". */
    static String majorMinor(long dev) {
        long major = ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
        long minor = ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
        return major + ":" + minor;
    }

    static boolean isNbdfuse(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .startsWith("nbdfuse");
        } catch (IOException e) {
            return false;
        }
    }
}
