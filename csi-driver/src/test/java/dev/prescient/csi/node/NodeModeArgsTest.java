package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.DriverArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeModeArgsTest {

    @Test
    void aNonPositiveHealthWindowIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        for (String bad : new String[] {"0", "-5"}) {
            assertThatThrownBy(() -> NodeMode.start(new DriverArgs(new String[] {"--node-id", "n1", "--state-dir",
                    dir.resolve("state").toString(), "--health-window-s", bad}), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--health-window-s must be positive, got " + bad);
        }
        assertThat(Files.exists(dir.resolve("state/run"))).as("nothing was set up").isFalse();
    }

    @Test
    void aNegativeTierProbeOrEngineCheckPeriodIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        for (String flag : new String[] {"tier-probe-ms", "engine-check-ms"}) {
            assertThatThrownBy(() -> NodeMode.start(new DriverArgs(new String[] {"--node-id", "n1", "--state-dir",
                    dir.resolve("state").toString(), "--" + flag, "-1"}), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--" + flag + " must be 0 (off) or positive, got -1");
        }
        assertThat(Files.exists(dir.resolve("state/run"))).as("nothing was set up").isFalse();
    }
}
