package dev.prescient.csi.agent;

import dev.prescient.csi.Waits;
import dev.prescient.csi.keeper.DirectLauncher;
import dev.prescient.csi.keeper.Launcher;
import dev.prescient.engine.nbd.NbdServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each replica over NBD on TCP with the Prescient engine: one {@code EngineMain} process
 * per replica, which opens the replica (dev.prescient.engine.store) and serves it through a
 * replica set with heat telemetry (dev.prescient.engine.nbd). While that process runs it alone
 * owns the replica's files; the agent stops it before changing them (expand, delete).
 *
 * <p>The processes deliberately outlive the node agent (started by a {@link Launcher}: in a session
 * of their own, or by the node's process keeper on Kubernetes; output to a log file, no pipe to the
 * agent): a killed agent leaves mounted volumes working, and the
 * restarted agent finds each process again by its pid file ({@code <run>/<replicaId>.pid}, written
 * by the engine once it serves) and its command line. The TCP port of each export is kept in the replica's
 * {@link NodeState} record so the URI handed to consumers survives restarts.
 */
public final class EngineExports {
    private static final Logger LOG = LoggerFactory.getLogger(EngineExports.class);
    static final String MAIN = "dev.prescient.engine.EngineMain";
    /** Small heap: the engine's buffers are few and per connection; many exports share one node. */
    private static final List<String> JVM_OPTS = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    private final Path runDir;
    private final NodeState state;
    private final String bindAddress;
    private final Map<String, Path> tiers;
    private final String classpath;
    private final long heatIntervalMs;
    /** How fast the engines forget accesses; local mode compresses a day into minutes and shortens it. */
    private volatile long heatHalfLifeSeconds = 300;
    /** Microseconds the engine adds to each request of a replica on the tier (absent = none). */
    private final Map<String, Long> tierLatencyUs;
    private volatile Launcher launcher = new DirectLauncher();
    /** The node's TLS material: with it the engines serve TCP (NBD and replication) to TLS clients only. */
    private volatile Optional<NbdTransport.Tls> tls = Optional.empty();
    /** Where engines started from now on serve Prometheus metrics (a kept port each); empty: they serve none. */
    private volatile Optional<String> metricsHost = Optional.empty();
    /** Replicas whose engine should be serving (ensured and not stopped since): what the supervisor revives. */
    private final Map<String, Wanted> wanted = new java.util.concurrent.ConcurrentHashMap<>();

    /** A replica the agent wants served, with what it takes to start its engine again. */
    public record Wanted(String volumeId, String tier) {
    }

    public EngineExports(Path runDir, String bindAddress, Map<String, Path> tiers, long heatIntervalMs)
            throws IOException {
        this(runDir, bindAddress, tiers, heatIntervalMs, Map.of());
    }

    public EngineExports(Path runDir, String bindAddress, Map<String, Path> tiers, long heatIntervalMs,
            Map<String, Long> tierLatencyUs) throws IOException {
        this(runDir, bindAddress, tiers, heatIntervalMs, tierLatencyUs, System.getProperty("java.class.path"));
    }

    public EngineExports(Path runDir, String bindAddress, Map<String, Path> tiers, long heatIntervalMs,
            Map<String, Long> tierLatencyUs, String classpath) throws IOException {
        this.heatIntervalMs = heatIntervalMs;
        this.tierLatencyUs = Map.copyOf(tierLatencyUs);
        this.runDir = runDir;
        this.bindAddress = bindAddress;
        this.tiers = Map.copyOf(tiers);
        this.classpath = classpath;
        this.state = new NodeState(runDir);
    }

    /**
     * How engine processes are started from now on: directly (own session) by default, through the
     * node's process keeper on Kubernetes, where they must outlive the plugin's container.
     */
    public void useLauncher(Launcher launcher) {
        this.launcher = java.util.Objects.requireNonNull(launcher);
    }

    /**
     * Engines started from now on require mutual TLS on TCP (NBD and replication) with this
     * material; their UNIX sockets stay plain, for this node's root only.
     */
    public void useTls(NbdTransport.Tls material) {
        this.tls = Optional.of(material);
    }

    /**
     * Engines started from now on serve {@code GET /metrics} on {@code host} and a port kept in the replica's record
     * ({@link #metricsEndpoint}); an engine adopted after an agent restart keeps what it was started with.
     */
    public void useEngineMetrics(String host) {
        this.metricsHost = Optional.of(host);
    }

