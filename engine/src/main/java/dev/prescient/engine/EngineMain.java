package dev.prescient.engine;

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
import dev.prescient.engine.volume.ReplicaSet;
import java.io.IOException;
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
 *      [--replication-listen 0.0.0.0:7000] [--control /run/prescient/vol1.ctl [--members FILE]]
 * </pre>
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

    public static void main(String[] args) throws Exception {
        Map<String, Path> tiers = new LinkedHashMap<>();
        List<String[]> replicas = new ArrayList<>();
        List<Path> unix = new ArrayList<>();
        List<InetSocketAddress> tcp = new ArrayList<>();
        Path pidFile = null;
        Path heatDir = null;
        long heatIntervalMs = 5000;
        long latencyUs = 0;
        long bandwidthMibS = 0;
        Path faultFile = null;
        long heatHalfLifeS = 300;
        Path control = null;
        Path membersFile = null;
        InetSocketAddress replicationListen = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--tier" -> {
                    String[] kv = v.split("=", 2);
                    tiers.put(kv[0], Path.of(kv[1]));
                }
                case "--replica" -> replicas.add(v.split(":"));
                case "--unix" -> unix.add(Path.of(v));
                case "--pid-file" -> pidFile = Path.of(v);
                case "--heat-dir" -> heatDir = Path.of(v);
                case "--heat-interval-ms" -> heatIntervalMs = Long.parseLong(v);
                case "--latency-us" -> latencyUs = Long.parseLong(v);
                case "--bandwidth-mib-s" -> bandwidthMibS = Long.parseLong(v);
                case "--fault-file" -> faultFile = Path.of(v);
                case "--heat-half-life-s" -> heatHalfLifeS = Long.parseLong(v);
                case "--control" -> control = Path.of(v);
                case "--members" -> membersFile = Path.of(v);
                case "--replication-listen" -> replicationListen = hostPort(v);
                case "--tcp" -> {
                    int c = v.lastIndexOf(':');
                    tcp.add(new InetSocketAddress(v.substring(0, c), Integer.parseInt(v.substring(c + 1))));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (control != null && replicas.size() != 1) {
            throw new IllegalArgumentException("--control drives one volume: give exactly one --replica");
        }
        if (control != null && membersFile == null) {
            membersFile = control.resolveSibling(control.getFileName() + ".members");
        }
        ReplicaStore store = new ReplicaStore(tiers);
        NbdServer server = new NbdServer();
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
                        ReplicationSettings.defaults());
            }
            server.addExport(NbdExport.of(r[0], set).withListener("engine-main", heat));
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
                : new ReplicationServer(media, replicationListen, null);
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
            InetSocketAddress bound = server.listenTcp(a);
            System.out.println("tcp " + bound.getPort());
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
            Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
            Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
            Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }

    static InetSocketAddress hostPort(String v) {
        int c = v.lastIndexOf(':');
        return new InetSocketAddress(v.substring(0, c), Integer.parseInt(v.substring(c + 1)));
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
