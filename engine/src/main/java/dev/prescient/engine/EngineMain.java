package dev.prescient.engine;

import dev.prescient.engine.io.AtomicFiles;
import dev.prescient.engine.metrics.EngineMetrics;
import dev.prescient.engine.metrics.MetricRegistry;
import dev.prescient.engine.metrics.MetricsServer;
import dev.prescient.engine.control.ControlServer;
import dev.prescient.engine.control.Membership;
import dev.prescient.engine.control.VolumeControl;
import dev.prescient.engine.heat.HeatSnapshotFile;
import dev.prescient.engine.heat.HeatTracker;
import dev.prescient.engine.heat.MediaLatencyTarget;
import dev.prescient.engine.nbd.NbdExport;
import dev.prescient.engine.nbd.NbdServer;
import dev.prescient.engine.store.InjectedFaults;
import dev.prescient.engine.replication.ReplicationServer;
import dev.prescient.engine.replication.ReplicationSettings;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.store.ThrottledTarget;
import dev.prescient.engine.tls.TlsConfig;
import dev.prescient.engine.volume.ReplicaSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the engine as a process: a replica store on tier directories and one NBD export per
 * replica. Used by the fault tests (kill -9) and the benchmarks, and for trying it by hand:
 *
 * <pre>
 * java -cp ... dev.prescient.engine.EngineMain --tier fast=/var/lib/prescient/fast \
 *      --replica vol1-r0:vol1:fast:1G --unix /run/prescient/vol1.sock [--tcp 127.0.0.1:10809] \
 *      [--pid-file /run/prescient/vol1.pid] [--heat-dir /run/prescient --heat-interval-ms 5000] \
 *      [--heat-half-life-s 300] \
 *      [--latency-us 1000] [--bandwidth-mib-s 200] [--fault-file /run/prescient/faults] \
 *      [--replication-listen 0.0.0.0:7000] [--control /run/prescient/vol1.ctl [--members FILE]] \
 *      [--nbd-tls-cert node.crt --nbd-tls-key node.key --nbd-tls-ca ca.crt] [--metrics-listen 0.0.0.0:9620]
 * </pre>
 * {@code --metrics-listen} serves Prometheus metrics ({@link EngineMetrics}) on {@code GET /metrics}; port 0 picks
 * one, printed as {@code metrics <port>}.
 * {@code --nbd-tls-*} (all three or none) give this node's certificate, its key (PKCS#8 or PKCS#1 RSA PEM) and
 * the CA of its peers. Then every TCP listener requires mutual TLS with a client certificate from that CA:
 * NBD on {@code --tcp} accepts nothing but STARTTLS (and ABORT) before TLS, {@code --replication-listen}
 * is TLS from the first byte, and this engine's own connections to remote replicas present the same
 * certificate. UNIX sockets ({@code --unix}) stay plain; the engine creates them mode 0600.
 * {@code --fault-file} names a properties file ({@code latency_us}, {@code read_error_permille}) that degrades
 * the medium while it exists ({@link InjectedFaults}); tests and local mode's scenario write it.
 * {@code --replication-listen} serves this process's replicas to remote front-ends (they become
 * members of another engine's replica set). {@code --control} opens the control channel of the
 * (single) volume ({@link ControlServer}); its membership is kept in {@code <control>.members}
 * unless {@code --members} names another file, and re-attached after a restart.
 * {@code --latency-us} and {@code --bandwidth-mib-s} make every replica of this process answer like
 * slower media ({@link ThrottledTarget}); local mode uses them to give its ssd and hdd tiers, which
 * share one disk with nvme, their own speed.
 * A replica that exists is opened (its size argument ignored); otherwise it is created. After an
 * unclean stop (kill -9) the replica's allocation map is rebuilt on open.
 * The export name is the replica id.
 */
public final class EngineMain {
    private EngineMain() {
    }

    /** Exit status of a usage error (unknown flag, missing or bad value), as getopt-style tools use. */
    static final int USAGE_ERROR = 2;