    /** {@code host:port} of the engine's metrics of {@code replicaId}, when it was given one. */
    public Optional<String> metricsEndpoint(String replicaId) throws IOException {
        Optional<String> host = metricsHost;
        Integer port = state.get(replicaId).metricsPort();
        return host.isEmpty() || port == null ? Optional.empty() : Optional.of(host.get() + ":" + port);
    }

    /** The UNIX socket on which the engine serves {@code replicaId} to this node's clients. */
    public Path nbdSocket(String replicaId) {
        Path p = runDir.resolve(replicaId + ".nbd.sock").toAbsolutePath();
        // The engine binds a longer name first (NbdServer.unixBindPath): that one must fit too.
        return NbdServer.unixBindPath(p).toString().length() <= 100 ? p
                : Path.of(System.getProperty("java.io.tmpdir"), "prescient-" + Integer.toHexString(p.toString().hashCode()) + ".nbd.sock");
    }

    /** The socket of the export {@code target} names, when it is one of this node's engines. */
    public Optional<Path> localSocket(NbdTransport.Target target) {
        if (!target.host().equals(bindAddress)) {
            return Optional.empty();
        }
        try {
            for (String id : state.ids(r -> r.port() != null && r.port() == target.port())) {
                if (Files.exists(nbdSocket(id))) {
                    return Optional.of(nbdSocket(id));
                }
            }
        } catch (IOException e) {
            LOG.warn("looking up the local export of {}:{}: {}", target.host(), target.port(), e.toString());
        }
        return Optional.empty();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Half-life of the engines' decayed heat, for engines started from now on. */
    public void setHeatHalfLifeSeconds(long seconds) {
        if (seconds <= 0) {
            throw new IllegalArgumentException("heat half-life must be positive: " + seconds);
        }
        this.heatHalfLifeSeconds = seconds;
    }

    public Path runDir() {
        return runDir;
    }

    /** The agent's records of this node's replicas and front-ends (in {@link #runDir()}). */
    public NodeState state() {
        return state;
    }

    public String uri(int port) {
        return "nbd://" + bindAddress + ":" + port;
    }

    /** The export's port: kept from an earlier start, else a free one, recorded before use. */
    public synchronized int port(String replicaId) throws IOException {
        return keptPort(replicaId, Port.NBD);
    }

    /**
     * The engine's replication listener ({@code host:port}): remote front-ends attach this replica
     * as a member of their replica set there. Kept in the replica's record.
     */
    public synchronized String replicationEndpoint(String replicaId) throws IOException {
        return bindAddress + ":" + keptPort(replicaId, Port.REPLICATION);
    }

    /** The engine's control socket ({@link dev.prescient.engine.control.ControlServer}). */
    public Path controlSocket(String replicaId) {
        return shortSocket(runDir.resolve(replicaId + ".ctl").toAbsolutePath(), ".ctl");
    }

    /** A UNIX socket path holds at most 107 bytes; a deep run dir falls back to a short name. */
    private static Path shortSocket(Path p, String suffix) {
        return p.toString().length() <= 100 ? p
                : Path.of(System.getProperty("java.io.tmpdir"), "prescient-" + Integer.toHexString(p.toString().hashCode()) + suffix);
    }

    /** Where the engine persists its replica set ({@link dev.prescient.engine.control.Membership}). */
    Path membersFile(String replicaId) {
        return runDir.resolve(replicaId + ".members");
    }

    private enum Port { NBD, REPLICATION, METRICS }

    private int keptPort(String replicaId, Port which) throws IOException {
        NodeRecord r = state.get(replicaId);
        Integer kept = switch (which) {
            case NBD -> r.port();
            case REPLICATION -> r.replicationPort();
            case METRICS -> r.metricsPort();
        };
        if (kept != null) {
            return kept;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        state.update(replicaId, x -> switch (which) {
            case NBD -> x.withPort(port);
            case REPLICATION -> x.withReplicationPort(port);
            case METRICS -> x.withMetricsPort(port);
        });
        return port;
    }

    public Optional<String> uriIfKnown(String replicaId) throws IOException {
        return Optional.ofNullable(state.get(replicaId).port()).map(this::uri);
    }

    /** The replicas whose engines should be serving now (ensured, not stopped since). */
    public Map<String, Wanted> wanted() {
        return Map.copyOf(wanted);
    }

    /** The pid of the engine serving {@code replicaId}, if one is alive. */
    public synchronized Optional<Long> pid(String replicaId) {
        return livePid(replicaId);
    }

    /**
     * Brings a wanted replica's engine back: kills {@code wedgedPid} first if it is still the
     * engine (alive but not serving), then starts one. Under this object's lock, so it cannot
     * race a {@link #stop} that is about to change the replica's files; a replica stopped or
     * forgotten since the caller looked is left alone.
     *
     * @return the NBD URI served again, or empty when the replica is no longer wanted
     */
    public synchronized Optional<String> revive(String replicaId, long wedgedPid) throws IOException {
        Wanted w = wanted.get(replicaId);
        if (w == null) {
            return Optional.empty();
        }
        if (wedgedPid > 0 && livePid(replicaId).filter(p -> p == wedgedPid).isPresent()) {
            ProcessHandle.of(wedgedPid).ifPresent(h -> {
                h.destroyForcibly();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("wedged engine pid {} of {} did not end on SIGKILL: {}", wedgedPid, replicaId, e.toString());
                }
            });
        }
        return Optional.of(ensure(replicaId, w.volumeId(), w.tier()));
    }

    /** True when an engine process serves {@code replicaId} now. */
    public synchronized boolean running(String replicaId) {
        return livePid(replicaId).isPresent();
    }

    /** Starts (or finds running) the engine process serving {@code replicaId} of {@code tier}. */
    public synchronized String ensure(String replicaId, String volumeId, String tier) throws IOException {
        int port = port(replicaId);
        wanted.put(replicaId, new Wanted(volumeId, tier));
        if (livePid(replicaId).isPresent()) {
            return uri(port);
        }
        Path pidFile = runDir.resolve(replicaId + ".pid");
        Files.deleteIfExists(pidFile);
        Path dir = tiers.get(tier);
        if (dir == null) {
            throw new IOException("no tier " + tier);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTS);
        cmd.addAll(List.of("-cp", classpath, MAIN, "--tier", tier + "=" + dir,
                // The size is only used if the replica is missing, which the agent never lets happen.
                "--replica", replicaId + ":" + volumeId + ":" + tier + ":1",
                "--tcp", bindAddress + ":" + port, "--unix", nbdSocket(replicaId).toString(),
                "--pid-file", pidFile.toString(),
                // The control channel and the replication listener let a front-end engine (this
                // one or another node's) take this replica into its replica set (VolumeMoves).
                "--control", controlSocket(replicaId).toString(), "--members", membersFile(replicaId).toString(),
                "--replication-listen", replicationEndpoint(replicaId),
                // Heat leaves the engine as <run>/<replicaId>.heat, rewritten atomically each interval.
                "--heat-dir", runDir.toString(), "--heat-interval-ms", Long.toString(heatIntervalMs),
                "--heat-half-life-s", Long.toString(heatHalfLifeSeconds)));
        tls.ifPresent(m -> cmd.addAll(List.of("--nbd-tls-cert", m.cert().toString(), "--nbd-tls-key",
                m.key().toString(), "--nbd-tls-ca", m.ca().toString())));
        cmd.addAll(engineThrottle(tier));
        Optional<String> host = metricsHost;
        String metrics = host.isEmpty() ? "" : host.get() + ":" + keptPort(replicaId, Port.METRICS);
        if (!metrics.isEmpty()) {
            cmd.addAll(List.of("--metrics-listen", metrics));
        } else if (state.get(replicaId).metricsPort() != null) {
            // The record says what this engine serves: a port kept from an earlier agent with metrics would send a
            // later one with metrics scraping an engine that serves none.
            state.update(replicaId, x -> x.withMetricsPort(null));
        }
        // Absent in production; tests and local mode write it to make this node's media degrade (InjectedFaults).
        cmd.addAll(List.of("--fault-file", faultFile().toString()));
        Path log = runDir.resolve(replicaId + ".log");
        long pid = launcher.start(cmd, log, true);
        boolean[] failed = {false};
        boolean up;
        try {
            up = Waits.until(60_000, 50, () -> {
                if (livePid(replicaId).isPresent() && accepts(port)) {
                    return true;
                }
                failed[0] = !alive(pid) && livePid(replicaId).isEmpty();
                return failed[0];
            });
        } catch (IOException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            throw e;
        }
        if (up && !failed[0]) {
            LOG.info("replica {} exported by engine pid {} on {}{}", replicaId, pid, uri(port),
                    metrics.isEmpty() ? "" : ", metrics on " + metrics);
            return uri(port);
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        throw new IOException("engine did not start for " + replicaId + " on port " + port + ": " + tail(log));
    }

    /**
     * The EngineMain options that slow a replica on {@code tier} down, if the node was told to
     * (--tier-latency-us). Read when the engine starts: an engine adopted after an agent restart
     * keeps the latency it was started with until it is restarted (expand, move, node reboot).
     */
    List<String> engineThrottle(String tier) {
        long us = tierLatencyUs.getOrDefault(tier, 0L);
        return us > 0 ? List.of("--latency-us", Long.toString(us)) : List.of();
    }

    /** The fault-injection file every engine of this node watches (see engine InjectedFaults); normally absent. */
    public Path faultFile() {
        return runDir.resolve("faults");
    }

    /** Stops the engine process of {@code replicaId} (SIGTERM: it closes the replica cleanly). */
    public synchronized void stop(String replicaId) throws IOException {
        wanted.remove(replicaId);
        Optional<Long> pid = livePid(replicaId);
        if (pid.isPresent()) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid.get());
            if (h.isPresent()) {
                h.get().destroy();
                try {
                    h.get().onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("engine pid {} for {} did not stop on SIGTERM, killing it", pid.get(), replicaId);
                    h.get().destroyForcibly();
                    try {
                        h.get().onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // reported by the caller's next step (files still in use)
                    }
                }
            }
        }
        Files.deleteIfExists(runDir.resolve(replicaId + ".pid"));
    }

