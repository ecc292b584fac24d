package dev.prescient.local.score;

import java.util.Comparator;
import java.util.List;

/**
 * Which copy serves a volume's reads. The workload stays attached to the volume's front-end; the engine reads from
 * the first in-sync read-write member of the replica set (ReplicaSet.readSource): the volume's first replica until
 * a switch-over makes a new one the read source. Switch-overs are what a migration without keepSource does (Migrate,
 * Retier, PreMirror); an added copy (PreStage, AddMirror, Evacuate: keepSource) joins the set without serving reads.
 * So: the one healthy copy when there is one; otherwise the target of the last completed switching migration, or the
 * volume's first replica.
 */
public final class ReadSource {

    /** A node and tier. */
    public record Place(String node, String tier) {
        /** "node/tier" as VolumeMigrations name their ends. */
        public static Place parse(String s) {
            int i = s.indexOf('/');
            return i < 0 ? new Place(s, "") : new Place(s.substring(0, i), s.substring(i + 1));
        }
    }

    /** A replica as the agents list it. */
    public record Copy(String node, String tier, boolean healthy) {
    }

    /** A completed migration: where it went, whether it kept its source, when it completed (scenario seconds). */
    public record Move(String to, boolean keepSource, double completedAt) {
    }

    private ReadSource() {
    }

    public static Place resolve(Place first, List<Copy> copies, List<Move> completed) {
        List<Copy> healthy = copies.stream().filter(Copy::healthy).toList();
        if (healthy.size() == 1) {
            return new Place(healthy.get(0).node(), healthy.get(0).tier());
        }
        Place p = first;
        for (Move m : completed.stream().sorted(Comparator.comparingDouble(Move::completedAt)).toList()) {
            if (!m.keepSource()) {
                p = Place.parse(m.to());
            }
        }
        return p;
    }
}
