package dev.prescient.local.score;

import java.util.ArrayList;
import java.util.List;

/**
 * Lead time of each move against the access change it served: positive = the copy was in place before the change,
 * negative = late. A move towards a reader (Migrate, PreStage, AddMirror) served the reader's arrival on its target
 * node nearest in time (within {@code window}; a move with none is counted as unmatched). An evacuation served the
 * disk's failure ({@code failureAt}, scenario seconds; none in a scenario without a failing disk). Tier moves serve
 * heat, not a change of place, and are left out.
 */
public final class LeadTimes {

    /** A completed move: which volume, what kind (the VolumeMigration's action label), to which node, when. */
    public record Move(String volume, String action, String toNode, double completedAt) {
    }

    /** The reader of a volume moved to a node at a time (scenario seconds). */
    public record Change(String volume, String toNode, double at) {
    }

    /** Lead times in seconds, and how many moves had no access change to serve. */
    public record Result(List<Double> leads, int unmatched) {
        public double median() {
            if (leads.isEmpty()) {
                return Double.NaN;
            }
            List<Double> s = leads.stream().sorted().toList();
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        public double min() {
            return leads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }
    }

    private LeadTimes() {
    }

    public static Result of(List<Move> moves, List<Change> changes, Double failureAt, double window) {
        List<Double> leads = new ArrayList<>();
        int unmatched = 0;
        for (Move m : moves) {
            switch (m.action()) {
                case "Evacuate" -> {
                    if (failureAt == null) {
                        unmatched++;
                    } else {
                        leads.add(failureAt - m.completedAt());
                    }
                }
                case "Migrate", "PreStage", "AddMirror" -> {
                    Double best = null;
                    for (Change c : changes) {
                        if (!c.volume().equals(m.volume()) || !c.toNode().equals(m.toNode())) {
                            continue;
                        }
                        double lead = c.at() - m.completedAt();
                        if (Math.abs(lead) <= window && (best == null || Math.abs(lead) < Math.abs(best))) {
                            best = lead;
                        }
                    }
                    if (best == null) {
                        unmatched++;
                    } else {
                        leads.add(best);
                    }
                }
                default -> {
                    // Retier, PreMirror: heat and room, not a change of place.
                }
            }
        }
        return new Result(List.copyOf(leads), unmatched);
    }
}
