package dev.prescient.operator.loop;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the planner last evaluated each MirrorPolicy. Written by {@link PlannerDriver}, read by the MirrorPolicy
 * reconciler for the policy's status (lastEvaluationTime), the way volume status reads VolumeInsights.
 */
public final class PolicyPasses {

    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    public void evaluated(String policy, Instant at) {
        last.merge(policy, at, (a, b) -> b.isAfter(a) ? b : a);
    }

    /** The time of the policy's last pass on this operator, or null. */
    public Instant lastEvaluated(String policy) {
        return last.get(policy);
    }

    /** Forgets the policies that no longer exist. */
    void retain(java.util.Set<String> policies) {
        last.keySet().retainAll(policies);
    }
}
