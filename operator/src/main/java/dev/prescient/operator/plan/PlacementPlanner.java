package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.operator.plan.ClusterView.HeatHistory;
import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import dev.prescient.operator.plan.Plan.Deferred;
import dev.prescient.operator.plan.Plan.DesiredPlacement;
import dev.prescient.operator.plan.VolumeInsights.RemovalKind;
import dev.prescient.operator.util.Decimals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns scores and forecasts into a desired placement per volume and the actions that get there.
 *
 * <p>Order of concern: protect data first (evacuate nodes predicted to fail), then make room ahead of growth,
 * then follow heat (tier and replica count), then follow readers (migrate, pre-stage). At most one data-moving
 * action per volume per pass, so every move is observed before the next is decided. Pure: same view, same plan.
 */
public final class PlacementPlanner {

    private final PlannerSettings settings;
    private final Duration day;
    private final HeatClassifier heatClasses;

    /** With a real day as the workload's cycle. */
    public PlacementPlanner(PlannerSettings settings) {
        this(settings, Duration.ofDays(1));
    }

    /**
     * @param day the cycle heat follows (prescient.planner.day-length; local mode compresses it into a minute):
     *            a volume leaves its heat class for a colder one only after a whole cycle below it
     */
    public PlacementPlanner(PlannerSettings settings, Duration day) {
        if (day.isNegative()) {
            throw new IllegalArgumentException("day length must not be negative: " + day);
        }
        this.settings = settings;
        this.day = day;
        this.heatClasses = new HeatClassifier(settings, day);
    }

    public PlannerSettings settings() {
        return settings;
    }

    public Plan plan(ClusterView view) {
        Map<String, NodeView> nodes = new HashMap<>();
        // Room is booked as actions are chosen so one pass does not pour ten volumes into the same free space.
        Map<String, Map<String, Long>> room = new HashMap<>();
        for (NodeView n : view.nodes()) {
            nodes.put(n.name(), n);
            room.put(n.name(), new HashMap<>(n.availableBytesByTier()));
        }
        Set<String> busyVolumes = new HashSet<>();
        for (InFlight f : view.inFlight()) {
            busyVolumes.add(f.volume());
        }
        Map<String, DesiredPlacement> desired = new LinkedHashMap<>();
        List<PlannedAction> removals = new ArrayList<>();
        List<PlannedAction> candidates = new ArrayList<>();
        List<Deferred> deferred = new ArrayList<>();

        for (VolumeView v : view.volumes()) {
            HeatLevel current = v.currentHeat() != null ? v.currentHeat() : heatClasses.placedClass(v);
            // While the volume is being copied its score counts the copy's own reads and writes (a demotion of a
            // cold volume made it look warm and brought it straight back): its class waits until the copy ended.
            HeatClassifier.HeatClass hc = busyVolumes.contains(v.name()) && current != null
                    ? new HeatClassifier.HeatClass(current, v.heatHistory() == null ? HeatHistory.NONE : v.heatHistory(),
                    "; class held while a migration of the volume is in flight")
                    : heatClasses.classify(v.heatScore(), current, v.heatHistory(), view.now());
            hc = heatClasses.unlessBackInBand(v, hc, busyVolumes.contains(v.name()));
            HeatLevel heat = hc.level();
            PlannerSettings.HeatTier ht = settings.heatTier(heat);
            int replicas = Math.max(v.baseReplicas(), ht.replicas());
            if (settings.excludedVolumes().contains(v.name())) {
                desired.put(v.name(), new DesiredPlacement(v.name(), heat, ht.tier(), replicas,
                        "volume is excluded by the policy: placement left as it is", hc.history()));
                continue;
            }
            // Written for every volume in every pass: appended, not String.format (a fifth of the pass at 10,000).
            StringBuilder why = Decimals.two(new StringBuilder(48 + hc.why().length()).append("heat score "),
                    v.heatScore()).append(" -> ").append(heat).append(" (tier ").append(ht.tier()).append(", ")
                    .append(replicas).append(" replicas)").append(hc.why());
            desired.put(v.name(), new DesiredPlacement(v.name(), heat, ht.tier(), replicas, why.toString(),
                    hc.history()));
            // A volume being moved is left alone: which replica is the source, the target or a surplus mirror is
            // only clear again once the migration ended (dropping its source mid-flight would lose the volume).
            if (!busyVolumes.contains(v.name())) {
                removals.addAll(removals(v, nodes, view.now(), replicas));
            }
            PlannedAction a = firstMove(v, nodes, room, heat, ht, replicas, view.now());
            if (a == null) {
                continue;
            }
            if (busyVolumes.contains(v.name())) {
                deferred.add(new Deferred(a, "a migration of this volume is already in flight"));
            } else if (!a.urgent() && v.lastMoveAt() != null
                    && v.lastMoveAt().plus(settings.coolDown()).isAfter(view.now())) {
                deferred.add(new Deferred(a, "cool-down: last move at " + v.lastMoveAt() + ", cool-down "
                        + settings.coolDown()));
            } else {
                candidates.add(a);
            }
        }
        List<PlannedAction> admitted = new ArrayList<>(removals);
        new Admission(settings).admit(view, candidates, admitted, deferred);
        return new Plan(desired, admitted, deferred);
    }

