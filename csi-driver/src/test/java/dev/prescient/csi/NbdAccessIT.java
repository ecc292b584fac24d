package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.csi.agent.AgentMtlsIT;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only holders of the cluster's certificate reach a volume over the network. Node processes with
 * TLS material, as the chart runs them: a plain NBD client is refused at the engine's TCP port,
 * this node's own attachment goes through the engine's UNIX socket, another node's attachment goes
 * over TLS with its node certificate (through NbdTlsRelay), and a node whose certificate comes from
 * another CA cannot attach and leaves nothing behind.
 */
class NbdAccessIT {
    Path root;
    Path kubelet;
    NodeProcess a;
    NodeProcess b;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("prescient-access-it");
        kubelet = root.resolve("kubelet");
        Path pki = Files.createDirectories(root.resolve("pki"));
        AgentMtlsIT.ca(pki, "ca");
        AgentMtlsIT.issue(pki, "ca", "node");
        Path rogue = Files.createDirectories(root.resolve("rogue"));
        AgentMtlsIT.ca(rogue, "ca");
        AgentMtlsIT.issue(rogue, "ca", "node");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (NodeProcess n : new NodeProcess[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
        HostCleanup.under(root);
        assertThat(HostCleanup.anyMountUnder(root)).as("mounts left behind").isFalse();
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    NodeProcess node(String id, String pki) throws Exception {
        NodeProcess n = new NodeProcess(id, root.resolve(id), kubelet);
        n.pki = root.resolve(pki);
        return n.start();
    }

    static ProcessResult run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ProcessResult(p.waitFor(), out);
    }

    record ProcessResult(int status, String output) {
    }

    static String helperCommandLine(Path root, String node, String volumeId) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(root.resolve(node + "/state/staged/" + volumeId + ".properties"))) {
            p.load(in);
        }
        return Files.readString(Path.of("/proc", p.getProperty("helperPid"), "cmdline")).replace('\0', ' ');
    }

    @Test
    void onlyHoldersOfTheClustersCertificateReachAVolume() throws Exception {
        a = node("node-a", "pki");
        Replica r = NodeLifecycleIT.createReplica(a, "vol1");
        String uri = r.getNbdEndpoint();

        // Anyone on the network: the greeting, then nothing without TLS.
        ProcessResult plain = run("nbdinfo", uri);
        assertThat(plain.status()).as("plain nbdinfo: %s", plain.output()).isNotZero();
        ProcessResult list = run("nbdinfo", "--list", uri);
        assertThat(list.status()).as("plain nbdinfo --list: %s", list.output()).isNotZero();
        ProcessResult copy = run("nbdcopy", uri, root.resolve("stolen.img").toString());
        assertThat(copy.status()).as("plain nbdcopy: %s", copy.output()).isNotZero();
        assertThat(NbdProbe.probe(uri, 2000)).as("the engine still greets (health checks)").isEmpty();

        // This node's attachment: the engine's UNIX socket.
        var st = NodeLifecycleIT.stage(a, "vol1", uri, "ext4");
        a.node().nodeStageVolume(st);
        assertThat(helperCommandLine(root, "node-a", "vol1")).contains("nbd+unix:///").doesNotContain(uri);
        var pub = NodeLifecycleIT.publish(root, st, "pod1", false);
        a.node().nodePublishVolume(pub);
        NodeLifecycleIT.writeDurably(Path.of(pub.getTargetPath()).resolve("secret.txt"), "for certificate holders");
        a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1")
                .setTargetPath(pub.getTargetPath()).build());
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build());

        // A node with a certificate of another CA: refused, nothing left mounted or attached.
        b = node("node-b", "rogue");
        var stRogue = NodeLifecycleIT.stage(b, "vol1", uri, "ext4");
        assertThatThrownBy(() -> b.node().nodeStageVolume(stRogue))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(HostCleanup.anyMountUnder(root.resolve("node-b"))).isFalse();
        assertThat(HostCleanup.anyMountUnder(kubelet)).isFalse();
        b.close();

        // Another node of the cluster: over TLS with its certificate, the same bytes.
        b = node("node-b", "pki");
        var stB = NodeLifecycleIT.stage(b, "vol1", uri, "ext4");
        b.node().nodeStageVolume(stB);
        assertThat(helperCommandLine(root, "node-b", "vol1")).contains("--command", "NbdTlsRelay", "--server-name");
        var pubB = NodeLifecycleIT.publish(root, stB, "pod2", true);
        b.node().nodePublishVolume(pubB);
        assertThat(Files.readString(Path.of(pubB.getTargetPath()).resolve("secret.txt"))).isEqualTo("for certificate holders");
        b.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1")
                .setTargetPath(pubB.getTargetPath()).build());
        b.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(stB.getStagingTargetPath()).build());
    }
}
