package dev.prescient.csi.agent;

import dev.prescient.csi.node.Exec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each replica over NBD on TCP so the local node and remote consumers attach it the same
 * way. Until the engine's NBD server (dev.prescient.engine.nbd) lands, the server is nbdkit's
 * file plugin, one process per replica. The processes deliberately outlive the node agent: a
 * restarted agent finds them by pid file and keeps serving, so mounted volumes never see the
 * restart.
 */
public final class NbdExports {
    private static final Logger LOG = LoggerFactory.getLogger(NbdExports.class);
    private final Path runDir;
    private final String bindAddress;

    public NbdExports(Path runDir, String bindAddress) throws IOException {
        this.runDir = runDir;
        this.bindAddress = bindAddress;
        Files.createDirectories(runDir);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String uri(int port) {
        return "nbd://" + bindAddress + ":" + port;
    }

    /** Starts (or finds running) the export of {@code file} on {@code port}. */
    public synchronized String ensure(String replicaId, Path file, int port) throws IOException {
        Path pidFile = runDir.resolve(replicaId + ".pid");
        Optional<Long> pid = livePid(pidFile, file);
        if (pid.isPresent()) {
            return uri(port);
        }
        Files.deleteIfExists(pidFile);
        // nbdkit daemonizes itself (no -f): a foreground nbdkit exits with the process that started
        // it, and the export must outlive a crashed node plugin. The pid file names the daemon.
        List<String> cmd = List.of("nbdkit", "-P", pidFile.toString(), "-i", bindAddress, "-p",
                Integer.toString(port), "file", "file=" + file);
        Process launcher = new ProcessBuilder(cmd).redirectInput(new java.io.File("/dev/null")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve(replicaId + ".log").toFile())).start();
        try {
            launcher.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (livePid(pidFile, file).isPresent() && accepts(port)) {
                LOG.info("replica {} exported on {}", replicaId, uri(port));
                return uri(port);
            }
            sleep(50);
        }
        throw new IOException("nbdkit did not start for " + replicaId + " on port " + port + ": "
                + Files.readString(runDir.resolve(replicaId + ".log")));
    }

    public synchronized void stop(String replicaId) throws IOException {
        Path pidFile = runDir.resolve(replicaId + ".pid");
        Optional<Long> pid = readPid(pidFile);
        if (pid.isPresent()) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid.get());
            if (h.isPresent() && isNbdkit(pid.get())) {
                h.get().destroy();
                try {
                    h.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.get().destroyForcibly();
                }
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(bindAddress, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The pid in the file, if that process is alive and is the nbdkit serving {@code file}. */
    private static Optional<Long> livePid(Path pidFile, Path file) {
        return readPid(pidFile).filter(pid -> {
            try {
                String cmdline = new String(Files.readAllBytes(Path.of("/proc", pid.toString(), "cmdline")),
                        StandardCharsets.UTF_8);
                return cmdline.startsWith("nbdkit") && cmdline.contains("file=" + file);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static boolean isNbdkit(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).startsWith("nbdkit");
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static boolean available() {
        return Exec.onPath("nbdkit");
    }
}
