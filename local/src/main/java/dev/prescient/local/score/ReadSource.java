package dev.prescient.local.score;

import java.util.Comparator;
import java.util.List;

/**
 * Which copy serves a volume's reads. The workload stays attached to the volume's front-end; the engine reads from
 * the member chosen by SetReadSource or the last switch-over while it is in sync, else the first in-sync read-write
 * member (ReplicaSet.readSource). When the front-end's agent reports its read source (ListReplicas front_ends), that
 * replica's place is the answer ({@link #resolve(Place, List, List, String)}). Otherwise, inferred: the volume's
 * first replica until a switch-over makes a new one the read source. Switch-overs are what a migration without keepSource does (Migrate,
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
    public record Copy(String node, String tier, boolean healthy, String replicaId) {
        public Copy(String node, String tier, boolean healthy) {
            this(node, tier, healthy, "");
        }
    }

    /** A completed migration: where it went, whether it kept its source, when it completed (scenario seconds). */
    public record Move(String to, boolean keepSource, double completedAt) {
    }

    private ReadSource() {
    }

    /** @param reported the replica the front-end reports reading from (null: not reported; inferred as below) */
    public static Place resolve(Place first, List<Copy> copies, List<Move> completed, String reported) {
        if (reported != null) {
            for (Copy c : copies) {
                if (reported.equals(c.replicaId())) {
                    return new Place(c.node(), c.tier());
                }
            }
        }
        return resolve(first, copies, completed);
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
