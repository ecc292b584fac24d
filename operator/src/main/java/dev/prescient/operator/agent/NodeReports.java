package dev.prescient.operator.agent;

import dev.prescient.api.nodeagent.v1.NodeHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest health report of every node agent, from whoever asked last. The planner asks every agent each pass;
 * the StorageNode reconciler (node health, every node interval) takes the report from here when it is fresh enough
 * and asks the agent itself only otherwise (planner off, or its passes further apart than the node interval), so
 * one sweep serves both instead of each asking every agent.
 */
public final class NodeReports {

    public record Report(NodeHealth health, Instant at) {
    }

    private final Map<String, Report> latest = new ConcurrentHashMap<>();

    /** Keeps the report unless a newer one of that node is already here. */
    public void publish(String node, NodeHealth health, Instant at) {
        latest.merge(node, new Report(health, at), (old, now) -> now.at().isBefore(old.at()) ? old : now);
    }

    /** The node's report if it is younger than {@code maxAge} at {@code now}; null otherwise. */
    public NodeHealth fresh(String node, Duration maxAge, Instant now) {
        Report r = latest.get(node);
        return r != null && now.isBefore(r.at().plus(maxAge)) ? r.health() : null;
    }
}
