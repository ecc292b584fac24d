package dev.prescient.operator.agent;

import dev.prescient.testkit.FakeNodeAgent;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster of {@link FakeNodeAgent}s (the project's one fake node agent) that really hold bytes, for tests and the scale benchmark. It also plays
 * the consumer-side engine: it knows which replica of each volume is the active (authoritative) one, so a test
 * can tell whether a switch happened and read the volume's data back.
 */
public final class InMemoryNodeAgents implements NodeAgents {

    private final Map<String, InMemoryNodeAgent> byNode = new ConcurrentHashMap<>();
    private final Map<String, String> activeReplica = new ConcurrentHashMap<>();

    public InMemoryNodeAgent add(String node, String zone, Map<String, Long> tierCapacity) {
        FakeNodeAgent fake = new FakeNodeAgent(node, zone).tiers(new TreeMap<>(tierCapacity))
                .joinCluster(address -> {
                    InMemoryNodeAgent a = byAddress(address);
                    return a == null ? null : a.fake();
                }, this::setActiveReplica);
        InMemoryNodeAgent a = new InMemoryNodeAgent(fake);
        byNode.put(node, a);
        return a;
    }

    public InMemoryNodeAgent agent(String node) {
        return byNode.get(node);
    }

    public Map<String, InMemoryNodeAgent> all() {
        return byNode;
    }

    @Override
    public NodeAgentClient forNode(String node) {
        InMemoryNodeAgent a = byNode.get(node);
        if (a == null) {
            throw new NodeAgentException(NodeAgentException.Reason.Unavailable, node, "no agent registered");
        }
        return a;
    }

    @Override
    public String replicationAddress(String node) {
        return node + ":9601";
    }

    InMemoryNodeAgent byAddress(String address) {
        int colon = address.lastIndexOf(':');
        return byNode.get(colon < 0 ? address : address.substring(0, colon));
    }

    /** The replica currently serving the volume's I/O, or null. */
    public String activeReplica(String volume) {
        return activeReplica.get(volume);
    }

    public void setActiveReplica(String volume, String replicaId) {
        activeReplica.put(volume, replicaId);
    }

    /** The bytes of the volume as its consumer sees them: those of the active replica, wherever it is. */
    public byte[] readVolume(String volume) {
        String id = activeReplica.get(volume);
        if (id == null) {
            return null;
        }
        for (InMemoryNodeAgent a : byNode.values()) {
            byte[] d = a.replicaData(id);
            if (d != null) {
                return d;
            }
        }
        return null;
    }
}
