package dev.prescient.local.runtime;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.volume.Forecast;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator and the node agents did, as local mode watches it: the VolumeMigrations the operator created
 * (with the scenario time each was first seen and each phase reached), the StorageNodes' health as the operator
 * assessed it, every volume's replicas as the agents list them, and the operator's forecasts from each
 * ReplicatedVolume's status next to the measured value of the same quantity, read the way the operator reads it
 * (AccessRate: the engines' decayed access heat summed over the nodes; UsedBytes: the largest replica allocation).
 * Read-only: local mode decides nothing.
 */
public final class ClusterWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    /** One VolumeMigration as last seen, with when (scenario seconds) it appeared and reached each phase. */
    public record Migration(String name, String volume, String action, String reason, String from, String to,
            boolean keepSource, String explanation, MigrationPhase phase, int progressPercent, long bytesMoved,
            Double pauseMillis, double firstSeenAt, Map<MigrationPhase, Double> phaseSeenAt) {
        public boolean done() {
            return phase != null && phase.terminal();
        }
    }

    /** A node's health as the operator's StorageNode status says. */
    public record NodeHealth(double healthScore, double failureProbability, double readLatencyP99Micros) {
    }

    private final KubernetesClient client;
    private final NodeAgentClients agents;
    private final List<String> nodes;
    private final DoubleSupplier clock;
    private final Map<String, Migration> migrations = new ConcurrentHashMap<>();
    private final Map<String, NodeHealth> health = new ConcurrentHashMap<>();
    private volatile Map<String, List<Replica>> replicasByVolume = Map.of();
    /** Volume -> the replica its front-end reads from (the front-end with the most members, as the operator sees it). */
    private volatile Map<String, String> readSourceByVolume = Map.of();
    private final Clock wall;
    private final Map<String, ForecastTrack> forecasts = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile double heatHalfLifeSeconds = Double.NaN;

    public ClusterWatch(KubernetesClient client, NodeAgentClients agents, List<String> nodes, DoubleSupplier clock) {
        this(client, agents, nodes, clock, Clock.systemUTC());
    }

    /**
     * @param clock scenario seconds now
     * @param wall  the clock the operator stamps its forecasts with (this machine's), to place them in scenario time
     */
    public ClusterWatch(KubernetesClient client, NodeAgentClients agents, List<String> nodes, DoubleSupplier clock,
            Clock wall) {
        this.client = client;
        this.agents = agents;
        this.nodes = List.copyOf(nodes);
        this.clock = clock;
        this.wall = wall;
    }

    /** Reads everything once; a component that does not answer is skipped until the next time. */
    public void refresh() {
        double now = clock.getAsDouble();
        Instant wallNow = wall.instant();
        try {
            for (ReplicatedVolume rv : client.resources(ReplicatedVolume.class).list().getItems()) {
                if (rv.getStatus() != null && rv.getStatus().getForecasts() != null) {
                    observeForecasts(rv.getMetadata().getName(), rv.getStatus().getForecasts(), wallNow, now);
                }
            }

            for (VolumeMigration vm : client.resources(VolumeMigration.class).list().getItems()) {
                observe(vm, now);
            }
            for (StorageNode n : client.resources(StorageNode.class).list().getItems()) {
                var s = n.getStatus();
                if (s != null && s.getHealthScore() != null) {
                    double lat = s.getHealth() == null || s.getHealth().getReadLatencyP99Micros() == null ? 0
                            : s.getHealth().getReadLatencyP99Micros();
                    health.put(n.getMetadata().getName(), new NodeHealth(s.getHealthScore(),
                            s.getFailureProbability() == null ? 0 : s.getFailureProbability(), lat));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("reading the API failed: {}", e.getMessage());
        }
        Map<String, List<Replica>> byVolume = new HashMap<>();
        Map<String, Long> usedBytes = new HashMap<>();
        boolean allListed = true;
        Map<String, String> readSources = new HashMap<>();
        Map<String, Integer> frontEndMembers = new HashMap<>();
        for (String node : nodes) {
            try {
                var listed = agents.stub(node).listReplicas(ListReplicasRequest.getDefaultInstance());
                for (var f : listed.getFrontEndsList()) {
                    if (f.getMembers() > frontEndMembers.getOrDefault(f.getVolumeId(), 0)) {
                        frontEndMembers.put(f.getVolumeId(), f.getMembers());
                        readSources.put(f.getVolumeId(), f.getReadSourceReplicaId());
                    }
                }
                for (var r : listed.getReplicasList()) {
                    byVolume.computeIfAbsent(r.getVolumeId(), k -> new ArrayList<>()).add(new Replica(node, r.getTier(),
                            r.getReplicaId(), r.getNbdEndpoint(), stateName(r.getState().name())));
                    usedBytes.merge(r.getVolumeId(), r.getAllocatedBytes(), Math::max);
                }
            } catch (RuntimeException e) {
                allListed = false;
                LOG.debug("agent {} did not list replicas: {}", node, e.getMessage());
                // Keep what this node had: a slow agent must not make replicas vanish from the view.
                replicasByVolume.forEach((v, rs) -> rs.stream().filter(r -> r.node().equals(node))
                        .forEach(r -> byVolume.computeIfAbsent(v, k -> new ArrayList<>()).add(r)));
            }
        }
        byVolume.values().forEach(l -> l.sort(Comparator.comparing(Replica::node).thenComparing(Replica::tier)));
        replicasByVolume = byVolume;
        if (allListed) {
            readSourceByVolume = readSources;
        }
        // A partial sum would show as a dip that never happened: a round where a node did not answer adds nothing.
        if (allListed) {
            usedBytes.forEach((v, b) -> track(v).addActual(ForecastMetric.UsedBytes.name(), now, b));
        }
        Map<String, Double> heat = new HashMap<>();
        boolean allReported = true;
        for (String node : nodes) {
            try {
                var snap = agents.stub(node).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getTelemetry(TelemetryRequest.getDefaultInstance());
                if (snap.getHalfLifeSeconds() > 0) { // unset by a node without replicas
                    heatHalfLifeSeconds = snap.getHalfLifeSeconds();
                }
                for (VolumeTelemetry vt : snap.getVolumesList()) {
                    heat.merge(vt.getVolumeId(), volumeHeat(vt), Double::sum);
                }
            } catch (RuntimeException e) {
                allReported = false;
                LOG.debug("agent {} sent no telemetry: {}", node, e.getMessage());
            }
        }
        if (allReported) {
            heat.forEach((v, h) -> track(v).addActual(ForecastMetric.AccessRate.name(), now, h));
        }
    }

    /**
     * The access heat of one volume in one agent's telemetry as the operator's planner counts it (its
     * HeatAttribution): the node attachments' own heat, plus what the extents (or the largest pod total) show
     * beyond that.
     */
    static double volumeHeat(VolumeTelemetry vt) {
        double extents = 0;
        for (ExtentHeat x : vt.getExtentsList()) {
            extents += x.getReadHeat() + x.getWriteHeat();
        }
        double claimed = 0;
        double podMax = 0;
        for (ConsumerHeat c : vt.getConsumersList()) {
            double h = c.getReadHeat() + c.getWriteHeat();
            if (c.getConsumer().startsWith("node:")) {
                claimed += h;
            } else {
                podMax = Math.max(podMax, h);
            }
        }
        double unclaimed = Math.max(extents, podMax) - claimed;
        return claimed + (unclaimed > 1e-9 ? unclaimed : 0);
    }

    private ForecastTrack track(String volumeId) {
        return forecasts.computeIfAbsent(volumeId, k -> new ForecastTrack());
    }

    /** Adds the forecasts of one volume's status; one that cannot be read is said once and skipped. */
    void observeForecasts(String volumeId, List<Forecast> fs, Instant wallNow, double now) {
        for (Forecast f : fs) {
            try {
                track(volumeId).addForecast(f.getMetric() == null ? "" : f.getMetric().name(), f.getHorizon(),
                        toPoint(f, wallNow, now));
            } catch (IllegalArgumentException e) {
                if (reported.add(volumeId + ": " + e.getMessage())) {
                    LOG.warn("ReplicatedVolume/{}: forecast skipped: {}", volumeId, e.getMessage());
                }
            }
        }
    }

    /**
     * A forecast from status placed in scenario time: the operator stamps it with this machine's clock, so its
     * distance from {@code wallNow} is its distance from the scenario's {@code now}; it is for computedAt + horizon.
     */
    static ForecastTrack.Point toPoint(Forecast f, Instant wallNow, double now) {
        if (f.getMetric() == null) {
            throw new IllegalArgumentException("forecast without a metric");
        }
        if (f.getValue() == null) {
            throw new IllegalArgumentException(f.getMetric() + " forecast without a value");
        }
        if (f.getComputedAt() == null) {
            throw new IllegalArgumentException(f.getMetric() + " forecast without computedAt");
        }
        Instant at;
        try {
            at = Instant.parse(f.getComputedAt());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(f.getMetric() + " forecast computedAt '" + f.getComputedAt()
                    + "' is not an RFC 3339 time", e);
        }
        double horizon = ForecastTrack.parseHorizon(f.getHorizon()).toMillis() / 1000.0;
        double computedAt = now + (at.toEpochMilli() - wallNow.toEpochMilli()) / 1000.0;
        Double lower = f.getLower();
        Double upper = f.getUpper();
        if (lower != null && upper != null && lower > upper) {
            throw new IllegalArgumentException(f.getMetric() + " forecast interval [" + lower + ", " + upper
                    + "] has its bounds the wrong way round");
        }
        return new ForecastTrack.Point(at.toEpochMilli(), computedAt, computedAt + horizon, f.getValue(),
                lower == null || upper == null ? null : lower, lower == null || upper == null ? null : upper,
                lower == null || upper == null ? null : f.getConfidence());
    }

    /** The operator's forecasts of a volume against what was measured (empty before the operator publishes). */
    public ForecastTrack forecasts(String volumeId) {
        return track(volumeId);
    }

    /** Half-life of the engines' access heat (seconds) as the agents last reported it; NaN before. */
    public double heatHalfLifeSeconds() {
        return heatHalfLifeSeconds;
    }

    private void observe(VolumeMigration vm, double now) {
        String name = vm.getMetadata().getName();
        var spec = vm.getSpec();
        var st = vm.getStatus();
        Migration before = migrations.get(name);
        Map<MigrationPhase, Double> seen = before == null ? new LinkedHashMap<>() : new LinkedHashMap<>(before.phaseSeenAt());
        MigrationPhase phase = st == null || st.getPhase() == null ? MigrationPhase.Pending : st.getPhase();
        seen.putIfAbsent(phase, now);
        Map<String, String> labels = vm.getMetadata().getLabels();
        String action = labels == null ? "" : labels.getOrDefault("storage.prescient.dev/action", "");
        migrations.put(name, new Migration(name, spec.getVolume(), action,
                spec.getReason() == null ? "" : spec.getReason().name(),
                spec.getFrom() == null ? "" : spec.getFrom().getNode() + "/" + spec.getFrom().getTier(),
                spec.getTo() == null ? "" : spec.getTo().getNode() + "/" + spec.getTo().getTier(),
                Boolean.TRUE.equals(spec.getKeepSource()), spec.getExplanation() == null ? "" : spec.getExplanation(),
                phase, st == null || st.getProgressPercent() == null ? 0 : st.getProgressPercent(),
                st == null || st.getBytesMoved() == null ? 0 : st.getBytesMoved(),
                st == null ? null : st.getPauseMillis(), before == null ? now : before.firstSeenAt(), seen));
    }

    static String stateName(String protoName) {
        String s = protoName.replace("REPLICA_STATE_", "").toLowerCase(java.util.Locale.ROOT);
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Every migration seen so far, oldest first. */
    public List<Migration> migrations() {
        List<Migration> out = new ArrayList<>(migrations.values());
        out.sort(Comparator.comparingDouble(Migration::firstSeenAt).thenComparing(Migration::name));
        return out;
    }

    public Map<String, NodeHealth> health() {
        return Map.copyOf(health);
    }

    /** The replica the volume's front-end reads from, as its agent reports it; null when unknown. */
    public String readSource(String volumeId) {
        String r = readSourceByVolume.get(volumeId);
        return r == null || r.isEmpty() ? null : r;
    }

    public List<Replica> replicas(String volumeId) {
        return replicasByVolume.getOrDefault(volumeId, List.of());
    }
}