    private boolean failing(NodeView n) {
        return n != null && settings.evacuationEnabled() && n.ready() && n.failureProbability() >= settings.failureThreshold()
                && n.failureConfidence() >= settings.minConfidence();
    }

    /**
     * Recovered for good: below the threshold minus the hysteresis now, and no alert from the node's failure model for
     * at least rollbackAfter. One calm pass is not a recovery: local mode rolled node-c's evacuation back 0.7 s after
     * its probability first dipped, while its disk still failed.
     */
    private boolean recovered(NodeView n, Instant now) {
        return n != null && n.ready() && n.failureProbability() < settings.failureThreshold() - settings.hysteresis()
                && n.calmSince() != null && !n.calmSince().plus(settings.rollbackAfter()).isAfter(now);
    }

    private List<PlannedAction> removals(VolumeView v, Map<String, NodeView> nodes, Instant now, int desiredReplicas) {
        List<PlannedAction> out = new ArrayList<>();
        ReplicaView primary = v.primary();
        for (ReplicaView r : v.replicas()) {
            if (r.role() == Role.Evacuation) {
                Duration age = Duration.between(r.createdAt(), now);
                boolean othersRecovered = true;
                for (ReplicaView o : v.replicas()) {
                    if (o != r && o.role() != Role.Evacuation && !recovered(nodes.get(o.node()), now)) {
                        othersRecovered = false;
                    }
                }
                if (othersRecovered && age.compareTo(settings.rollbackAfter()) >= 0) {
                    out.add(remove(v, r, MigrationReason.PredictedFailure, RemovalKind.EvacuationRolledBack,
                            String.format(Locale.ROOT,
                            "false alarm: evacuation replica on %s is %s old (rollbackAfter %s) and every node it "
                                    + "protected is healthy again (failure probability below %.2f, no alert for "
                                    + "rollbackAfter); freeing its space",
                            r.node(), age, settings.rollbackAfter(),
                            settings.failureThreshold() - settings.hysteresis())));
                }
            } else if (r.role() == Role.PreStaged) {
                Instant last = r.lastReadAt() != null ? r.lastReadAt() : r.createdAt();
                Duration idle = Duration.between(last, now);
                if (idle.compareTo(settings.preStageExpireAfter()) >= 0) {
                    out.add(remove(v, r, MigrationReason.Affinity, RemovalKind.PreStageExpired,
                            String.format(Locale.ROOT,
                            "pre-staged replica on %s %s for %s (expireAfter %s); affinity of %s now %.2f, forecast "
                                    + "%.2f (pre-stage threshold %.2f); removing it",
                            r.node(), r.lastReadAt() == null ? "never read" : "not read", idle,
                            settings.preStageExpireAfter(), r.node(), v.affinityNow().getOrDefault(r.node(), 0d),
                            v.affinityForecast().getOrDefault(r.node(), 0d), settings.preStageScore())));
                }
            }
        }
        List<ReplicaView> lasting = new ArrayList<>();
        for (ReplicaView r : v.replicas()) {
            if ((r.role() == Role.Mirror || r.role() == Role.Primary) && r.healthy()) {
                lasting.add(r);
            }
        }
        if (lasting.size() > desiredReplicas) {
            // The surplus mirror read least locally goes first; the primary is never dropped here.
            lasting.sort(Comparator.comparingDouble(r -> v.affinityNow().getOrDefault(r.node(), 0d)));
            int surplus = lasting.size() - desiredReplicas;
            for (ReplicaView r : lasting) {
                if (surplus == 0) {
                    break;
                }
                if (r != primary && r.role() == Role.Mirror) {
                    out.add(remove(v, r, MigrationReason.Tiering, RemovalKind.SurplusMirror,
                            String.format(Locale.ROOT,
                            "heat class asks for %d lasting replicas, volume has %d; dropping the mirror on %s "
                                    + "(affinity %.2f)", desiredReplicas, lasting.size(), r.node(),
                            v.affinityNow().getOrDefault(r.node(), 0d))));
                    surplus--;
                }
            }
        }
        return out;
    }

