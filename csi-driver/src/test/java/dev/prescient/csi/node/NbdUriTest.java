package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

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
}
