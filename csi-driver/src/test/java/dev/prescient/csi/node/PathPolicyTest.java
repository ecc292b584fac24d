package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.CsiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathPolicyTest {
    final PathPolicy p = new PathPolicy(List.of(Path.of("/var/lib/kubelet")));

    @TempDir
    Path tmp;

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
    void aKubeletDirectoryBehindASymlinkAnswersWithTheRealPath() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("data/kubelet"));
        Path link = Files.createSymbolicLink(tmp.resolve("kubelet"), real);
        Files.createDirectories(real.resolve("pods/p1"));
        // Configured by the link, asked by the link or by the real path: the real path either way.
        for (PathPolicy policy : List.of(new PathPolicy(List.of(link)), new PathPolicy(List.of(real)))) {
            assertThat(policy.check("target_path", link + "/pods/p1/volumes/v/mount"))
                    .isEqualTo(real.toRealPath().resolve("pods/p1/volumes/v/mount"));
            assertThat(policy.check("target_path", real + "/pods/p1")).isEqualTo(real.toRealPath().resolve("pods/p1"));
        }
    }

    @Test
    void aSymlinkInsideTheKubeletDirectoryCannotLeadOut() throws Exception {
        Path kubelet = Files.createDirectories(tmp.resolve("kubelet"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(kubelet.resolve("pods"));
        Files.createSymbolicLink(kubelet.resolve("pods/evil"), outside);
        Files.createSymbolicLink(kubelet.resolve("pods/nowhere"), tmp.resolve("missing"));
        Files.createSymbolicLink(kubelet.resolve("pods/inside"), kubelet.resolve("pods"));
        PathPolicy policy = new PathPolicy(List.of(kubelet));
        assertThatThrownBy(() -> policy.check("target_path", kubelet + "/pods/evil/mount"))
                .hasMessageContaining("really " + outside.toRealPath().resolve("mount"))
                .hasMessageContaining("outside the kubelet directories");
        assertThatThrownBy(() -> policy.check("target_path", kubelet + "/pods/evil"))
                .isInstanceOf(CsiException.class);
        assertThatThrownBy(() -> policy.check("staging_target_path", kubelet + "/pods/nowhere/x"))
                .hasMessageContaining("symbolic link to nowhere");
        assertThatThrownBy(() -> policy.check("staging_target_path", kubelet + "/pods/nowhere"))
                .hasMessageContaining("symbolic link to nowhere");
        // A link that stays inside is followed, and the answer is where it leads.
        assertThat(policy.check("target_path", kubelet + "/pods/inside/p2/mount"))
                .isEqualTo(kubelet.toRealPath().resolve("pods/p2/mount"));
        assertThat(Files.list(outside)).as("nothing created by a check").isEmpty();
    }

    @Test
    void podIdentityBecomesConsumer() {
        assertThat(NodeService.consumer(java.util.Map.of(NodeService.POD_NAME, "web-0", NodeService.POD_NAMESPACE, "shop",
                NodeService.POD_UID, "u1"))).contains("shop/web-0/u1");
        assertThat(NodeService.consumer(java.util.Map.of())).isEmpty();
    }
}
