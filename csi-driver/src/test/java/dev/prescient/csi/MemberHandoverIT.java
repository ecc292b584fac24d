package dev.prescient.csi;

import static dev.prescient.csi.LiveMoveIT.BS;
import static dev.prescient.csi.LiveMoveIT.SIZE;
import static dev.prescient.csi.LiveMoveIT.assertContent;
import static dev.prescient.csi.LiveMoveIT.await;
import static dev.prescient.csi.LiveMoveIT.crc;
import static dev.prescient.csi.LiveMoveIT.replica;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.csi.agent.NodeRecord;
import dev.prescient.csi.agent.NodeState;
import csi.v1.Csi;
import dev.prescient.csi.controller.ControllerService;
import dev.prescient.engine.control.ControlClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A volume with its primary r1 on node x (tier ssd) and a second copy r2 on node a, attached the way the operator
 * does it (AddReplicaFromSource on a, which has x's front-end attach r2). A tier move on x (r1 ssd -> r3 hdd) under
 * writes switches the volume to r3 and deletes r1; once the client left, r1's engine is stopped. Every write
 * acknowledged afterwards through r3 must still reach r2: r2 is the volume's other copy.
 */
@Timeout(300)
class MemberHandoverIT {
    Path root;
    NodeProcess x;
    NodeProcess a;

    @AfterEach
    void tearDown() throws Exception {
        for (NodeProcess n : new NodeProcess[] {x, a}) {
            if (n != null) {
                n.close();
            }
        }
        if (root != null) {
            HostCleanup.under(root);
            new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
        }
    }

    static final String VOL = "vol-m";
    String xAddr;
    long[] reference;

    /** Node x (ssd, hdd) with r1 on ssd, written to by the returned writer; node a with r2, a member of r1's set. */
    private LiveMoveIT.Writer primaryWithACopyOnAnotherNode() throws Exception {
        root = Files.createTempDirectory("prescient-members-it");
        x = new NodeProcess("node-x", root.resolve("x"), root.resolve("kubelet"));
        x.tiers = "ssd=" + root.resolve("x/ssd") + ",hdd=" + root.resolve("x/hdd");
        x.start();
        a = new NodeProcess("node-a", root.resolve("a"), root.resolve("kubelet")).start();
        xAddr = "127.0.0.1:" + x.agentPort;
        x.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r1")
                .setVolumeId(VOL).setTier("ssd").setSizeBytes(SIZE).build());
        uri1 = replica(x, "r1").getNbdEndpoint();
        reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        LiveMoveIT.Writer w = new LiveMoveIT.Writer(uri1, "r1", reference);
        w.awaitMore(300);

        // The other node's copy, e.g. an evacuation copy: joins r1's engine, the volume's front-end.
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("m1").setReplicaId("r2")
                .setVolumeId(VOL).setSourceAddress(xAddr).setSourceReplicaId("r1").build());
        assertThat(await(a.agent(), "m1").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        w.awaitMore(300);
        return w;
    }

    /** The tier move on x: copy r1 to r3 on hdd, switch to r3. */
    private void retier() throws Exception {
        x.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("t1").setReplicaId("r3")
                .setVolumeId(VOL).setTier("hdd").setSourceAddress(xAddr).setSourceReplicaId("r1").build());
        Operation t1 = await(x.agent(), "t1");
        assertThat(t1.getPhase()).as(t1.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        x.agent().switchOver(SwitchOverRequest.newBuilder().setOperationId("sw1").setVolumeId(VOL)
                .setNewReplicaId("r3").setOldReplicaId("r1").build());
        Operation sw = await(x.agent(), "sw1");
        assertThat(sw.getPhase()).as(sw.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
    }

    /** Polls r3's engine until {@code member} is an in-sync member (at most a minute); returns its last STATUS. */
    private List<String> awaitMemberOfR3(String member) throws Exception {
        return LiveMoveIT.awaitMember(root.resolve("x/state/run/engine/r3.ctl"), member, 60);
    }

    @Test
    void aRetierWithNoClientConnectedHandsTheCopyToTheNewPrimary() throws Exception {
        primaryWithACopyOnAnotherNode().finish();
        retier();
        // No client: r1's engine is stopped with the deletion.
        x.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d1").setReplicaId("r1").build());
        assertThat(root.resolve("x/state/run/engine/r1.pid")).doesNotExist();
        String uri3 = replica(x, "r3").getNbdEndpoint();
        LiveMoveIT.Writer w2 = new LiveMoveIT.Writer(uri3, "r3", reference);
        w2.awaitMore(300);
        List<String> status = awaitMemberOfR3("r2");
        w2.awaitMore(300);
        w2.finish();
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);
        assertThat(status).as("r3's engine holds r2").anyMatch(l -> l.startsWith("MEMBER id=r2 ") && l.contains(" mode=RW "));

        // A pod starting on x now is staged with the volume attachment's context, which still names r1 and its
        // stopped engine (as on a real cluster after a retier): the node stages r3, the volume's replica now.
        stageWithThePublishedContextReadsTheVolume(uri1, "r1");

        // The volume goes from x: no record of it is left, the redirect from r1 to r3 included.
        assertThat(NodeState.read(root.resolve("x/state/run/engine/r1" + NodeState.SUFFIX)).map(NodeRecord::handedTo))
                .as("r1 handed over to r3").contains(new NodeRecord.Peer("r3", ""));
        x.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d3").setReplicaId("r3").build());
        try (var files = Files.list(root.resolve("x/state/run/engine"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("records of the deleted volume on x")
                    .noneMatch(n -> n.startsWith("r1.") || n.startsWith("r3."));
        }
    }

    String uri1;

    /** Stages and publishes the volume as a raw block device with a publish context naming {@code replica}, compares every block, cleans up. */
    private void stageWithThePublishedContextReadsTheVolume(String uri, String replica) throws Exception {
        var blockCap = Csi.VolumeCapability.newBuilder().setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
        var st = Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(VOL).setVolumeCapability(blockCap)
                .setStagingTargetPath(root.resolve("kubelet/plugins/kubernetes.io/csi/csi.prescient.dev/" + VOL + "/globalmount").toString())
                .putPublishContext(ControllerService.CTX_NBD_URI, uri).putPublishContext(ControllerService.CTX_REPLICA_ID, replica)
                .build();
        x.node().nodeStageVolume(st);
        String target = root.resolve("kubelet/pods/p1/volumeDevices/" + VOL).toString();
        x.node().nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(VOL)
                .setStagingTargetPath(st.getStagingTargetPath()).setTargetPath(target).setVolumeCapability(blockCap).build());
        try (FileChannel ch = FileChannel.open(Path.of(target), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(BS);
            for (int i = 0; i < reference.length; i++) {
                b.clear();
                while (b.hasRemaining() && ch.read(b, (long) i * BS + b.position()) > 0) {
                    // fill the block
                }
                b.flip();
                assertThat(crc(b)).as("block %d through the staged device", i).isEqualTo(reference[i]);
            }
        } finally {
            x.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId(VOL).setTargetPath(target).build());
            x.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(VOL)
                    .setStagingTargetPath(st.getStagingTargetPath()).build());
        }
    }

    @Test
    void aRetieredPrimaryKeepsTheOtherNodesCopyInSync() throws Exception {
        LiveMoveIT.Writer w = primaryWithACopyOnAnotherNode();
        String vol = VOL;

        // The tier move on x, under writes: copy, switch, delete the source.
        retier();
        w.awaitMore(300);
        x.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d1").setReplicaId("r1").build());
        w.awaitMore(300);
        w.finish();

        // The client left: r1's engine is stopped.
        Path engines = root.resolve("x/state/run/engine");
        LiveMoveIT.awaitEngineStopped(engines, "r1");
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);

        // The next consumer attaches to r3 (the node's replica of the volume now) and writes.
        String uri3 = replica(x, "r3").getNbdEndpoint();
        LiveMoveIT.Writer w2 = new LiveMoveIT.Writer(uri3, "r3", reference);
        w2.awaitMore(500);
        // r3's engine takes r2 into its set (soft wait: the content check below is the verdict).
        List<String> status = awaitMemberOfR3("r2");
        w2.awaitMore(500);
        w2.finish();

        // Every acknowledged write - before, during and after the tier move - is in r2 on node a.
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);
        assertContent(uri3, "r3", reference);
        assertThat(status).as("r3's engine holds r2").anyMatch(l -> l.startsWith("MEMBER id=r2 ") && l.contains(" mode=RW "));
        // And the two copies are one volume to a scrub on x.
        x.agent().scrub(ScrubRequest.newBuilder().setOperationId("s1").setReplicaId("r3").setPeerReplicaId("r2").build());
        Operation s1 = await(x.agent(), "s1");
        assertThat(s1.getPhase()).as(s1.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(s1.getMismatchesRepaired()).isZero();

        // Node a's records still name r1, the front-end r2 joined. A copy made there from r2 must join the volume's
        // front-end (r3's engine now), not r2's engine; deleting r2 must take it out of that set.
        String aAddr = "127.0.0.1:" + a.agentPort;
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("m2").setReplicaId("r4")
                .setVolumeId(vol).setSourceAddress(aAddr).setSourceReplicaId("r2").build());
        Operation m2 = await(a.agent(), "m2");
        assertThat(m2.getPhase()).as(m2.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        a.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d2").setReplicaId("r2").build());
        status.clear();
        ControlClient.call(engines.resolve("r3.ctl"), "STATUS", status::add);
        assertThat(status).as("r3's engine: r4 joined, r2 left").anyMatch(l -> l.startsWith("MEMBER id=r4 ")
                && l.contains(" mode=RW ")).noneMatch(l -> l.startsWith("MEMBER id=r2 "));
        LiveMoveIT.Writer w3 = new LiveMoveIT.Writer(uri3, "r3", reference);
        w3.awaitMore(300);
        w3.finish();
        assertContent(replica(a, "r4").getNbdEndpoint(), "r4", reference);
    }
}
