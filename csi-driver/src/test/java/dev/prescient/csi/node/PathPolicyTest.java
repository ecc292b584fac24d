package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.CsiException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathPolicyTest {
    final PathPolicy p = new PathPolicy(List.of(Path.of("/var/lib/kubelet")));

    @Test
    void acceptsPathsUnderKubelet() {
        assertThat(p.check("t", "/var/lib/kubelet/pods/x/volumes/v/mount"))
                .isEqualTo(Path.of("/var/lib/kubelet/pods/x/volumes/v/mount"));
    }

    @Test
    void refusesEverythingElse() {
        for (String bad : List.of("", "relative/path", "/etc/passwd", "/var/lib/kubelet", "/var/lib/kubeletx/a",
                "/var/lib/kubelet/../../etc", "/var/lib/kubelet/a/../../../etc")) {
            assertThatThrownBy(() -> p.check("target_path", bad)).as(bad).isInstanceOf(CsiException.class);
        }
    }

    @Test
    void podIdentityBecomesConsumer() {
        assertThat(NodeService.consumer(java.util.Map.of(NodeService.POD_NAME, "web-0", NodeService.POD_NAMESPACE, "shop",
                NodeService.POD_UID, "u1"))).contains("shop/web-0/u1");
        assertThat(NodeService.consumer(java.util.Map.of())).isEmpty();
    }
}
