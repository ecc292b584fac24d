package dev.prescient.local.score;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flapping, counted: a move of a volume's primary that undoes the volume's previous primary move within a window
 * (local mode: one simulated day, the cycle the planner's hysteresis is built on). It undoes it when it goes back to
 * the node and tier the previous move left, or when the previous move changed the tier and this one changes it the
 * other way (a demotion followed by any promotion, on any node). Copies that keep their source (pre-staging,
 * evacuation, mirrors) are not moves of the primary and are left out by the caller.
 */
public final class Reversals {

    /** One primary move: locations are "node/tier"; {@code at} in scenario seconds (when it was decided). */
    public record Move(String volume, String from, String to, double at) {
    }

    public record Reversal(Move first, Move back) {
        public String describe() {
            return String.format(java.util.Locale.ROOT, "%s: %s -> %s at %.1fs, back %s -> %s at %.1fs",
                    first.volume(), first.from(), first.to(), first.at(), back.from(), back.to(), back.at());
        }
    }

    private Reversals() {
    }

    /** @param rank tier name to rank (0 = fastest); a tier it does not name counts only for exact returns */
    public static List<Reversal> of(List<Move> moves, double windowSeconds, Map<String, Integer> rank) {
        Map<String, List<Move>> byVolume = new HashMap<>();
        for (Move m : moves) {
            byVolume.computeIfAbsent(m.volume(), k -> new ArrayList<>()).add(m);
        }
        List<Reversal> out = new ArrayList<>();
        for (List<Move> ms : byVolume.values()) {
            ms.sort(Comparator.comparingDouble(Move::at));
            for (int i = 1; i < ms.size(); i++) {
                Move prev = ms.get(i - 1);
                Move next = ms.get(i);
                if (next.at() - prev.at() <= windowSeconds && undoes(prev, next, rank)) {
                    out.add(new Reversal(prev, next));
                }
            }
        }
        out.sort(Comparator.comparingDouble(r -> r.back().at()));
        return out;
    }

    static boolean undoes(Move prev, Move next, Map<String, Integer> rank) {
        if (next.to().equals(prev.from())) {
            return true;
        }
        Integer a = rank.get(tier(prev.from()));
        Integer b = rank.get(tier(prev.to()));
        Integer c = rank.get(tier(next.from()));
        Integer d = rank.get(tier(next.to()));
        if (a == null || b == null || c == null || d == null || a.equals(b) || c.equals(d)) {
            return false;
        }
        return Integer.signum(b - a) != Integer.signum(d - c);
    }

    static String tier(String location) {
        int slash = location.indexOf('/');
        return slash < 0 ? "" : location.substring(slash + 1);
    }
}
