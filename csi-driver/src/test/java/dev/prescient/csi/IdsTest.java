package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.controller.ControllerService;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void ourOwnIdsAndPlainNamesPass() {
        for (String ok : List.of(ControllerService.volumeIdFor("data"), ControllerService.snapshotIdFor("s1"), "vol1",
                "vol1-r0", "a", "A.b_c-9", "x".repeat(Ids.MAX_LENGTH))) {
            assertThat(Ids.require("volume_id", ok)).isEqualTo(ok);
        }
    }

    @Test
    void anythingThatIsNotOnePlainPathComponentIsInvalid() {
        for (String bad : List.of("../../../escape-vid", "..", ".", ".hidden", "a/b", "/abs", "a\\b", "vol 1", "vol\n1",
                "-rf", "_x", "vol\u00e9", "a\0b", "x".repeat(Ids.MAX_LENGTH + 1))) {
            assertThatThrownBy(() -> Ids.require("volume_id", bad)).as(bad).isInstanceOfSatisfying(CsiException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).startsWith("volume_id ").doesNotContain("\n", "\0");
                    });
        }
        assertThatThrownBy(() -> Ids.require("snapshot_id", "")).hasMessage("snapshot_id is required");
        assertThatThrownBy(() -> Ids.require("volume_id", "../x")).hasMessageContaining("'../x' is not a valid id");
        assertThatThrownBy(() -> Ids.require("volume_id", "x".repeat(200))).hasMessageContaining("200 characters long");
        // The node agent's ids follow the engine's longer limit (migration names reach it).
        assertThat(Ids.require("snapshot_id", "m".repeat(195) + "-snap", Ids.MAX_AGENT_LENGTH)).hasSize(200);
        assertThatThrownBy(() -> Ids.require("snapshot_id", "m".repeat(201), Ids.MAX_AGENT_LENGTH))
                .hasMessageContaining("at most 200");
    }
}