    private PlannedAction remove(VolumeView v, ReplicaView r, MigrationReason reason, RemovalKind kind, String why) {
        return new PlannedAction(ActionKind.RemoveReplica, v.name(), r.node(), r.tier(), r.node(), r.tier(), reason,
                false, null, r.id(), 0, "volume " + v.name() + ": " + why, kind, 0);
    }

    /** The most important data-moving action for the volume, or null. */
    private PlannedAction firstMove(VolumeView v, Map<String, NodeView> nodes, Map<String, Map<String, Long>> room,
                                    HeatLevel heat, PlannerSettings.HeatTier ht, int desiredReplicas, Instant now) {
        ReplicaView primary = v.primary();
        if (primary == null) {
            return null;
        }
        long need = Math.max(v.usedBytes(), 1);
        boolean hasEvacuation = v.replicas().stream().anyMatch(r -> r.role() == Role.Evacuation);

        // 1. Evacuation ahead of a predicted failure.
        if (!hasEvacuation) {
            for (ReplicaView r : v.replicas()) {
                NodeView n = nodes.get(r.node());
                if (r.role() != Role.Evacuation && failing(n)) {
                    Target t = chooseTarget(v, nodes, room, r.tier(), need, Set.of(r.node()));
                    if (t == null) {
                        continue;
                    }
                    return book(room, t, need, new PlannedAction(ActionKind.Evacuate, v.name(), r.node(), r.tier(),
                            t.node, t.tier, MigrationReason.PredictedFailure, true, settings.rollbackAfter(), null,
                            n.failureProbability(), String.format(Locale.ROOT,
                            "volume %s: node %s failure probability %.2f (confidence %.2f) >= threshold %.2f; adding a "
                                    + "replica on %s/%s (%s); undone after %s if the failure does not come",
                            v.name(), r.node(), n.failureProbability(), n.failureConfidence(),
                            settings.failureThreshold(), t.node, t.tier, t.why, settings.rollbackAfter())));
                }
            }
        }

        // 2. Room for growth: the forecast size (upper bound plus buffer) no longer fits where the primary is.
        ClusterView.CapacityForecast cf = v.capacityForecast();
        long forecastNeed = cf == null ? 0 : (long) (cf.upperBytes() * (1 + settings.capacityBufferPercent() / 100.0));
        long growth = forecastNeed - v.usedBytes();
        long roomHere = room.getOrDefault(primary.node(), Map.of()).getOrDefault(primary.tier(), 0L);
        if (cf != null && growth > 0 && growth > roomHere) {
            Target t = chooseTarget(v, nodes, room, primary.tier(), forecastNeed, Set.of());
            if (t != null) {
                double benefit = (double) (growth - roomHere) / Math.max(growth, 1);
                if (benefit >= settings.benefitThreshold()) {
                    return book(room, t, forecastNeed, new PlannedAction(ActionKind.PreMirror, v.name(),
                            primary.node(), primary.tier(), t.node, t.tier, MigrationReason.Capacity, false, null, null,
                            benefit, String.format(Locale.ROOT,
                            "volume %s: used %d B forecast to reach up to %d B within %s (forecast %s; upper bound "
                                    + "+%d%% buffer = %d B) but %s/%s has %d B free; pre-mirroring to %s/%s (%s) and "
                                    + "switching there",
                            v.name(), v.usedBytes(), cf.upperBytes(), settings.capacityHorizon(), cf.describe(),
                            settings.capacityBufferPercent(), forecastNeed, primary.node(), primary.tier(), roomHere,
                            t.node, t.tier, t.why)));
                }
            }
        }

        // 3. Tiered placement: the primary belongs on its heat class's tier.
        if (!primary.tier().equals(ht.tier())) {
            long free = room.getOrDefault(primary.node(), Map.of()).getOrDefault(ht.tier(), -1L);
            NodeView pn = nodes.get(primary.node());
            // Not on a node predicted to fail: a new copy there would be as much at risk as the old one, and the
            // move would take the volume's copies through that node while its evacuation is under way.
            if (free >= need && pn != null && pn.ready() && !failing(pn)
                    && !settings.excludedNodes().contains(primary.node())) {
                return book(room, new Target(primary.node(), ht.tier(), "same node"), need,
                        new PlannedAction(ActionKind.Retier, v.name(), primary.node(), primary.tier(),
                                primary.node(), ht.tier(), MigrationReason.Tiering, false, null, null, 1.0,
                                String.format(Locale.ROOT, "volume %s: heat score %.2f puts it in class %s (tier %s); "
                                                + "primary is on %s; moving it on node %s", v.name(), v.heatScore(),
                                        heat, ht.tier(), primary.tier(), primary.node())));
            }
        }

        // 4. Tiered mirroring: as many lasting copies as the heat class asks for.
        long lasting = v.replicas().stream()
                .filter(r -> (r.role() == Role.Primary || r.role() == Role.Mirror) && r.healthy()).count();
        if (lasting < desiredReplicas) {
            Target t = chooseTarget(v, nodes, room, ht.tier(), need, Set.of());
            if (t != null) {
                return book(room, t, need, new PlannedAction(ActionKind.AddMirror, v.name(), primary.node(),
                        primary.tier(), t.node, t.tier, MigrationReason.Tiering, true, null, null, 1.0,
                        String.format(Locale.ROOT, "volume %s: heat class %s keeps %d replicas, volume has %d; adding "
                                + "a mirror on %s/%s (%s)", v.name(), heat, desiredReplicas, lasting, t.node, t.tier, t.why)));
            }
        }

        // 5. Follow the reader: move the primary where it is read, but only if the forecast says the tie lasts.
        double here = v.affinityNow().getOrDefault(primary.node(), 0d);
        String best = null;
        double bestNow = 0;
        for (Map.Entry<String, Double> e : v.affinityNow().entrySet()) {
            if (!v.hasReplicaOn(e.getKey()) && e.getValue() > bestNow) {
                best = e.getKey();
                bestNow = e.getValue();
            }
        }
        if (best != null) {
            double ahead = v.affinityForecast().getOrDefault(best, 0d);
            double gain = Math.min(bestNow, ahead) - here;
            double bar = settings.migrateScore() + settings.hysteresis();
            if (bestNow >= bar && ahead >= bar && gain >= settings.benefitThreshold() + settings.hysteresis()) {
                Target t = chooseTarget(v, nodes, room, primary.tier(), need, Set.of(), best);
                long staged = v.replicas().stream().filter(r -> r.role() == Role.PreStaged).count();
                if (t != null && returning(v, best, now) && staged < settings.maxPreStagedPerVolume()) {
                    // The reader came back to the node the primary left less than a day ago: the volume is read from
                    // both on a cycle shorter than a day. Moving the primary back would copy it whole twice a day and
                    // undo the last move; a kept copy there serves the reads (ReadPlacement follows the reader) and
                    // expires once that node stops reading it.
                    return book(room, t, need, new PlannedAction(ActionKind.PreStage, v.name(), primary.node(),
                            primary.tier(), t.node, t.tier, MigrationReason.Affinity, true,
                            settings.preStageExpireAfter(), null, gain, String.format(Locale.ROOT,
                            "volume %s: affinity to %s %.2f now and %.2f forecast, %.2f on current node %s; the "
                                    + "primary left %s at its last move (%s, within a day): keeping a copy on %s/%s "
                                    + "instead of moving the primary back, expires after %s unread",
                            v.name(), best, bestNow, ahead, here, primary.node(), best, v.lastMoveAt(), t.node,
                            t.tier, settings.preStageExpireAfter())));
                }
                if (t != null) {
                    return book(room, t, need, new PlannedAction(ActionKind.Migrate, v.name(), primary.node(),
                            primary.tier(), t.node, t.tier, MigrationReason.Affinity, false, null, null, gain,
                            String.format(Locale.ROOT, "volume %s: affinity to %s %.2f now and %.2f forecast (>= %.2f "
                                            + "migrate threshold + hysteresis), %.2f on current node %s; gain %.2f >= "
                                            + "benefit threshold %.2f + hysteresis; moving primary to %s/%s",
                                    v.name(), best, bestNow, ahead, bar, here, primary.node(), gain,
                                    settings.benefitThreshold(), t.node, t.tier)));
                }
            }
        }

        // 6. Pre-stage where the data is forecast to be read, before it is read.
        if (settings.preStagingEnabled()) {
            long staged = v.replicas().stream().filter(r -> r.role() == Role.PreStaged).count();
            if (staged < settings.maxPreStagedPerVolume()) {
                String target = null;
                double forecast = 0;
                for (Map.Entry<String, Double> e : v.affinityForecast().entrySet()) {
                    if (!v.hasReplicaOn(e.getKey()) && e.getValue() > forecast) {
                        target = e.getKey();
                        forecast = e.getValue();
                    }
                }
                double benefit = forecast - v.affinityNow().getOrDefault(target == null ? "" : target, 0d);
                if (target != null && forecast >= settings.preStageScore() + settings.hysteresis()
                        && forecast >= benefit && benefit >= settings.benefitThreshold()) {
                    Target t = chooseTarget(v, nodes, room, primary.tier(), need, Set.of(), target);
                    if (t != null) {
                        return book(room, t, need, new PlannedAction(ActionKind.PreStage, v.name(), primary.node(),
                                primary.tier(), t.node, t.tier, MigrationReason.Affinity, true,
                                settings.preStageExpireAfter(), null, benefit, String.format(Locale.ROOT,
                                "volume %s: node %s forecast to read it (affinity forecast %.2f, now %.2f, pre-stage "
                                        + "threshold %.2f + hysteresis); pre-staging a replica on %s/%s, expires after "
                                        + "%s unread", v.name(), target, forecast,
                                v.affinityNow().getOrDefault(target, 0d), settings.preStageScore(), t.node, t.tier,
                                settings.preStageExpireAfter())));
                    }
                }
            }
        }
        return null;
    }

