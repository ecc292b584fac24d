package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.DriverArgs;
import org.junit.jupiter.api.Test;

/** What a registering node writes as its agent endpoint. */
class AdvertisedEndpointTest {

    @Test
    void explicitElseTheListenAddressButNeverAWildcard() {
        assertThat(NodeMode.advertisedEndpoint(new DriverArgs(new String[] {"--agent-advertise", "10.1.2.3:7443"}),
                "0.0.0.0:7443", 7443)).isEqualTo("10.1.2.3:7443");
        // Port 0 in --agent-listen: the port actually bound is advertised.
        assertThat(NodeMode.advertisedEndpoint(new DriverArgs(new String[0]), "10.1.2.3:0", 40123))
                .isEqualTo("10.1.2.3:40123");
        for (String wildcard : new String[] {"0.0.0.0:7443", "[::]:7443"}) {
            assertThatThrownBy(() -> NodeMode.advertisedEndpoint(new DriverArgs(new String[0]), wildcard, 7443))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--agent-advertise");
        }
    }
}
