package dev.prescient.operator.plan;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.FrontEndReads;
import dev.prescient.api.nodeagent.v1.SetReadSourceRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.agent.NodeReports;
import dev.prescient.operator.plan.TelemetrySweep.NodeData;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import dev.prescient.operator.reconcile.KubeEvents;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.telemetry.ModelStateStore;
import dev.prescient.operator.telemetry.NodeHealthModel;
import dev.prescient.operator.telemetry.VolumeForecasts;
import dev.prescient.api.v1alpha1.volume.Consumer;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.operator.util.Units;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation of one MirrorPolicy: pull telemetry from the agents, update the compact history and the
 * forecasters, build the cluster view, plan, and act (create VolumeMigrations, drop expired replicas). Called by
 * the MirrorPolicy reconciler every evaluation interval, so it only ever runs on the leader. What it concluded per
 * volume goes to {@link VolumeInsights} and the replica lists it pulled to {@link ReplicaInventory}, where the
 * ReplicatedVolume reconciler reads them for status.
 */
public final class PlannerLoop {

    private static final Logger LOG = Logger.getLogger(PlannerLoop.class);

    /** What a pass did, for status, metrics and the benchmark. */
    public record Result(int volumes, int nodes, int created, int removed, int deferred, Duration telemetry,
                         Duration planning, Duration acting, Duration persisting, int stateParts) {
    }

    private final KubernetesClient kube;
    private final NodeAgents agents;
    private final NodeHealthModel health;
    private final AffinityProfiles profiles;
    private final PlannerMemory memory;
    private final TelemetrySweep sweep;
    private volatile MigrationCreator creator;
    private final OperatorMetrics metrics;
    private final KubeEvents events;
    private final Clock clock;
    private final OperatorLimits limits;
    private final double heatScale;
    private final Duration leadTime;
    private final VolumeForecasts forecasts;
    private final VolumeInsights insights;
    private final ReplicaInventory inventory;
    /** When each kept copy last served its volume's reads (a pre-staged copy read remotely shows no heat). */
    private final ReadServing served = new ReadServing();

    public PlannerLoop(KubernetesClient kube, NodeAgents agents, NodeHealthModel health, AffinityProfiles profiles,
                       ModelStateStore store, OperatorMetrics metrics, KubeEvents events, Clock clock,
                       OperatorLimits limits, double heatScale, Duration leadTime, VolumeForecasts forecasts,
                       VolumeInsights insights, ReplicaInventory inventory) {
        this.kube = kube;
        this.agents = agents;
        this.health = health;
        this.profiles = profiles;
        this.sweep = new TelemetrySweep(agents, metrics, clock);
        this.creator = new MigrationCreator(kube, events, metrics, DEFAULT_CREATE_CONCURRENCY);
        this.memory = new PlannerMemory(store, health, profiles, forecasts, DEFAULT_STATE_SAVE_INTERVAL);
        this.metrics = metrics;
        this.events = events;
        this.clock = clock;
        this.limits = limits;
        this.heatScale = heatScale;
        this.leadTime = leadTime;
        this.forecasts = forecasts;
        this.insights = insights;
        this.inventory = inventory;
        this.reads = ClusterReads.listing(kube);
    }

    /** VolumeMigrations created at once by a pass (prescient.planner.create-concurrency). */
    public static final int DEFAULT_CREATE_CONCURRENCY = 16;

    public void setCreateConcurrency(int concurrency) {
        MigrationCreator old = creator;
        creator = new MigrationCreator(kube, events, metrics, concurrency);
        old.close();
    }

    /** How often what was only learnt (not decided) is saved to the model-state ConfigMaps. */
    public static final Duration DEFAULT_STATE_SAVE_INTERVAL = Duration.ofMinutes(5);

    /** prescient.state.save-interval: the most often learnt model state is saved (decisions are saved at once). */
    public void setStateSaveInterval(Duration every) {
        memory.setLearntEvery(every);
    }

    /** Waits until the model state handed to the writer is in the API server (tests, shutdown). */
    public boolean flushState(Duration timeout) throws InterruptedException {
        return memory.flush(timeout);
    }

    public VolumeInsights insights() {
        return insights;
    }

    public ReplicaInventory inventory() {
        return inventory;
    }


    private volatile java.time.Duration newVolumeWarmUp = java.time.Duration.ZERO;

    /** How long a new volume's heat builds up before its first move (prescient.planner.new-volume-warm-up). */
    public void setNewVolumeWarmUp(java.time.Duration warmUp) {
        this.newVolumeWarmUp = warmUp;
    }