    private record Target(String node, String tier, String why) {
    }

    /** Whether {@code node} is where the volume's primary was moved away from, less than a day ago. */
    private boolean returning(VolumeView v, String node, Instant now) {
        return node.equals(v.lastMovedFromNode()) && v.lastMoveAt() != null
                && Duration.between(v.lastMoveAt(), now).compareTo(day) < 0;
    }

    private PlannedAction book(Map<String, Map<String, Long>> room, Target t, long bytes, PlannedAction a) {
        room.computeIfAbsent(t.node, k -> new HashMap<>()).merge(t.tier, -bytes, Long::sum);
        return a;
    }

    private Target chooseTarget(VolumeView v, Map<String, NodeView> nodes, Map<String, Map<String, Long>> room,
                                String tier, long need, Set<String> leaving) {
        return chooseTarget(v, nodes, room, tier, need, leaving, null);
    }

    /**
     * Best node for a new replica: placeable, not predicted to fail, room on the tier, spread honoured. With
     * {@code only} set, that node or nothing. Otherwise the node the volume is read from most, then the emptiest.
     */
    private Target chooseTarget(VolumeView v, Map<String, NodeView> nodes, Map<String, Map<String, Long>> room,
                                String tier, long need, Set<String> leaving, String only) {
        Set<String> usedZones = new HashSet<>();
        if (settings.spreadByZone()) {
            for (ReplicaView r : v.replicas()) {
                NodeView n = nodes.get(r.node());
                if (n != null && !leaving.contains(r.node()) && n.zone() != null) {
                    usedZones.add(n.zone());
                }
            }
        }
        NodeView best = null;
        double bestScore = -1;
        long bestFree = -1;
        Iterable<NodeView> pool = only != null
                ? (nodes.containsKey(only) ? List.of(nodes.get(only)) : List.of()) : nodes.values();
        for (NodeView n : pool) {
            if (!n.ready() || n.cordoned() || settings.excludedNodes().contains(n.name()) || v.hasReplicaOn(n.name())
                    || n.failureProbability() >= settings.failureThreshold()) {
                continue;
            }
            if (!v.requiredNodes().isEmpty() && !v.requiredNodes().contains(n.name())) {
                continue;
            }
            if (!v.requiredZones().isEmpty() && (n.zone() == null || !v.requiredZones().contains(n.zone()))) {
                continue;
            }
            if (settings.spreadByZone() && n.zone() != null && usedZones.contains(n.zone())) {
                continue;
            }
            long free = room.getOrDefault(n.name(), Map.of()).getOrDefault(tier, -1L);
            if (free < need) {
                continue;
            }
            double score = v.affinityNow().getOrDefault(n.name(), 0d);
            if (best == null || score > bestScore || (score == bestScore && (free > bestFree
                    || (free == bestFree && n.name().compareTo(best.name()) < 0)))) {
                best = n;
                bestScore = score;
                bestFree = free;
            }
        }
        if (best == null) {
            return null;
        }
        return new Target(best.name(), tier, String.format(Locale.ROOT, "affinity %.2f, %d B free%s", bestScore,
                bestFree, settings.spreadByZone() ? ", zone " + best.zone() : ""));
    }
}
