package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.VolumeView;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reactive baseline the scorecard compares the predictive planner with ({@code prescient.planner.mode=reactive}):
 * the same {@link PlacementPlanner}, fed only what is observed now. It moves data after the access has shifted, as
 * the data-locality features of other systems do, and never ahead of it:
 *
 * <ul>
 *   <li>no forecasts: a volume's affinity "forecast" is its affinity now, and for a node that does not hold the
 *       volume it counts only once that node has stayed at or above the planner's migrate bar (migrate threshold +
 *       hysteresis) for {@code dwell} without a break (the reader has read from a remote replica for a while);</li>
 *   <li>no pre-staging (the policy's pre-staging is switched off);</li>
 *   <li>no capacity forecast: room is made only once the used bytes now (plus the policy's buffer) no longer fit;</li>
 *   <li>no failure prediction: a node's predicted failure probability is read as 0, so nothing is evacuated ahead of
 *       a failure (a reactive system rebuilds after the failure, which local mode's degrading disk never reaches).</li>
 * </ul>
 *
 * Heat classes are already reactive (the score is the decayed heat observed now; promotion once it cleared the
 * class floor) and are left as the planner has them. Stateful only in when each remote reader crossed the bar; one
 * instance per operator, used by one planner loop.
 */
public final class ReactivePolicy {

    private final Duration dwell;
    /** volume -> node -> since when the node's affinity has stayed at or above the migrate bar. */
    private final Map<String, Map<String, Instant>> above = new HashMap<>();

    public ReactivePolicy(Duration dwell) {
        if (dwell.isNegative()) {
            throw new IllegalArgumentException("dwell must not be negative: " + dwell);
        }
        this.dwell = dwell;
    }

    public Duration dwell() {
        return dwell;
    }

    /** The policy's settings without pre-staging. */
    public PlannerSettings settings(PlannerSettings s) {
        return new PlannerSettings(s.preStageScore(), s.mirrorScore(), s.migrateScore(), s.hot(), s.warm(), s.cold(),
                s.benefitThreshold(), s.hysteresis(), s.coolDown(), s.maxConcurrentPerNode(),
                s.maxConcurrentPerCluster(), s.bandwidthPerMigration(), s.evacuationEnabled(), s.failureThreshold(),
                s.minConfidence(), s.rollbackAfter(), false, s.preStageExpireAfter(), s.maxPreStagedPerVolume(),
                s.capacityHorizon(), s.capacityBufferPercent(), s.spreadByZone(), s.excludedVolumes(),
                s.excludedNodes());
    }

    /**
     * The view with every forecast replaced by what is observed now (see the class comment). Call once per pass,
     * with the settings the pass plans with: it advances the dwell clocks.
     */
    public synchronized ClusterView observe(ClusterView view, PlannerSettings settings) {
        double bar = settings.migrateScore() + settings.hysteresis();
        List<NodeView> nodes = new ArrayList<>();
        for (NodeView n : view.nodes()) {
            nodes.add(new NodeView(n.name(), n.zone(), n.ready(), n.cordoned(), 0, n.failureConfidence(),
                    n.availableBytesByTier(), n.bandwidthBytesPerSecond()));
        }
        Map<String, Map<String, Instant>> seen = new HashMap<>();
        List<VolumeView> volumes = new ArrayList<>();
        for (VolumeView v : view.volumes()) {
            Map<String, Instant> was = above.getOrDefault(v.name(), Map.of());
            Map<String, Instant> is = new HashMap<>();
            Map<String, Double> observed = new HashMap<>();
            for (Map.Entry<String, Double> e : v.affinityNow().entrySet()) {
                String node = e.getKey();
                double share = e.getValue();
                if (v.hasReplicaOn(node)) {
                    observed.put(node, share);
                    continue;
                }
                if (share < bar) {
                    observed.put(node, share);
                    continue;
                }
                Instant since = was.getOrDefault(node, view.now());
                is.put(node, since);
                // Until the reader has stayed for the dwell, the shift is not taken as lasting.
                observed.put(node, Duration.between(since, view.now()).compareTo(dwell) >= 0 ? share : 0d);
            }
            seen.put(v.name(), is);
            ClusterView.CapacityForecast now = ClusterView.CapacityForecast.upperOnly(v.usedBytes());
            volumes.add(new VolumeView(v.name(), v.capacityBytes(), v.usedBytes(), v.baseReplicas(), v.replicas(),
                    v.heatScore(), v.currentHeat(), v.affinityNow(), observed,
                    new ClusterView.CapacityForecast(now.pointBytes(), now.lowerBytes(), now.upperBytes(), 0,
                            "observed (reactive)"),
                    v.lastMoveAt(), v.requiredNodes(), v.requiredZones(), v.heatHistory(), v.lastMovedFromNode()));
        }
        above.clear();
        above.putAll(seen);
        return new ClusterView(view.now(), nodes, volumes, view.inFlight(), view.limits());
    }
}
