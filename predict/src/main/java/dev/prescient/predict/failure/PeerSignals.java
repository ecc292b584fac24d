package dev.prescient.predict.failure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest value of one health signal for each member of a peer group (the same tier on every node), so that a
 * device can be judged against its peers at the same moment as well as against its own past. When a tier slows
 * down on every node at once the cause is shared (load, the network, one disk under all of them), not a failing
 * device; when one device slows down while its peers do not, it is that device.
 */
public final class PeerSignals {

    private record Sample(double value, long atMs) {
    }

    private final long freshMs;
    private final Map<String, Map<String, Sample>> groups = new HashMap<>();

    /** @param freshMs how old a peer's value may be and still count as "the same moment" */
    public PeerSignals(long freshMs) {
        if (freshMs <= 0) {
            throw new IllegalArgumentException("freshMs must be > 0, got " + freshMs);
        }
        this.freshMs = freshMs;
    }

    /** Records {@code member}'s latest value in {@code group}; NaN or non-positive values (no I/O) are ignored. */
    public synchronized void report(String group, String member, double value, long nowMs) {
        if (Double.isNaN(value) || value <= 0) {
            return;
        }
        groups.computeIfAbsent(group, g -> new HashMap<>()).put(member, new Sample(value, nowMs));
    }

    /**
     * The median of the other members' values reported in the last {@code freshMs} before {@code nowMs}; NaN when
     * no other member reported in that time.
     */
    public synchronized double peerMedian(String group, String member, long nowMs) {
        Map<String, Sample> g = groups.get(group);
        if (g == null) {
            return Double.NaN;
        }
        List<Double> values = new ArrayList<>();
        g.forEach((m, s) -> {
            if (!m.equals(member) && s.atMs() <= nowMs && nowMs - s.atMs() <= freshMs) {
                values.add(s.value());
            }
        });
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return HealthSignalTracker.median(v);
    }
}
