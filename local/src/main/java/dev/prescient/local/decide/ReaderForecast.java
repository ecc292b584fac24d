package dev.prescient.local.decide;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which node will read a volume at a time of day: counts of observed readers per time-of-day bin (the daily
 * profile of the affinity score), so that after one observed day the next move is known before it happens.
 */
public final class ReaderForecast {
    private final int bins;
    private final Map<Integer, Map<String, Integer>> counts = new HashMap<>();

    public ReaderForecast(int bins) {
        this.bins = bins;
    }

    int bin(double timeOfDay) {
        return Math.min(bins - 1, (int) Math.floor(timeOfDay * bins));
    }

    public void observe(double timeOfDay, String node) {
        counts.computeIfAbsent(bin(timeOfDay), b -> new HashMap<>()).merge(node, 1, Integer::sum);
    }

    /** The most frequent reader at that time of day with its share of observations, if any were made. */
    public Optional<Prediction> predict(double timeOfDay) {
        Map<String, Integer> c = counts.get(bin(timeOfDay - Math.floor(timeOfDay)));
        if (c == null || c.isEmpty()) {
            return Optional.empty();
        }
        int total = c.values().stream().mapToInt(Integer::intValue).sum();
        var best = c.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        return Optional.of(new Prediction(best.getKey(), best.getValue() / (double) total, total));
    }

    /** A predicted reader with the share of observations that back it. */
    public record Prediction(String node, double confidence, int observations) {
    }
}
