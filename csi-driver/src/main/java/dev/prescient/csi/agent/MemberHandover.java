package dev.prescient.csi.agent;

import dev.prescient.engine.control.Membership;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a stopping front-end engine leaves to its successor. After a move on this node switched a volume away from
 * the front-end's own replica, the front-end keeps serving connected clients through its set: the new replica (the
 * read source, with an engine of its own here) and the volume's other members, e.g. a copy on another node. Once
 * that engine stops, the next consumer attaches to the new replica's own engine, whose set holds only its replica:
 * the other members must join that set, or writes from then on silently miss them.
 *
 * <p>The hand-over is persisted in the successor's {@link NodeRecord#inherit()} and worked off by the agent
 * ({@link HandOver}) until every member is attached and caught up there.
 *
 * <p>When the read source is on another node (a move to another node: the switch named that node's agent, {@code
 * agent}), the stopping front-end's agent sends those members there (AttachMember to the successor), recorded in
 * the front-end's {@link NodeRecord#handOff()} until that agent has them attached and caught up ({@link HandOff}).
 *
 * <p>The text formats below ({@link #format}, {@link #formatHandOff}, {@link ReadSource#format}) are those of the
 * per-kind files agents kept before {@link NodeState}; {@link OldRunFiles} parses them when it migrates a node.
 *
 * @param agent the successor's agent address when it is on another node; empty: this node
 */
public record MemberHandover(String successor, String agent, List<Membership.Remote> members) {

    public MemberHandover {
        members = List.copyOf(members);
    }

    public MemberHandover(String successor, List<Membership.Remote> members) {
        this(successor, "", members);
    }

    /** The replica a front-end's last SWITCH made the read source, and its node's agent when that is another node. */
    public record ReadSource(String replicaId, String agent) {

        /** The {@code .read-source} record: {@code <id>} or {@code <id> <agent host:port>}. */
        public String format() {
            return replicaId + (agent.isEmpty() ? "" : " " + agent) + "\n";
        }

        public static ReadSource parse(String text) throws IOException {
            String[] t = text.strip().split(" +");
            if (t[0].isEmpty() || t.length > 2 || t.length == 2 && t[1].lastIndexOf(':') < 1) {
                throw new IOException("malformed read-source record: " + text.strip());
            }
            return new ReadSource(t[0], t.length == 2 ? t[1] : "");
        }
    }

    /**
     * The hand-over of a stopped front-end's set.
     *
     * @param m            its persisted membership (null: none)
     * @param readSource   the replica its last SWITCH made the read source, if the agent recorded it
     * @param servedHere   whether a replica is stored on this node (so its own engine can take the members)
     * @return empty when there is nothing to hand over: the engine still had its own replica (it was the volume's
     *         front-end proper, not a switched one), or its read source is not a replica of this node
     */
    public static Optional<MemberHandover> plan(Membership m, Optional<String> readSource, Predicate<String> servedHere) {
        return planFrom(m, readSource.map(r -> new ReadSource(r, "")), servedHere);
    }

    /**
     * As {@link #plan(Membership, Optional, Predicate)} with the whole {@code .read-source} record: a read source on
     * another node whose agent the switch named gets the members there ({@link #agent()} set); one not stored here
     * with no agent named is not handed to.
     */
    public static Optional<MemberHandover> planFrom(Membership m, Optional<ReadSource> source,
                                                    Predicate<String> servedHere) {
        if (m == null || !m.localDropped()) {
            return Optional.empty();
        }
        Optional<String> readSource = source.map(ReadSource::replicaId);
        if (source.isPresent() && !servedHere.test(source.get().replicaId()) && !source.get().agent().isEmpty()) {
            String successor = source.get().replicaId();
            if (m.remotes().stream().noneMatch(r -> r.replicaId().equals(successor))) {
                return Optional.empty();
            }
            List<Membership.Remote> rest = m.remotes().stream().filter(r -> !r.replicaId().equals(successor)).toList();
            return rest.isEmpty() ? Optional.empty() : Optional.of(new MemberHandover(successor, source.get().agent(),
                    rest));
        }
        String successor;
        if (readSource.isPresent()) {
            successor = readSource.get();
        } else {
            // Recorded by agents from this change on; before, the one in-sync member on this node is the read source.
            List<String> local = m.remotes().stream().filter(r -> r.inSync() && servedHere.test(r.replicaId()))
                    .map(Membership.Remote::replicaId).toList();
            if (local.size() != 1) {
                return Optional.empty();
            }
            successor = local.get(0);
        }
        if (!servedHere.test(successor) || m.remotes().stream().noneMatch(r -> r.replicaId().equals(successor))) {
            return Optional.empty();
        }
        List<Membership.Remote> rest = m.remotes().stream().filter(r -> !r.replicaId().equals(successor)).toList();
        return rest.isEmpty() ? Optional.empty() : Optional.of(new MemberHandover(successor, rest));
    }

    /** The members as the {@code .inherit} file's text. */
    public static String format(List<Membership.Remote> members) {
        StringBuilder b = new StringBuilder();
        for (Membership.Remote r : members) {
            b.append("remote ").append(r.replicaId()).append(' ').append(r.endpoint()).append('\n');
        }
        return b.toString();
    }

    /** A hand-over to another node's agent as the {@code .hand-off} record's text: {@code to <successor> <agent>}, members. */
    public static String formatHandOff(MemberHandover h) {
        if (h.agent().isEmpty()) {
            throw new IllegalArgumentException("hand-over to " + h.successor() + " is on this node");
        }
        return "to " + h.successor() + " " + h.agent() + "\n" + format(h.members());
    }

    /** Parses a {@code .hand-off} record (see {@link #formatHandOff}). */
    public static MemberHandover parseHandOff(String text) throws IOException {
        int nl = text.indexOf('\n');
        String[] head = (nl < 0 ? text : text.substring(0, nl)).strip().split(" +");
        if (head.length != 3 || !head[0].equals("to") || head[2].lastIndexOf(':') < 1) {
            throw new IOException("malformed member hand-off header: " + (nl < 0 ? text : text.substring(0, nl)));
        }
        return new MemberHandover(head[1], head[2], parse(nl < 0 ? "" : text.substring(nl + 1)));
    }

    /** Parses an {@code .inherit} file's text; the members are not known to be in sync with the successor. */
    public static List<Membership.Remote> parse(String text) throws IOException {
        List<Membership.Remote> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] t = line.strip().split(" +");
            if (t[0].isEmpty()) {
                continue;
            }
            if (t.length != 3 || !t[0].equals("remote") || t[2].lastIndexOf(':') < 1) {
                throw new IOException("malformed member hand-over line: " + line);
            }
            out.add(new Membership.Remote(t[1], t[2], false));
        }
        return out;
    }
}
