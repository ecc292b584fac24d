package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbdUriTest {
    @Test
    void theExportNameGainsTheNodeOnce() {
        assertThat(NbdUri.attachedBy("nbd://10.0.0.7:10809/vol1-r0", "node-b"))
                .isEqualTo("nbd://10.0.0.7:10809/vol1-r0@node:node-b");
        assertThat(NbdUri.attachedBy("nbd://10.0.0.7:10809/vol1-r0@node:node-b", "node-c"))
                .isEqualTo("nbd://10.0.0.7:10809/vol1-r0@node:node-b");
        assertThat(NbdUri.attachedBy("nbd+unix:///vol1-r0?socket=/run/e.sock", "n"))
                .isEqualTo("nbd+unix:///vol1-r0@node:n?socket=/run/e.sock");
        assertThat(NbdUri.attachedBy("nbd://10.0.0.7:10809", "n")).isEqualTo("nbd://10.0.0.7:10809/@node:n");
        assertThat(NbdUri.attachedBy("nbd://10.0.0.7:10809/", "n")).isEqualTo("nbd://10.0.0.7:10809/@node:n");
        assertThat(NbdUri.attachedBy("/dev/nbd0", "n")).isEqualTo("/dev/nbd0");
    }

    @Test
    void onlyTheFormOurEnginesServeIsAccepted() {
        for (String ok : List.of("nbd://127.0.0.1:10809", "nbd://10.0.0.7:40123/vol1-r0", "nbd://node-a.example:1/",
                "nbd://[::1]:10809/pv-1@node:node-b", "nbd://h:65535/x~y+z.1_2")) {
            assertThat(NbdUri.requireSupported("uri", ok)).isEqualTo(ok);
        }
        for (String bad : List.of("file:///etc/passwd", "nbd+unix:///x?socket=/run/s.sock", "nbds://h:1/x",
                "nbd://h:1/x?tls-certificates=/etc", "nbd://h/x", "nbd://h:0/x", "nbd://h:70000", "nbd://user@h:1/x",
                "nbd://h:1/a/b", "nbd://h:1/x#f", "NBD://h:1", " nbd://h:1", "nbd://-h:1", "/dev/nbd0", "")) {
            assertThatThrownBy(() -> NbdUri.requireSupported("publish_context prescient.dev/nbd-uri", bad)).as(bad)
                    .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code())
                            .isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("'" + bad + "' is not an NBD URI this node attaches")
                    .hasMessageContaining("nbd://HOST:PORT");
        }
    }
}
