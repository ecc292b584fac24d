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
import dev.prescient.api.nodeagent.v1.FrontEndReads;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.SetReadSourceRequest;
import dev.prescient.api.nodeagent.v1.SetReadSourceResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SetReadSource on two node agents: r1 on node x is the front-end a client writes through, r2 on node a is a kept
 * copy (a pre-staged replica). Asked on node a, the call goes to x's front-end; r2 then serves the reads while r1
 * stays a member and keeps taking writes; bad requests get their status codes; ListReplicas reports the front-end's
 * read source.
 */
@Timeout(300)
class ReadSourceIT {
    static final String VOL = "vol-rs";
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

    private static SetReadSourceRequest read(String op, String volume, String replica) {
        return SetReadSourceRequest.newBuilder().setOperationId(op).setVolumeId(volume).setReplicaId(replica).build();
    }

    private static void assertCode(Runnable call, Status.Code code, String reason) {
        assertThatThrownBy(call::run).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> {
                    Status s = ((StatusRuntimeException) e).getStatus();
                    assertThat(s.getCode()).as(s.toString()).isEqualTo(code);
                    if (reason != null) {
                        assertThat(s.getDescription()).contains(reason);
                    }
                });
    }

    /** Waits until {@code member} is in the engine's set and still catching up (WO). */
    static void awaitCatchingUp(Path ctl, String member) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            java.util.List<String> status = new java.util.ArrayList<>();
            dev.prescient.engine.control.ControlClient.call(ctl, "STATUS", status::add);
            if (status.stream().anyMatch(l -> l.startsWith("MEMBER id=" + member + " ") && l.contains(" mode=WO "))) {
                return;
            }
            assertThat(System.nanoTime()).as("%s catching up: %s", member, status).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void aKeptCopyServesTheReadsWhileEveryReplicaKeepsTakingWrites() throws Exception {
        root = Files.createTempDirectory("prescient-readsource-it");
        Path kubelet = root.resolve("kubelet");
        x = new NodeProcess("node-x", root.resolve("x"), kubelet).start();
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        String xAddr = "127.0.0.1:" + x.agentPort;
        x.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r1")
                .setVolumeId(VOL).setSizeBytes(SIZE).build());
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        String uri = replica(x, "r1").getNbdEndpoint();
        LiveMoveIT.Writer w = new LiveMoveIT.Writer(uri, "r1", reference);
        w.awaitMore(300);

        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("pre").setReplicaId("r2")
                .setVolumeId(VOL).setSourceAddress(xAddr).setSourceReplicaId("r1").build());
        assertThat(await(a.agent(), "pre").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        w.awaitMore(300);

        // Bad input first: nothing changes.
        assertCode(() -> a.agent().setReadSource(read("b1", "no-such-volume", "r2")), Status.Code.NOT_FOUND, null);
        assertCode(() -> x.agent().setReadSource(read("b2", VOL, "r9")), Status.Code.FAILED_PRECONDITION,
                "NotMember");
        assertCode(() -> x.agent().setReadSource(read("b3", VOL, "../r2")), Status.Code.INVALID_ARGUMENT, null);
        // A copy still being filled (two blocks a second) is a member, but not in sync: refused.
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("slow").setReplicaId("r3")
                .setVolumeId(VOL).setSourceAddress(xAddr).setSourceReplicaId("r1").setMaxBytesPerSecond(8 << 10)
                .build());
        awaitCatchingUp(root.resolve("x/state/run/engine/r1.ctl"), "r3");
        assertCode(() -> x.agent().setReadSource(read("b4", VOL, "r3")), Status.Code.FAILED_PRECONDITION,
                "NotInSync");
        a.agent().cancelOperation(dev.prescient.api.nodeagent.v1.CancelOperationRequest.newBuilder()
                .setOperationId("slow").build());

        // Asked on the kept copy's node: forwarded to the front-end on x.
        SetReadSourceResponse r = a.agent().setReadSource(read("rs1", VOL, "r2"));
        assertThat(r.getReadSourceReplicaId()).isEqualTo("r2");
        assertThat(r.getPreviousReadSourceReplicaId()).isEqualTo("r1");
        assertThat(r.getFrontEnd()).isEqualTo(xAddr + " r1");
        // Again: harmless.
        assertThat(x.agent().setReadSource(read("rs2", VOL, "r2")).getPreviousReadSourceReplicaId()).isEqualTo("r2");
        FrontEndReads fe = x.agent().listReplicas(ListReplicasRequest.newBuilder().setVolumeId(VOL).build())
                .getFrontEndsList().stream().filter(f -> f.getFrontEndReplicaId().equals("r1")).findFirst().orElseThrow();
        assertThat(fe.getReadSourceReplicaId()).isEqualTo("r2");
        assertThat(fe.getChosenReadSourceReplicaId()).isEqualTo("r2");
        assertThat(a.agent().listReplicas(ListReplicasRequest.getDefaultInstance()).getFrontEndsList())
                .as("r2's own engine is a member, not a front-end").isEmpty();

        w.awaitMore(500); // writes after the switch: still to both
        w.finish();
        // Every acknowledged write reads back through the front-end (now from r2), and both copies hold it.
        assertContent(uri, "r1", reference);
        assertContent(replica(a, "r2").getNbdEndpoint(), "r2", reference);
        // Back to the front-end's own replica.
        assertThat(x.agent().setReadSource(read("rs3", VOL, "r1")).getPreviousReadSourceReplicaId()).isEqualTo("r2");
        assertContent(uri, "r1", reference);
    }
}