    /**
     * NBD clients connected to the export now: established TCP connections whose local port is
     * the export's, from /proc/net/tcp{,6} (same network namespace as the engine process). A
     * client that went away leaves CLOSE_WAIT/TIME_WAIT, which do not count.
     */
    public int connections(String replicaId) throws IOException {
        Optional<String> uri = uriIfKnown(replicaId);
        if (uri.isEmpty()) {
            return 0;
        }
        int port = port(replicaId);
        int n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path t = Path.of(table);
            if (Files.exists(t)) {
                n += ProcNetTcp.established(Files.readAllLines(t), port);
            }
        }
        // This node's own clients (nbdfuse, nbd-client, nbdcopy) connect over the UNIX socket.
        Path unix = Path.of("/proc/net/unix");
        if (Files.exists(unix)) {
            n += ProcNetUnix.connected(Files.readAllLines(unix), NbdServer.unixBindPath(nbdSocket(replicaId)).toString());
        }
        return n;
    }

    /** Forgets a deleted replica's ports, membership and log. */
    public synchronized void forget(String replicaId) throws IOException {
        wanted.remove(replicaId);
        Files.deleteIfExists(nbdSocket(replicaId));
        state.update(replicaId, r -> r.withPort(null).withReplicationPort(null).withMetricsPort(null));
        Files.deleteIfExists(controlSocket(replicaId));
        Files.deleteIfExists(membersFile(replicaId));
        Files.deleteIfExists(runDir.resolve(replicaId + ".log"));
        Files.deleteIfExists(heatFile(replicaId));
    }

    /** The engine's latest heat snapshot of {@code replicaId} (may be absent or a little old). */
    public Path heatFile(String replicaId) {
        return runDir.resolve(replicaId + ".heat");
    }

    private boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(bindAddress, port), 500);
            return true;
        } catch (IOException e) {
            return false; // refused or timed out: the answer this probe asks for, not an error
        }
    }

    /** The pid from the pid file, if that process is alive and is the engine serving this replica. */
    private Optional<Long> livePid(String replicaId) {
        Path pidFile = runDir.resolve(replicaId + ".pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            // A recycled pid after a reboot must not be taken for our export.
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return cmdline.contains(MAIN) && cmdline.contains("\0--replica\0" + replicaId + ":")
                    ? Optional.of(pid) : Optional.empty();
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // the process is gone (its /proc entry) or the pid file went with it
        } catch (IOException | NumberFormatException e) {
            LOG.warn("pid file of {} unreadable, taking its engine for not running: {}", replicaId, e.toString());
            return Optional.empty();
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
