package dev.prescient.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HelmCli refuses what it cannot do with a message, before any cluster is contacted. */
class HelmCliTest {

    @TempDir
    Path dir;

    @Test
    void badCommandLinesAreRefusedWithWhatIsWrong() throws Exception {
        Path kc = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        assertThatThrownBy(() -> HelmCli.run(List.of())).hasMessageContaining("a command is required");
        assertThatThrownBy(() -> HelmCli.run(List.of("upgrade", "r", "c", "--kubeconfig", kc.toString())))
                .hasMessageContaining("unknown command upgrade");
        assertThatThrownBy(() -> HelmCli.run(List.of("install", "r", "c", "--bogus", "--kubeconfig", kc.toString())))
                .hasMessageContaining("unknown flag --bogus");
        assertThatThrownBy(() -> HelmCli.run(List.of("install", "r", "--kubeconfig", kc.toString())))
                .hasMessageContaining("install takes RELEASE and CHART");
        assertThatThrownBy(() -> HelmCli.run(List.of("install", "r", "c", "--set", "novalue", "--kubeconfig", kc.toString())))
                .hasMessageContaining("--set takes KEY=VALUE");
        assertThatThrownBy(() -> HelmCli.run(List.of("install", "r", "c", "--namespace")))
                .hasMessageContaining("--namespace needs a value");
        assertThatThrownBy(() -> HelmCli.run(List.of("uninstall", "r", "--kubeconfig", dir.resolve("absent").toString())))
                .hasMessageContaining("no kubeconfig");
    }
}