    private volatile ReactivePolicy reactive;
    private volatile ClusterReads reads;

    /** Where the resources come from: informer caches in the operator; listing (the default) in tests. */
    public void readFrom(ClusterReads reads) {
        this.reads = reads;
    }

    private volatile PassRecorder recorder;

    /** Records every pass's inputs for offline replay (prescient.planner.record); null: off. */
    public void setRecorder(PassRecorder recorder) {
        this.recorder = recorder;
    }

    /** Where the health reports this pass pulls are shared with node health (StorageNodeReconciler); null: not. */
    public void shareReports(NodeReports reports) {
        sweep.shareReports(reports);
    }

    /** Plan from observed state only (the scorecard's reactive baseline); null: the predictive planner. */
    public void setReactive(ReactivePolicy reactive) {
        this.reactive = reactive;
    }

    public Result evaluate(String policy, PlannerSettings settings) {
        ReactivePolicy r = reactive;
        if (r != null) {
            settings = r.settings(settings);
        }
        Instant now = clock.instant();
        memory.restoreOnce();
        long t0 = System.nanoTime();
        forecasts.beginPass();
        ClusterReads in = reads;
        // Nodes are listed fresh (a few objects): their failure status is what a pass triggered by an alarm acts on.
        List<StorageNode> nodes = kube.resources(StorageNode.class).list().getItems();
        List<ReplicatedVolume> all = in.list(ReplicatedVolume.class);
        List<ReplicatedVolume> volumes = all.stream()
                .filter(v -> v.getSpec() != null && policy.equals(v.getSpec().getPolicy())).toList();
        List<VolumeMigration> migrations = in.list(VolumeMigration.class);
        TelemetrySweep.Pulled pulled = sweep.pull(nodes.stream().map(n -> n.getMetadata().getName()).toList());
        Map<String, NodeData> data = pulled.data();
        List<String> unreachable = pulled.unreachable();
        Map<String, List<Replica>> byNode = new HashMap<>();
        data.forEach((k, d) -> byNode.put(k, d.replicas()));
        inventory.publish(ReplicaInventory.Snapshot.of(now, byNode, unreachable));
        long t1 = System.nanoTime();
        Map<String, Map<String, Double>> podHeat = new HashMap<>();
        Map<String, ReadPlacement.Current> readSources = readSources(data);
        ClusterView view = view(now, settings, nodes, volumes, migrations, data, podHeat, readSources);
        if (r != null) {
            view = r.observe(view, settings);
        }
        PassRecorder rec = recorder;
        if (rec != null) {
            rec.record(new PassRecorder.Pass(policy, profiles.day(), settings, view));
        }
        // The planner demotes a volume after a whole cycle of the heat the profiles learn: a day, or local mode's minute.
        Plan plan = new PlacementPlanner(settings, profiles.day()).plan(view);
        long t2 = System.nanoTime();
        metrics.plannerPass(Duration.ofNanos(t2 - t1));
        creator.known(migrations, now);
        List<PlannedAction> moves = new ArrayList<>();
        int removed = 0;
        for (PlannedAction a : plan.actions()) {
            if (a.kind() != ActionKind.RemoveReplica) {
                moves.add(a);
            } else if (remove(a, now)) {
                removed++;
            }
        }
        int created = creator.create(moves, settings.bandwidthPerMigration(), now);
        for (Plan.Deferred d : plan.deferred()) {
            metrics.decision(d.action().kind().name(), "deferred");
        }
        for (ReadPlacement.Switch sw : new ReadPlacement(settings).decide(view, readSources)) {
            switchReads(sw, now);
        }
        plan.desired().values().forEach(memory::remember);
        publishInsights(now, settings, view, plan, volumes, podHeat);
        Set<String> names = new HashSet<>();
        all.forEach(v -> names.add(v.getMetadata().getName()));
        insights.retain(names);
        forecasts.retain(names);
        memory.retain(names);
        long t3 = System.nanoTime();
        int parts = memory.persist(now);
        return new Result(view.volumes().size(), view.nodes().size(), created, removed, plan.deferred().size(),
                Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2),
                Duration.ofNanos(System.nanoTime() - t3), parts);
    }

    /**
     * A removal is not a VolumeMigration (the CRD has no removal kind: from and to must differ), so it is made
     * explainable another way: an Event on the volume with the scores behind it, and the decision kept in
     * {@link VolumeInsights}, from which the volume's status shows it as the ReplicaRemoved condition. The agent
     * call carries an operation id derived from the replica, so a repeat (next pass, new leader) is harmless.
     */
    private boolean remove(PlannedAction a, Instant now) {
        ReplicatedVolume v = reads.get(ReplicatedVolume.class, a.volume());
        String reason = a.removal() == null ? "ReplicaRemoved" : a.removal().name();
        try {
            agents.forNode(a.fromNode()).deleteReplica(DeleteReplicaRequest.newBuilder()
                    .setOperationId("remove-" + a.replicaId()).setReplicaId(a.replicaId()).build());
            metrics.decision(a.kind().name(), "done");
            if (a.removal() == VolumeInsights.RemovalKind.EvacuationRolledBack) {
                health.falseAlarm(now.toEpochMilli());
            }
            insights.recordRemoval(a.volume(), new VolumeInsights.Removal(a.replicaId(), a.fromNode(), a.fromTier(),
                    a.removal(), a.explanation(), now, true, null));
            if (v != null) {
                events.normal(v, reason, "replica " + a.replicaId() + " removed: " + a.explanation());
            }
            return true;
        } catch (NodeAgentException e) {
            metrics.decision(a.kind().name(), "failed");
            insights.recordRemoval(a.volume(), new VolumeInsights.Removal(a.replicaId(), a.fromNode(), a.fromTier(),
                    a.removal(), a.explanation(), now, false, e.getMessage()));
            if (v != null) {
                events.warning(v, reason + "Failed", "replica " + a.replicaId() + " not removed (" + e.getMessage()
                        + "); will retry next pass: " + a.explanation());
            }
            return false;
        }
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

    /**
     * Re-points a volume's reads (no data moves, no VolumeMigration): an Event on the volume says what and why; a
     * refusal (the copy fell out of sync since it was listed) is retried by the next pass.
     */
    private void switchReads(ReadPlacement.Switch sw, Instant now) {
        ReplicatedVolume v = kube.resources(ReplicatedVolume.class).withName(sw.volume()).get();
        try {
            agents.forNode(sw.frontEndNode()).setReadSource(SetReadSourceRequest.newBuilder()
                    .setOperationId("reads-" + sw.volume() + "-" + sw.replicaId()).setVolumeId(sw.volume())
                    .setReplicaId(sw.replicaId()).build());
            metrics.decision("SwitchReads", "done");
            LOG.infof("ReplicatedVolume/%s: reads switched from %s on %s to %s on %s (%s): %s", sw.volume(),
                    sw.fromReplicaId(), sw.fromNode(), sw.replicaId(), sw.node(), sw.reason(), sw.explanation());
            insights.recordReadSwitch(sw.volume(), new VolumeInsights.ReadSwitch(sw.replicaId(), sw.node(),
                    sw.fromReplicaId(), sw.fromNode(), sw.reason().name(), sw.explanation(), now, true, null));
            if (v != null) {
                events.normal(v, "ReadSource" + sw.reason(), sw.explanation());
            }
        } catch (NodeAgentException e) {
            insights.recordReadSwitch(sw.volume(), new VolumeInsights.ReadSwitch(sw.replicaId(), sw.node(),
                    sw.fromReplicaId(), sw.fromNode(), sw.reason().name(), sw.explanation(), now, false,
                    e.getMessage()));
            metrics.decision("SwitchReads", "failed");
            LOG.warnf("ReplicatedVolume/%s: reads not switched to %s on %s (%s); next pass retries", sw.volume(),
                    sw.replicaId(), sw.node(), e.getMessage());
            if (v != null) {
                events.warning(v, "ReadSourceNotSwitched", "reads not switched to " + sw.replicaId() + " on "
                        + sw.node() + " (" + e.getMessage() + "): " + sw.explanation());
            }
        }
    }

    /** The planner's numbers per volume, for the ReplicatedVolume status. */
    private void publishInsights(Instant now, PlannerSettings settings, ClusterView view, Plan plan,
                                 List<ReplicatedVolume> volumes, Map<String, Map<String, Double>> podHeat) {
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
    ClusterView view(Instant now, PlannerSettings settings, List<StorageNode> nodes, List<ReplicatedVolume> volumes,
                     List<VolumeMigration> migrations, Map<String, NodeData> data,
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
                    Instant asIf = Instant.parse(v.getMetadata().getCreationTimestamp()).plus(newVolumeWarmUp)
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
