package dev.prescient.csi.server;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.Csi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProtoSanitizerTest {
    @Test
    void secretsAreStrippedEvenWhenNested() {
        var req = Csi.CreateVolumeRequest.newBuilder().setName("pvc-1").putSecrets("password", "hunter2")
                .putParameters("tier", "nvme").build();
        String log = ProtoSanitizer.toLogString(req);
        assertThat(log).doesNotContain("hunter2").contains("password").contains("***stripped***").contains("nvme");
        var stage = Csi.NodeStageVolumeRequest.newBuilder().setVolumeId("pv-1").putSecrets("k", "s3cret").build();
        assertThat(ProtoSanitizer.toLogString(stage)).doesNotContain("s3cret");
        assertThat(ProtoSanitizer.subjectOf(stage)).isEqualTo("volume_id=pv-1");
        assertThat(ProtoSanitizer.subjectOf(req)).isEqualTo("name=pvc-1");
        assertThat(ProtoSanitizer.subjectOf(Csi.ProbeRequest.getDefaultInstance())).isEqualTo("-");
    }

    @Test
    void endpoints() {
        assertThat(UnixSocketServers.socketPath("unix:///csi/csi.sock")).isEqualTo(Path.of("/csi/csi.sock"));
        assertThat(UnixSocketServers.socketPath("unix:/csi/csi.sock")).isEqualTo(Path.of("/csi/csi.sock"));
        assertThat(UnixSocketServers.socketPath("/csi/csi.sock")).isEqualTo(Path.of("/csi/csi.sock"));
    }
}
