package dev.prescient.csi.agent;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.prescient.engine.control.Membership;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the node agent keeps about one replica or front-end engine of this node, stored as
 * {@code <run>/<id>.state.json} by {@link NodeState}. Every field is optional; a record with none is deleted.
 * Engine-owned files ({@code .pid}, {@code .members}, {@code .heat}, {@code .log}) are not in it: the engine
 * writes them in its own formats.
 *
 * @param version         format of the record; {@link NodeState} refuses one newer than {@link #CURRENT}
 * @param port            TCP port of the replica's NBD export, kept so its URI survives restarts
 * @param replicationPort TCP port of the engine's replication listener
 * @param metricsPort     TCP port of the engine's Prometheus endpoint (engines started with metrics only)
 * @param frontEnd        the front-end this replica is a member of (agent address + its replica)
 * @param frontEndOnly    the replica was deleted while its engine still serves a switched volume to clients
 * @param filling         what the replica is being filled from; present until the copy is complete
 * @param readSource      the replica this front-end's last SWITCH made the read source (agent empty: this node)
 * @param handOff         members of this stopped front-end on their way to a successor on another node
 * @param handedTo        where this stopped front-end's members went: requests naming it go there
 * @param inherit         members this replica took over from a stopped front-end, not attached to it yet
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"version", "port", "replicationPort", "metricsPort", "frontEnd", "frontEndOnly", "filling",
        "readSource", "handOff", "handedTo", "inherit"})
public record NodeRecord(int version, Integer port, Integer replicationPort, Integer metricsPort, Peer frontEnd,
        Boolean frontEndOnly, String filling, Peer readSource, HandOff handOff, Peer handedTo, List<Member> inherit) {

    public static final int CURRENT = 1;
    public static final NodeRecord EMPTY = new NodeRecord(CURRENT, null, null, null, null, null, null, null, null,
            null, null);

    public NodeRecord {
        inherit = inherit == null || inherit.isEmpty() ? null : List.copyOf(inherit);
        frontEndOnly = Boolean.TRUE.equals(frontEndOnly) ? Boolean.TRUE : null;
    }

    /** A replica on some node: {@code agent} is its node agent's host:port, empty for this node. */
    public record Peer(String replicaId, String agent) {
        public Peer {
            if (replicaId == null || replicaId.isEmpty()) {
                throw new IllegalArgumentException("a peer needs a replica id");
            }
            agent = agent == null ? "" : agent;
        }

        /** As the old records wrote it: {@code <id>} or {@code <id> <agent>}. */
        public String text() {
            return agent.isEmpty() ? replicaId : replicaId + " " + agent;
        }
    }

    /** A member of a replica set: a replica served for replication at {@code endpoint} (host:port). */
    public record Member(String replicaId, String endpoint) {
        public static Member of(Membership.Remote r) {
            return new Member(r.replicaId(), r.endpoint());
        }

        /** Not known to be in sync with the engine it joins: it is compared block by block. */
        public Membership.Remote remote() {
            return new Membership.Remote(replicaId, endpoint, false);
        }
    }

    /** A stopped front-end's members on their way to {@code successor}, served by the agent at {@code agent}. */
    public record HandOff(String successor, String agent, List<Member> members) {
        public HandOff {
            members = List.copyOf(members);
        }
    }

    @JsonIgnore
    public boolean isEmpty() {
        return equals(EMPTY);
    }

    public NodeRecord withPort(Integer v) {
        return new NodeRecord(CURRENT, v, replicationPort, metricsPort, frontEnd, frontEndOnly, filling, readSource,
                handOff, handedTo, inherit);
    }

    public NodeRecord withReplicationPort(Integer v) {
        return new NodeRecord(CURRENT, port, v, metricsPort, frontEnd, frontEndOnly, filling, readSource, handOff,
                handedTo, inherit);
    }

    public NodeRecord withMetricsPort(Integer v) {
        return new NodeRecord(CURRENT, port, replicationPort, v, frontEnd, frontEndOnly, filling, readSource,
                handOff, handedTo, inherit);
    }

    public NodeRecord withFrontEnd(Peer v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, v, frontEndOnly, filling, readSource,
                handOff, handedTo, inherit);
    }

    public NodeRecord withFrontEndOnly(boolean v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, v, filling, readSource, handOff,
                handedTo, inherit);
    }

    public NodeRecord withFilling(String v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, frontEndOnly, v, readSource,
                handOff, handedTo, inherit);
    }

    public NodeRecord withReadSource(Peer v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, frontEndOnly, filling, v,
                handOff, handedTo, inherit);
    }

    public NodeRecord withHandOff(HandOff v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, frontEndOnly, filling,
                readSource, v == null || v.members().isEmpty() ? null : v, handedTo, inherit);
    }

    public NodeRecord withHandedTo(Peer v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, frontEndOnly, filling,
                readSource, handOff, v, inherit);
    }

    public NodeRecord withInherit(List<Member> v) {
        return new NodeRecord(CURRENT, port, replicationPort, metricsPort, frontEnd, frontEndOnly, filling,
                readSource, handOff, handedTo, v);
    }

    /**
     * The fields as one line of text each, named like the files they replaced ({@code port}, {@code frontend}, ...),
     * so {@code csi-cli state} shows a migrated node as it showed the old one.
     */
    public Map<String, String> summaries() {
        Map<String, String> out = new LinkedHashMap<>();
        if (port != null) {
            out.put("port", port.toString());
        }
        if (replicationPort != null) {
            out.put("rport", replicationPort.toString());
        }
        if (metricsPort != null) {
            out.put("metrics-port", metricsPort.toString());
        }
        if (frontEnd != null) {
            out.put("frontend", frontEnd.agent() + " " + frontEnd.replicaId());
        }
        if (frontEndOnly != null) {
            out.put("frontend-only", "");
        }
        if (filling != null) {
            out.put("filling", filling);
        }
        if (readSource != null) {
            out.put("read-source", readSource.text());
        }
        if (handOff != null) {
            out.put("hand-off", "to " + handOff.successor() + " " + handOff.agent() + "; " + members(handOff.members()));
        }
        if (handedTo != null) {
            out.put("handed-to", handedTo.text());
        }
        if (inherit != null) {
            out.put("inherit", members(inherit));
        }
        return out;
    }

    private static String members(List<Member> ms) {
        return String.join("; ", ms.stream().map(m -> "remote " + m.replicaId() + " " + m.endpoint()).toList());
    }
}
