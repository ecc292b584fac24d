package dev.prescient.local.decide;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.local.decide.Action.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The local decision loop: protect data first (evacuate a node predicted to fail), then follow readers (switch to
 * an in-sync mirror where the reader is, pre-stage a mirror where it will be), then follow heat (volume to nvme
 * when hot, to hdd when cold). One data-moving action per volume at a time. Pure: same view, same actions.
 */
public final class Decider {
    /** Policy knobs. */
    public record Settings(double failureThreshold, double preStageLead, double hotPerExtent, double coldPerExtent,
            double minForecastConfidence) {
    }

    /** A replica as the decider sees it. */
    public record ReplicaView(String node, String tier, boolean primary, boolean healthy) {
    }

    /** A volume as the decider sees it. */
    public record VolumeView(String name, List<ReplicaView> replicas, String reader, double meanHeatPerExtent,
            double hotExtentFraction, boolean busy, boolean hasHotspot) {
        ReplicaView primary() {
            return replicas.stream().filter(ReplicaView::primary).findFirst().orElseThrow();
        }

        Optional<ReplicaView> on(String node) {
            return replicas.stream().filter(r -> r.node().equals(node)).findFirst();
        }
    }

    private final Settings settings;

    public Decider(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param failureProbability per node
     * @param forecastReader     per volume, the reader predicted {@code preStageLead} of a day ahead
     */
    public List<Action> decide(List<VolumeView> volumes, Map<String, Double> failureProbability,
            Map<String, ReaderForecast.Prediction> forecastReader, Set<String> nodes) {
        List<Action> out = new ArrayList<>();
        for (VolumeView v : volumes) {
            if (v.busy()) {
                continue;
            }
            ReplicaView p = v.primary();
            double risk = failureProbability.getOrDefault(p.node(), 0.0);
            if (risk >= settings.failureThreshold()) {
                String target = nodes.stream().filter(n -> !n.equals(p.node()))
                        .filter(n -> failureProbability.getOrDefault(n, 0.0) < settings.failureThreshold())
                        .filter(n -> v.on(n).isEmpty())
                        .min(Comparator.comparingDouble((String n) -> failureProbability.getOrDefault(n, 0.0))
                                .thenComparing(n -> n))
                        .orElse(null);
                if (target != null) {
                    out.add(new Action(Kind.MIGRATE, v.name(), p.node(), p.tier(), target, p.tier(),
                            MigrationReason.PredictedFailure, String.format(
                                    "node %s failure probability %.2f >= %.2f", p.node(), risk,
                                    settings.failureThreshold())));
                    continue;
                }
            }
            if (v.reader() != null && !v.reader().equals(p.node())) {
                Optional<ReplicaView> there = v.on(v.reader());
                if (there.isPresent() && there.get().healthy()) {
                    out.add(new Action(Kind.SWITCH_OVER, v.name(), p.node(), p.tier(), v.reader(),
                            there.get().tier(), MigrationReason.Affinity,
                            "reader moved to " + v.reader() + " where an in-sync mirror waits"));
                } else if (there.isEmpty()) {
                    out.add(new Action(Kind.MIGRATE, v.name(), p.node(), p.tier(), v.reader(), p.tier(),
                            MigrationReason.Affinity, "reader moved to " + v.reader() + " and no mirror was there"));
                }
                continue;
            }
            ReaderForecast.Prediction next = forecastReader.get(v.name());
            if (next != null && next.confidence() >= settings.minForecastConfidence()
                    && !next.node().equals(p.node()) && v.on(next.node()).isEmpty()
                    && failureProbability.getOrDefault(next.node(), 0.0) < settings.failureThreshold()) {
                out.add(new Action(Kind.PRE_STAGE, v.name(), p.node(), p.tier(), next.node(), "nvme",
                        MigrationReason.Affinity, String.format(
                                "%s forecast to read within %.0f%% of a day (confidence %.2f over %d samples)",
                                next.node(), settings.preStageLead() * 100, next.confidence(),
                                next.observations())));
                continue;
            }
            if (v.hasHotspot() && v.hotExtentFraction() > 0 && !p.tier().equals("nvme")) {
                out.add(new Action(Kind.MIGRATE, v.name(), p.node(), p.tier(), p.node(), "nvme",
                        MigrationReason.Tiering, String.format("%.0f%% of extents hot: promote to nvme",
                                v.hotExtentFraction() * 100)));
            } else if (!v.hasHotspot() && v.meanHeatPerExtent() < settings.coldPerExtent()
                    && !p.tier().equals("hdd")) {
                out.add(new Action(Kind.MIGRATE, v.name(), p.node(), p.tier(), p.node(), "hdd",
                        MigrationReason.Tiering, String.format("mean heat %.3f ops/extent/tick < %.3f: demote to hdd",
                                v.meanHeatPerExtent(), settings.coldPerExtent())));
            }
        }
        return out;
    }
}
