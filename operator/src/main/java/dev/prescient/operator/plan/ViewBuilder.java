package dev.prescient.operator.plan;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.FrontEndReads;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.volume.Consumer;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.observe.TelemetrySweep.NodeData;
import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.telemetry.VolumeForecasts;
import dev.prescient.operator.util.Units;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decide side's input and output of one policy's pass, without I/O: turns the observed resources and agent
 * reports into the planner's {@link ClusterView} (feeding the affinity profiles and forecasters on the way), and
 * the plan back into the per-volume numbers of {@link VolumeInsights}.
 */
public final class ViewBuilder {

    /** What one policy's view was built from besides the view itself. */
    public record Built(ClusterView view, Map<String, ReadPlacement.Current> readSources,
                        Map<String, Map<String, Double>> podHeat) {
    }

    private final AffinityProfiles profiles;
    private final VolumeForecasts forecasts;
    private final PlannerMemory memory;
    private final OperatorLimits limits;
    private final double heatScale;
    private final Duration leadTime;
    /** When each kept copy last served its volume's reads (a pre-staged copy read remotely shows no heat). */
    private final ReadServing served = new ReadServing();

    public ViewBuilder(AffinityProfiles profiles, VolumeForecasts forecasts, PlannerMemory memory,
                       OperatorLimits limits, double heatScale, Duration leadTime) {
        this.profiles = profiles;
        this.forecasts = forecasts;
        this.memory = memory;
        this.limits = limits;
        this.heatScale = heatScale;
        this.leadTime = leadTime;
    }

    /** One policy's view: its volumes among every node, migration and agent report of the pass. */
    public Built build(Instant now, PlannerSettings settings, Duration newVolumeWarmUp, List<StorageNode> nodes,
                       List<ReplicatedVolume> volumes, List<VolumeMigration> migrations, Map<String, NodeData> data) {
        Map<String, Map<String, Double>> podHeat = new HashMap<>();
        Map<String, ReadPlacement.Current> readSources = readSources(data);
        ClusterView view = view(now, settings, newVolumeWarmUp, nodes, volumes, migrations, data, podHeat,
                readSources);
        return new Built(view, readSources, podHeat);
    }

    /**
     * Each volume's front-end as the agents report it, with the member serving its reads. A volume with several
     * (a front-end that lost its replica to a switch keeps serving connected clients) is judged by the one with the
     * most members.
     */
    static Map<String, ReadPlacement.Current> readSources(Map<String, NodeData> data) {
        Map<String, ReadPlacement.Current> out = new HashMap<>();
        Map<String, Integer> members = new HashMap<>();
        data.forEach((node, d) -> {
            for (FrontEndReads f : d.frontEnds()) {
                if (f.getMembers() > members.getOrDefault(f.getVolumeId(), 0)) {
                    members.put(f.getVolumeId(), f.getMembers());
                    out.put(f.getVolumeId(), new ReadPlacement.Current(node, f.getFrontEndReplicaId(),
                            f.getReadSourceReplicaId()));
                }
            }
        });
        return out;
    }


    /** The planner's numbers per volume, for the ReplicatedVolume status. */
    public void publishInsights(VolumeInsights insights, Instant now, PlannerSettings settings, ClusterView view,
                                Plan plan, List<ReplicatedVolume> volumes, Map<String, Map<String, Double>> podHeat) {
        Map<String, ReplicatedVolume> byName = new HashMap<>();
        volumes.forEach(v -> byName.put(v.getMetadata().getName(), v));
        for (ClusterView.VolumeView v : view.volumes()) {
            Plan.DesiredPlacement d = plan.desired().get(v.name());
            List<VolumeInsights.ForecastView> fs = new ArrayList<>();
            VolumeForecasts.Outlook used = forecasts.capacity(v.name(), settings.capacityHorizon(), v.capacityBytes());
            if (used != null) {
                fs.add(new VolumeInsights.ForecastView(ForecastMetric.UsedBytes, used.horizon(), used.value(),
                        used.lower(), used.upper(), used.level(), used.model()));
            }
            VolumeForecasts.Outlook access = forecasts.access(v.name(), leadTime);
            if (access != null) {
                fs.add(new VolumeInsights.ForecastView(ForecastMetric.AccessRate, access.horizon(), access.value(),
                        access.lower(), access.upper(), access.level(), access.model()));
            }
            insights.put(v.name(), new VolumeInsights.Insight(d == null ? null : d.heat(), v.heatScore(),
                    Map.copyOf(v.affinityNow()), applications(byName.get(v.name()), podHeat.getOrDefault(v.name(),
                    Map.of())), List.copyOf(fs), now));
        }
    }