    /** The command line, declared for picocli: unknown flags and bad values are errors, --help lists them. */
    @Command(name = "EngineMain", sortOptions = false, description = "Serves replicas on tier directories over NBD"
            + " (see the class comment of dev.prescient.engine.EngineMain).")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
        @Option(names = "--tier", paramLabel = "NAME=DIR", required = true, description = "a tier and its directory (repeatable)")
        Map<String, Path> tiers = new LinkedHashMap<>();
        @Option(names = "--replica", paramLabel = "ID:VOLUME:TIER:SIZE", required = true,
                description = "a replica to serve, created with SIZE (e.g. 64M, 1G) if missing (repeatable)")
        List<String> replicas = new ArrayList<>();
        @Option(names = "--unix", paramLabel = "SOCKET", description = "serve NBD on this UNIX socket (repeatable)")
        List<Path> unix = new ArrayList<>();
        @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "serve NBD on this TCP address (repeatable)")
        List<String> tcp = new ArrayList<>();
        @Option(names = "--pid-file", paramLabel = "FILE", description = "written once serving")
        Path pidFile;
        @Option(names = "--heat-dir", paramLabel = "DIR", description = "write <replica>.heat here every interval")
        Path heatDir;
        @Option(names = "--heat-interval-ms", paramLabel = "MS", description = "heat file interval (default 5000)")
        long heatIntervalMs = 5000;
        @Option(names = "--heat-half-life-s", paramLabel = "S", description = "heat half-life (default 300)")
        long heatHalfLifeS = 300;
        @Option(names = "--latency-us", paramLabel = "US", description = "latency added to every request (default 0)")
        long latencyUs;
        @Option(names = "--bandwidth-mib-s", paramLabel = "MIB", description = "bandwidth cap (default 0: none)")
        long bandwidthMibS;
        @Option(names = "--fault-file", paramLabel = "FILE", description = "degrade the medium while this file exists")
        Path faultFile;
        @Option(names = "--replication-listen", paramLabel = "HOST:PORT",
                description = "serve these replicas to remote front-ends")
        String replicationListen;
        @Option(names = "--control", paramLabel = "SOCKET", description = "the volume's control channel (one --replica)")
        Path control;
        @Option(names = "--members", paramLabel = "FILE", description = "membership record (default <control>.members)")
        Path membersFile;
        @Option(names = "--nbd-tls-cert", paramLabel = "FILE",
                description = "PEM certificate (chain) of this node: with --nbd-tls-key and --nbd-tls-ca, every TCP"
                        + " listener (NBD, replication) requires mutual TLS")
        Path tlsCert;
        @Option(names = "--nbd-tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8 or PKCS#1 RSA)")
        Path tlsKey;
        @Option(names = "--nbd-tls-ca", paramLabel = "FILE", description = "PEM CA certificate(s) that sign clients and peers")
        Path tlsCa;
        @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
                description = "serve Prometheus metrics on GET /metrics (port 0: any, printed as 'metrics <port>')")
        String metricsListen;

        /** Checks what picocli cannot: formats, ranges, combinations. IllegalArgumentException names the flag. */
        void validate() {
            for (String r : replicas) {
                String[] f = r.split(":");
                if (f.length != 4 || f[0].isEmpty() || f[1].isEmpty()) {
                    throw new IllegalArgumentException("--replica wants ID:VOLUME:TIER:SIZE, got " + r);
                }
                if (!tiers.containsKey(f[2])) {
                    throw new IllegalArgumentException("--replica " + r + " names tier " + f[2] + ", not one of "
                            + tiers.keySet());
                }
                try {
                    if (parseSize(f[3]) <= 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--replica " + r + ": size " + f[3] + " is not a positive size");
                }
            }
            for (String t : tcp) {
                hostPort("--tcp", t);
            }
            if (replicationListen != null) {
                hostPort("--replication-listen", replicationListen);
            }
            if (metricsListen != null) {
                hostPort("--metrics-listen", metricsListen);
            }
            if (heatIntervalMs <= 0 || heatHalfLifeS <= 0 || latencyUs < 0 || bandwidthMibS < 0) {
                throw new IllegalArgumentException("--heat-interval-ms and --heat-half-life-s must be positive,"
                        + " --latency-us and --bandwidth-mib-s not negative");
            }
            if (control != null && replicas.size() != 1) {
                throw new IllegalArgumentException("--control drives one volume: give exactly one --replica");
            }
            int tlsGiven = (tlsCert != null ? 1 : 0) + (tlsKey != null ? 1 : 0) + (tlsCa != null ? 1 : 0);
            if (tlsGiven != 0 && tlsGiven != 3) {
                throw new IllegalArgumentException("--nbd-tls-cert, --nbd-tls-key and --nbd-tls-ca go together: give all three");
            }
        }
    }

    /** The options to run with, or (options null) the status to exit with after printing help or a usage error. */
    record Parsed(Options options, int exitStatus) {
    }

    static Parsed parse(String[] args, PrintWriter out, PrintWriter err) {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        try {
            cl.parseArgs(args);
            if (cl.isUsageHelpRequested()) {
                cl.usage(out);
                out.flush();
                return new Parsed(null, 0);
            }
            o.validate();
            return new Parsed(o, 0);
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("EngineMain: " + e.getMessage());
            cl.usage(err);
            err.flush();
            return new Parsed(null, USAGE_ERROR);
        }
    }

    public static void main(String[] args) throws Exception {
        Parsed parsed = parse(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (parsed.options() == null) {
            System.exit(parsed.exitStatus());
        }
        Options o = parsed.options();
        Map<String, Path> tiers = o.tiers;
        List<String[]> replicas = o.replicas.stream().map(r -> r.split(":")).toList();
        List<Path> unix = o.unix;
        List<InetSocketAddress> tcp = o.tcp.stream().map(t -> hostPort("--tcp", t)).toList();
        Path pidFile = o.pidFile;
        Path heatDir = o.heatDir;
        long heatIntervalMs = o.heatIntervalMs;
        long latencyUs = o.latencyUs;
        long bandwidthMibS = o.bandwidthMibS;
        Path faultFile = o.faultFile;
        long heatHalfLifeS = o.heatHalfLifeS;
        Path control = o.control;
        Path membersFile = o.membersFile;
        InetSocketAddress replicationListen = o.replicationListen == null ? null
                : hostPort("--replication-listen", o.replicationListen);
        // Loaded before anything listens: bad TLS material stops the engine instead of serving plain TCP.
        TlsConfig tls = o.tlsCert == null ? null : TlsConfig.fromPem(o.tlsCert, o.tlsKey, o.tlsCa);
        if (control != null && membersFile == null) {
            membersFile = control.resolveSibling(control.getFileName() + ".members");
        }
        ReplicaStore store = new ReplicaStore(tiers);
        NbdServer server = new NbdServer();
        EngineMetrics metrics = o.metricsListen == null ? null : new EngineMetrics(new MetricRegistry());
        Map<String, HeatTracker> heats = new LinkedHashMap<>();
        VolumeControl volumeControl = null;
        for (String[] r : replicas) {
            Membership persisted = membersFile != null ? Membership.read(membersFile) : null;
            ReplicaSet set;
            BlockTarget local = null;
            HeatTracker heat;
            if (persisted != null && persisted.localDropped()) {
                // A switch moved this volume off the local replica (which may be deleted by now):
                // the set is rebuilt from the remote members by the reconnect loop.
                set = new ReplicaSet(persisted.volumeId(), persisted.size(), 4096);
                heat = new HeatTracker(set.size(), 64 << 20, heatHalfLifeS);
            } else {
                LocalReplica rep;
                long t0 = System.nanoTime();
                try {
                    rep = store.openReplica(r[0]);
                } catch (NoSuchFileException e) {
                    rep = store.create(r[0], r[1], r[2], parseSize(r[3]));
                }
                // Tests and the restart bench read this line: a clean stop must give a start without a scan.
                System.out.printf("replica %s opened scanned-regions=%d scanned-chunks=%d open-ms=%d%n", rep.replicaId(),
                        rep.recoveryScannedRegions(), rep.recoveryScannedChunks(), (System.nanoTime() - t0) / 1_000_000);
                // Served through a replica set with heat telemetry, as on a node.
                set = new ReplicaSet(rep.volumeId(), rep.size(), 4096);
                // The throttle sits below the replica set, where a slower device would be: heat and the
                // NBD frontend see the requests as clients sent them, only the media answer slower.
                BlockTarget medium = faultFile == null ? rep : new InjectedFaults(rep, faultFile);
                heat = new HeatTracker(set.size(), 64 << 20, heatHalfLifeS);
                // Latency is the medium's, timed below the set: what the set adds (remote members, pauses) is
                // not the disk's health.
                local = new MediaLatencyTarget(ThrottledTarget.wrap(medium, latencyUs, bandwidthMibS << 20), heat);
                set.addInSync(rep.replicaId(), local, true);
            }
            if (control != null) {
                volumeControl = new VolumeControl(set, r[0], local, persisted, membersFile,
                        ReplicationSettings.defaults(), tls);
            }
            if (metrics != null && volumeControl != null) {
                volumeControl.onSwitch(metrics.switchovers(set.volumeId()));
            }
            server.addExport(NbdExport.of(r[0], set).withListener("engine-main",
                    metrics == null ? heat : EngineMetrics.both(heat, metrics.volume(set.volumeId()))));
            heats.put(r[0], heat);
        }
        // Remote front-ends write into this process's replicas through the replication stream
        // (this replica is then their member); it bypasses the local replica set.
        // What they reach is the same medium the local set uses (fault file, throttle), timed for node health.
        Path faults = faultFile;
        long lat = latencyUs;
        long bw = bandwidthMibS << 20;
        ReplicaProvider media = id -> {
            BlockTarget rep = store.openReplica(id);
            BlockTarget medium = ThrottledTarget.wrap(faults == null ? rep : new InjectedFaults(rep, faults), lat, bw);
            HeatTracker h = heats.get(id);
            return h == null ? medium : new MediaLatencyTarget(medium, h);
        };
        ReplicationServer replication = replicationListen == null ? null
                : new ReplicationServer(media, replicationListen, tls);
        if (replication != null) {
            System.out.println("replication " + replication.port());
        }
        ControlServer controlServer = control == null ? null : new ControlServer(control, volumeControl);
        Runnable writeHeat = () -> { };
        if (heatDir != null) {
            Path dir = heatDir;
            writeHeat = () -> heats.forEach((id, h) -> {
                try {
                    HeatSnapshotFile.write(h.snapshot(), dir.resolve(id + ".heat"));
                } catch (IOException e) {
                    System.err.println("heat snapshot of " + id + ": " + e);
                }
            });
            // A supervisor reads the files; the engine needs no control channel for telemetry.
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "heat-writer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(writeHeat, heatIntervalMs, heatIntervalMs, TimeUnit.MILLISECONDS);
        }
        Runnable lastHeat = writeHeat;
        for (Path p : unix) {
            server.listenUnix(p);
        }
        for (InetSocketAddress a : tcp) {
            InetSocketAddress bound = server.listenTcp(a, tls);
            System.out.println("tcp " + bound.getPort());
        }
        if (metrics != null) {
            metrics.nbdServer(server);
            MetricsServer ms = MetricsServer.start(hostPort("--metrics-listen", o.metricsListen), metrics.registry());
            System.out.println("metrics " + ms.port());
        }
        VolumeControl control0 = volumeControl;
        // A clean stop (SIGTERM): no new requests, the running ones finish, then every replica is
        // fsynced and marked clean, so the next start trusts its allocation map and scans nothing.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (controlServer != null) {
                    controlServer.close();
                }
                if (control0 != null) {
                    control0.close();
                }
                if (replication != null) {
                    replication.close();
                }
                if (!server.closeAndWait(10_000)) {
                    System.err.println("shutdown: NBD requests still running after 10 s");
                }
                lastHeat.run();
                store.close();
                System.out.println("stopped");
            } catch (IOException e) {
                System.err.println("shutdown: " + e);
            }
        }));
        if (pidFile != null) {
            // Written once serving, so a supervisor that finds the file finds a working export.
            AtomicFiles.write(pidFile, ProcessHandle.current().pid() + "\n");
        }
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** HOST:PORT (port 0: any free one), or IllegalArgumentException naming the flag. */
    static InetSocketAddress hostPort(String flag, String v) {
        int c = v.lastIndexOf(':');
        try {
            int port = Integer.parseInt(v.substring(c + 1));
            if (c < 1 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            InetSocketAddress a = new InetSocketAddress(v.substring(0, c), port);
            if (a.isUnresolved()) {
                // Caught here, not as an opaque bind failure after the replicas were opened.
                throw new IllegalArgumentException(flag + " " + v + ": host " + v.substring(0, c) + " does not resolve");
            }
            return a;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(flag + " wants HOST:PORT, got " + v);
        }
    }

    static long parseSize(String s) {
        char u = Character.toUpperCase(s.charAt(s.length() - 1));
        long m = switch (u) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        return Long.parseLong(m == 1 ? s : s.substring(0, s.length() - 1)) * m;
    }
}
