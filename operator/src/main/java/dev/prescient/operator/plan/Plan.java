package dev.prescient.operator.plan;

import java.util.List;
import java.util.Map;

/**
 * The result of one planner pass: the desired placement per volume, the actions admitted within limits, and
 * the actions deferred with the reason (a limit, cool-down), so nothing is dropped silently.
 */
public record Plan(Map<String, DesiredPlacement> desired, List<PlannedAction> actions, List<Deferred> deferred) {

    /**
     * Where a volume should be: its heat class, tier and replica count; and the heat history to carry into the next
     * pass's view.
     */
    public record DesiredPlacement(String volume, HeatLevel heat, String tier, int replicas, String explanation,
                                   ClusterView.HeatHistory heatHistory) {
    }

    /** An action the planner wanted but did not admit this pass, and why. */
    public record Deferred(PlannedAction action, String why) {
    }
}