    /**
     * Share of the volume's consumer heat per application. The application of a pod comes from the volume's
     * attachment (filled from podInfoOnMount by the CSI side); a pod it does not name counts as its own application.
     */
    static Map<String, Double> applications(ReplicatedVolume v, Map<String, Double> byPod) {
        Map<String, String> appOf = new HashMap<>();
        if (v != null && v.getStatus() != null && v.getStatus().getAttachment() != null
                && v.getStatus().getAttachment().getConsumers() != null) {
            for (Consumer c : v.getStatus().getAttachment().getConsumers()) {
                if (c.getApplication() != null) {
                    appOf.put(c.getNamespace() + "/" + c.getPod(), c.getApplication());
                }
            }
        }
        Map<String, Double> byApp = new HashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : byPod.entrySet()) {
            byApp.merge(appOf.getOrDefault(e.getKey(), e.getKey()), e.getValue(), Double::sum);
            total += e.getValue();
        }
        if (total > 0) {
            double t = total;
            byApp.replaceAll((k, x) -> x / t);
        }
        return Map.copyOf(byApp);
    }


    /** Turns resources and agent reports into the planner's view; also feeds the affinity history. */
    ClusterView view(Instant now, PlannerSettings settings, Duration newVolumeWarmUp, List<StorageNode> nodes,
                     List<ReplicatedVolume> volumes, List<VolumeMigration> migrations, Map<String, NodeData> data,
                     Map<String, Map<String, Double>> podHeat, Map<String, ReadPlacement.Current> readSources) {
        List<NodeView> nodeViews = new ArrayList<>();
        for (StorageNode n : nodes) {
            String name = n.getMetadata().getName();
            NodeData d = data.get(name);
            var st = n.getStatus();
            boolean ready = d != null;
            nodeViews.add(new NodeView(name, n.getSpec() == null ? null : n.getSpec().getZone(), ready,
                    n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getCordoned()),
                    st == null || st.getFailureProbability() == null ? 0 : st.getFailureProbability(),
                    st == null || st.getFailureConfidence() == null ? 0 : st.getFailureConfidence(),
                    d == null ? Map.of() : d.available(), limits.bandwidthFor(name),
                    dev.prescient.operator.status.NodeStatusAggregator.calmSince(st)));
        }
        // Which replica came from which migration: its role and when it was made.
        Map<String, Role> roles = new HashMap<>();
        Map<String, Instant> made = new HashMap<>();
        Map<String, Instant> lastMove = new HashMap<>();
        Map<String, String> lastFrom = new HashMap<>();
        List<InFlight> inFlight = new ArrayList<>();
        for (VolumeMigration m : migrations) {
            var s = m.getStatus();
            String vol = m.getSpec().getVolume();
            if (s == null || s.getPhase() == null || !s.getPhase().terminal()) {
                inFlight.add(new InFlight(vol, m.getSpec().getFrom().getNode(), m.getSpec().getTo().getNode(),
                        Units.bytes(m.getSpec().getBandwidthLimit(), settings.bandwidthPerMigration())));
                continue;
            }
            Instant done = s.getCompletionTime() == null ? now : Instant.parse(s.getCompletionTime());
            lastMove.merge(vol, done, (x, y) -> x.isAfter(y) ? x : y);
            if (s.getPhase() == dev.prescient.api.v1alpha1.migration.MigrationPhase.Succeeded
                    && !Boolean.TRUE.equals(m.getSpec().getKeepSource()) && !done.isBefore(lastMove.get(vol))
                    && !m.getSpec().getFrom().getNode().equals(m.getSpec().getTo().getNode())) {
                lastFrom.put(vol, m.getSpec().getFrom().getNode()); // where the primary last came from
            }
            String action = m.getMetadata().getLabels() == null ? null
                    : m.getMetadata().getLabels().get(MigrationFactory.ACTION_LABEL);
            String target = MigrationExecutor.targetReplicaId(m.getMetadata().getName());
            made.put(target, done);
            if (action != null) {
                roles.put(target, switch (ActionKind.valueOf(action)) {
                    case PreStage -> Role.PreStaged;
                    case Evacuate -> Role.Evacuation;
                    case AddMirror -> Role.Mirror;
                    default -> Role.Primary;
                });
            }
        }
        served.observe(readSources, now);
        Set<String> listed = new HashSet<>();
        data.values().forEach(d -> d.replicas().forEach(r -> listed.add(r.getReplicaId())));
        served.retain(listed);
        // Per volume: replicas found on the agents, and the accesses each node reports.
        Map<String, List<ReplicaView>> replicas = new HashMap<>();
        Map<String, Map<String, Double>> heatByNode = new HashMap<>();
        Map<String, Map<String, Instant>> lastRead = new HashMap<>();
        Map<String, Long> used = new HashMap<>();
        for (Map.Entry<String, NodeData> e : data.entrySet()) {
            String node = e.getKey();
            for (Replica r : e.getValue().replicas()) {
                Role role = roles.get(r.getReplicaId());
                replicas.computeIfAbsent(r.getVolumeId(), k -> new ArrayList<>()).add(new ReplicaView(
                        r.getReplicaId(), node, r.getTier(), role == null ? Role.Primary : role,
                        r.getState().getNumber() == 2, made.getOrDefault(r.getReplicaId(), now), null));
                used.merge(r.getVolumeId(), r.getAllocatedBytes(), Math::max);
            }
            for (VolumeTelemetry vt : e.getValue().telemetry().getVolumesList()) {
                long last = 0;
                for (ExtentHeat x : vt.getExtentsList()) {
                    last = Math.max(last, x.getLastAccessUnixMillis());
                }
                Map<String, Double> perNode = heatByNode.computeIfAbsent(vt.getVolumeId(), k -> new HashMap<>());
                HeatAttribution.byNode(node, vt).forEach((n, h) -> perNode.merge(n, h, Double::sum));
                for (ConsumerHeat c : vt.getConsumersList()) {
                    if (c.getConsumer().startsWith(HeatAttribution.NODE_CONSUMER)) {
                        continue; // a node's attachment, not an application
                    }
                    podHeat.computeIfAbsent(vt.getVolumeId(), k -> new HashMap<>()).merge(pod(c.getConsumer()),
                            c.getReadHeat() + c.getWriteHeat(), Double::sum);
                }
                if (last > 0) {
                    lastRead.computeIfAbsent(vt.getVolumeId(), k -> new HashMap<>()).put(node,
                            Instant.ofEpochMilli(last));
                }
            }
        }
        List<VolumeView> views = new ArrayList<>();
        Instant ahead = now.plus(leadTime);
        for (ReplicatedVolume v : volumes) {
            String name = v.getMetadata().getName();
            // A new volume's heat says nothing yet: its creation counts as a move made warmUp - coolDown ago, so the
            // first tier decision waits until heat had warmUp to build up (else every new volume starts cold and is
            // demoted at once).
            if (!newVolumeWarmUp.isZero() && v.getMetadata().getCreationTimestamp() != null) {
                try {
                    Instant asIf = timestamp(v.getMetadata().getCreationTimestamp()).plus(newVolumeWarmUp)
                            .minus(settings.coolDown());
                    lastMove.merge(name, asIf, (x, y) -> x.isAfter(y) ? x : y);
                } catch (java.time.format.DateTimeParseException ignored) {
                    // a server that writes another format: no warm-up rather than no planning
                }
            }
            List<ReplicaView> rs = replicas.getOrDefault(name, List.of());
            // Exactly one primary: the first replica not made for another purpose.
            List<ReplicaView> fixed = new ArrayList<>();
            boolean primary = false;
            Map<String, Instant> reads = lastRead.getOrDefault(name, Map.of());
            for (ReplicaView r : rs) {
                Role role = r.role();
                if (role == Role.Primary) {
                    role = primary ? Role.Mirror : Role.Primary;
                    primary = true;
                }
                // A copy is read when it last served the reads, wherever the reads are counted (a pre-staged copy that
                // serves them must not expire as unread), or when its node last read the volume.
                fixed.add(new ReplicaView(r.id(), r.node(), r.tier(), role, r.healthy(), r.createdAt(),
                        served.lastRead(r.id(), reads.get(r.node()))));
            }
            Map<String, Double> byNode = heatByNode.getOrDefault(name, Map.of());
            double total = byNode.values().stream().mapToDouble(Double::doubleValue).sum();
            Map<String, Double> nowShare = new HashMap<>();
            for (Map.Entry<String, Double> e : byNode.entrySet()) {
                double share = total > 0 ? e.getValue() / total : 0;
                nowShare.put(e.getKey(), share);
                profiles.observe(name, e.getKey(), share, now);
            }
            Map<String, Double> forecast = new HashMap<>();
            Set<String> known = new HashSet<>(nowShare.keySet());
            known.addAll(profiles.forVolume(name).keySet());
            for (String n : known) {
                forecast.put(n, profiles.forecast(name, n, now, ahead, nowShare.getOrDefault(n, 0d)));
            }
            double score = 1 - Math.exp(-total / heatScale);
            long usedBytes = used.getOrDefault(name, 0L);
            forecasts.observe(name, now, usedBytes, total);
            var p = v.getSpec().getPlacement();
            views.add(new VolumeView(name, v.getSpec().getCapacityBytes(), usedBytes,
                    v.getSpec().getReplicas() == null ? 1 : v.getSpec().getReplicas(), fixed, score, memory.heat(name),
                    nowShare, forecast, capacityForecast(name, usedBytes, v.getSpec().getCapacityBytes(), settings), lastMove.get(name),
                    p == null || p.getRequiredNodes() == null ? Set.of() : Set.copyOf(p.getRequiredNodes()),
                    p == null || p.getRequiredZones() == null ? Set.of() : Set.copyOf(p.getRequiredZones()),
                    memory.history(name), lastFrom.get(name)));
        }
        return new ClusterView(now, nodeViews, views, inFlight, limits);
    }

    /**
     * Parsed creation timestamps: they are whole seconds, so 10,000 volumes share a few hundred, and parsing each
     * volume's again every pass was a fifth of the view's CPU (issue 19's profile).
     */
    private final Map<String, Instant> timestamps = new java.util.concurrent.ConcurrentHashMap<>();

    private Instant timestamp(String text) {
        if (timestamps.size() > 100_000) {
            timestamps.clear(); // bounded: a cluster whose volumes came one by one over months
        }
        return timestamps.computeIfAbsent(text, Instant::parse);
    }

    /** "namespace/name/uid" (podInfoOnMount) to "namespace/name". */
    static String pod(String consumer) {
        int a = consumer.indexOf('/');
        int b = a < 0 ? -1 : consumer.indexOf('/', a + 1);
        return b < 0 ? consumer : consumer.substring(0, b);
    }

    /**
     * The capacity forecast the planner acts on: predict's CapacityForecaster at the policy horizon. Before its
     * interval is calibrated the point path stands in for the bound (said so in the model name); before there is
     * a model at all, none, and no pre-mirroring for growth happens.
     */
    private ClusterView.CapacityForecast capacityForecast(String volume, long usedBytes, long sizeBytes,
                                                          PlannerSettings settings) {
        VolumeForecasts.Outlook o = forecasts.capacity(volume, settings.capacityHorizon(), sizeBytes);
        if (o == null || Double.isNaN(o.value())) {
            return null;
        }
        long point = Math.max(usedBytes, (long) o.value());
        if (!o.calibrated()) {
            return new ClusterView.CapacityForecast(point, point, point, 0, o.model() + ", point only: interval not "
                    + "calibrated yet");
        }
        return new ClusterView.CapacityForecast(point, Math.max(0, (long) o.lower()),
                Math.max(point, (long) o.upper()), o.level(), o.model());
    }
}

