package dev.prescient.operator.status;

import dev.prescient.api.v1alpha1.common.Condition;
import dev.prescient.api.v1alpha1.common.ConditionStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the conditions computed in one reconcile into the previous ones, Kubernetes style: lastTransitionTime
 * moves only when the status flips, observedGeneration is always the generation just reconciled. Conditions
 * not set in this round are kept as they were, so a partial reconcile does not erase what it did not look at.
 */
public final class Conditions {

    private final Map<String, Condition> byType = new LinkedHashMap<>();
    private final long generation;
    private final Instant now;

    public Conditions(List<Condition> previous, long generation, Instant now) {
        if (previous != null) {
            for (Condition c : previous) {
                byType.put(c.getType(), copy(c));
            }
        }
        this.generation = generation;
        this.now = now.truncatedTo(ChronoUnit.SECONDS);
    }

    public Conditions set(String type, boolean status, String reason, String message) {
        return set(type, status ? ConditionStatus.True : ConditionStatus.False, reason, message);
    }

    public Conditions set(String type, ConditionStatus status, String reason, String message) {
        Condition old = byType.get(type);
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(generation);
        c.setLastTransitionTime(old != null && old.getStatus() == status && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now.toString());
        byType.put(type, c);
        return this;
    }

    public Condition get(String type) {
        return byType.get(type);
    }

    public List<Condition> toList() {
        return new ArrayList<>(byType.values());
    }

    private static Condition copy(Condition c) {
        Condition n = new Condition();
        n.setType(c.getType());
        n.setStatus(c.getStatus());
        n.setReason(c.getReason());
        n.setMessage(c.getMessage());
        n.setLastTransitionTime(c.getLastTransitionTime());
        n.setObservedGeneration(c.getObservedGeneration());
        return n;
    }
}
