package dev.prescient.csi.keeper;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's data-path processes on behalf of the CSI node plugin, so that they outlive it.
 *
 * <p>On Kubernetes every process of a container dies with the container (the runtime kills its
 * cgroup), so engines and nbdfuse started by the plugin would die at every plugin restart, taking
 * every mounted volume with them. The keeper runs in a pod of its own ({@code prescient-dataplane},
 * updated only when its pods are deleted), starts what the plugin asks over a UNIX socket, and
 * does nothing else: the plugin keeps every decision and finds the processes again by pid (both
 * pods share the host's pid namespace). Only programs from {@code allowed} are started, the socket
 * is the owner's alone (0600 in a 0700 directory), and each connection carries one bounded request.
 */
public final class ProcessKeeper implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessKeeper.class);
    /** A client that connects and says nothing is cut off after this long. */
    static final long REQUEST_DEADLINE_MS = 10_000;

    private final Path socket;
    private final Set<String> allowed;
    private final Set<Process> children = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, daemon("keeper-request"));
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(daemon("keeper-deadline"));
    private ServerSocketChannel server;
    private Thread acceptor;
    private volatile boolean closed;

    /** @param allowed the programs (argv[0] exactly) the keeper starts */
    public ProcessKeeper(Path socket, Set<String> allowed) {
        this.socket = socket;
        this.allowed = Set.copyOf(allowed);
    }

    /** The programs a node plugin launches: this JVM's java (engines) and nbdfuse. */
    public static Set<String> defaultPrograms() {
        return Set.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "nbdfuse");
    }

    public ProcessKeeper start() throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        acceptor = new Thread(this::acceptLoop, "keeper-accept");
        acceptor.start();
        LOG.info("process keeper listening on {} (programs {})", socket, allowed);
        return this;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                var deadline = deadlines.schedule(() -> closeQuietly(c), REQUEST_DEADLINE_MS, TimeUnit.MILLISECONDS);
                workers.execute(() -> {
                    try {
                        serve(c);
                    } finally {
                        deadline.cancel(false);
                        closeQuietly(c);
                    }
                });
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    // One bad accept must not end the keeper: every volume's data path hangs off it.
                    LOG.warn("keeper accept: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
        try {
            KeeperProtocol.Request r = KeeperProtocol.readRequest(new DataInputStream(Channels.newInputStream(c)));
            long pid;
            try {
                pid = launch(r);
            } catch (IOException | IllegalArgumentException e) {
                out.writeLong(-1);
                out.writeUTF(e.getMessage() == null ? e.toString() : e.getMessage());
                out.flush();
                return;
            }
            out.writeLong(pid);
            out.flush();
        } catch (IOException e) {
            LOG.warn("keeper: dropped a malformed request: {}", e.getMessage());
        }
    }

    private long launch(KeeperProtocol.Request r) throws IOException {
        String program = r.argv().get(0);
        if (!allowed.contains(program)) {
            throw new IllegalArgumentException("program " + program + " is not one the keeper starts " + allowed);
        }
        Process p = DirectLauncher.startProcess(r.argv(), r.log(), r.append());
        children.add(p);
        p.onExit().thenRun(() -> children.remove(p));
        LOG.info("started pid {}: {}", p.pid(), summary(r.argv()));
        return p.pid();
    }

    private static String summary(List<String> argv) {
        String s = String.join(" ", argv);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /**
     * Stops accepting, then asks every child to stop (SIGTERM lets an engine write its clean marker)
     * and waits up to {@code graceMs} for them. Only for the keeper's own end: a plugin restart
     * never gets here.
     */
    public void stopChildren(long graceMs) {
        for (Process p : children) {
            p.destroy();
        }
        long end = System.currentTimeMillis() + graceMs;
        for (Process p : children) {
            try {
                p.waitFor(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public int children() {
        return children.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (server != null) {
            server.close();
        }
        workers.shutdownNow();
        deadlines.shutdownNow();
        Files.deleteIfExists(socket);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
