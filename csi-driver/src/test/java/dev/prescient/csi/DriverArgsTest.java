package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriverArgsTest {
    @Test
    void repeatedFlagsKeepEveryValueAndGetSeesTheLast() {
        DriverArgs a = new DriverArgs(new String[] {"--tier-latency-us", "ssd=1000", "--mode", "node",
                "--tier-latency-us=hdd=6000,nvme=0", "--agent-insecure"});
        assertThat(a.getAll("tier-latency-us")).containsExactly("ssd=1000", "hdd=6000", "nvme=0");
        assertThat(a.get("tier-latency-us", "")).isEqualTo("hdd=6000,nvme=0");
        assertThat(a.getAll("absent")).isEmpty();
        assertThat(a.flag("agent-insecure")).isTrue();
        assertThat(a.get("mode", "")).isEqualTo("node");
    }
}
