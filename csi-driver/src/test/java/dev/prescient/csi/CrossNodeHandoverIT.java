package dev.prescient.csi;

import static dev.prescient.csi.LiveMoveIT.BS;
import static dev.prescient.csi.LiveMoveIT.SIZE;
import static dev.prescient.csi.LiveMoveIT.assertContent;
import static dev.prescient.csi.LiveMoveIT.await;
import static dev.prescient.csi.LiveMoveIT.crc;
import static dev.prescient.csi.LiveMoveIT.replica;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.CreateSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.engine.control.ControlClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A volume with its primary r1 on node x and a second copy r2 on node a (e.g. a mirror). The primary is moved to rB
 * on node b under writes, with the agent calls the operator's MigrationExecutor makes (snapshot on x, transfer and
 * verify on b, switch-over on b, delete r1 and the snapshot on x). Once the client left, r1's engine on x stops; the
 * next consumer writes through rB's engine on b. Every acknowledged write must still reach r2 on node a.
 */
@Timeout(300)
class CrossNodeHandoverIT {
    static final String VOL = "vol-x";
    Path root;
    NodeProcess x;
    NodeProcess a;
    NodeProcess b;

    @AfterEach
    void tearDown() throws Exception {
        for (NodeProcess n : new NodeProcess[] {x, a, b}) {
            if (n != null) {
                n.close();
            }
        }
        if (root != null) {
            HostCleanup.under(root);
            new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
        }
    }

    private static void succeeded(Operation o) {
        assertThat(o.getPhase()).as(o.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
    }

    @Test
    void aPrimaryMovedToAnotherNodeKeepsTheThirdNodesCopyInSync() throws Exception {
        root = Files.createTempDirectory("prescient-xnode-it");
        Path kubelet = root.resolve("kubelet");
        x = new NodeProcess("node-x", root.resolve("x"), kubelet).start();
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        b = new NodeProcess("node-b", root.resolve("b"), kubelet).start();
        String xAddr = "127.0.0.1:" + x.agentPort;

        x.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r1")
                .setVolumeId(VOL).setSizeBytes(SIZE).build());
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        LiveMoveIT.Writer w = new LiveMoveIT.Writer(replica(x, "r1").getNbdEndpoint(), "r1", reference);
        w.awaitMore(300);

        // The volume's other copy on node a joins r1's engine, the front-end.
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("m1").setReplicaId("r2")
                .setVolumeId(VOL).setSourceAddress(xAddr).setSourceReplicaId("r1").build());
        succeeded(await(a.agent(), "m1"));
        w.awaitMore(300);

        // The migration x -> b, step by step as MigrationExecutor drives it.
        x.agent().createSnapshot(CreateSnapshotRequest.newBuilder().setOperationId("mig-snap").setSnapshotId("mig-snap")
                .setReplicaId("r1").build());
        b.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("mig-transfer")
                .setReplicaId("rB").setVolumeId(VOL).setTier("default").setSourceAddress(xAddr)
                .setSourceReplicaId("r1").build());
        succeeded(await(b.agent(), "mig-transfer"));
        w.awaitMore(300);
        b.agent().scrub(ScrubRequest.newBuilder().setOperationId("mig-verify").setReplicaId("rB")
                .setPeerAddress(xAddr).setPeerReplicaId("r1").build());
        succeeded(await(b.agent(), "mig-verify"));
        // A malformed agent address is refused before anything is switched (it would be kept in a one-line record).
        for (String bad : new String[] {"node-b 9601", "node-b", ":9601", "node-b:0", "node-b:http"}) {
            assertThatThrownBy(() -> b.agent().switchOver(switchRequest().toBuilder().setOperationId("bad")
                    .setNewReplicaAddress(bad).build())).as(bad).isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        b.agent().switchOver(switchRequest());
        succeeded(await(b.agent(), "mig-switch"));
        w.awaitMore(300);
        x.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("mig-drop").setReplicaId("r1").build());
        x.agent().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setOperationId("mig-unsnap")
                .setSnapshotId("mig-snap").build());
        w.awaitMore(300);
        w.finish();

        // The client left (the pod moved): r1's engine on x is stopped.
        LiveMoveIT.awaitEngineStopped(root.resolve("x/state/run/engine"), "r1");
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);

        // The next consumer attaches to rB on node b and writes.
        String uriB = replica(b, "rB").getNbdEndpoint();
        LiveMoveIT.Writer w2 = new LiveMoveIT.Writer(uriB, "rB", reference);
        w2.awaitMore(500);
        List<String> status = LiveMoveIT.awaitMember(root.resolve("b/state/run/engine/rB.ctl"), "r2", 30);
        w2.awaitMore(500);
        w2.finish();

        // Every acknowledged write - before, during and after the move - is in r2 on node a.
        assertContent(uriB, "rB", reference);
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);
        assertThat(status).as("rB's engine holds r2").anyMatch(l -> l.startsWith("MEMBER id=r2 ") && l.contains(" mode=RW "));
        b.agent().scrub(ScrubRequest.newBuilder().setOperationId("s1").setReplicaId("rB").setPeerReplicaId("r2").build());
        Operation s1 = await(b.agent(), "s1");
        succeeded(s1);
        assertThat(s1.getMismatchesRepaired()).isZero();

        // Node a's records still name r1 on x, the front-end r2 joined. A copy made there from r2 must join rB's
        // engine (the volume's front-end now), and deleting r2 must take r2 out of that set.
        String aAddr = "127.0.0.1:" + a.agentPort;
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("m2").setReplicaId("r4")
                .setVolumeId(VOL).setSourceAddress(aAddr).setSourceReplicaId("r2").build());
        succeeded(await(a.agent(), "m2"));
        a.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d2").setReplicaId("r2").build());
        status.clear();
        ControlClient.call(root.resolve("b/state/run/engine/rB.ctl"), "STATUS", status::add);
        assertThat(status).as("rB's engine: r4 joined, r2 left").anyMatch(l -> l.startsWith("MEMBER id=r4 ")
                && l.contains(" mode=RW ")).noneMatch(l -> l.startsWith("MEMBER id=r2 "));
        LiveMoveIT.Writer w3 = new LiveMoveIT.Writer(uriB, "rB", reference);
        w3.awaitMore(300);
        w3.finish();
        assertContent(replica(a, "r4").getNbdEndpoint(), "r4", reference);
    }

    private SwitchOverRequest switchRequest() {
        return SwitchOverRequest.newBuilder().setOperationId("mig-switch").setVolumeId(VOL).setNewReplicaId("rB")
                .setOldReplicaId("r1").setNewReplicaAddress("127.0.0.1:" + b.agentPort).setMaxPauseMillis(2000).build();
    }
}
