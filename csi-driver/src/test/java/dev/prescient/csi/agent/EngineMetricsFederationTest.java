package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineMetricsFederationTest {

    @Test
    void familiesAreDeclaredOnceWithEverySampleTogetherAndLabelledByEngine() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("v-r0", """
                # HELP prescient_engine_requests NBD requests
                # TYPE prescient_engine_requests counter
                prescient_engine_requests_total{volume="v",op="read"} 3
                # HELP prescient_engine_nbd_connections open
                # TYPE prescient_engine_nbd_connections gauge
                prescient_engine_nbd_connections 1
                """);
        texts.put("v-r1", """
                # HELP prescient_engine_requests NBD requests
                # TYPE prescient_engine_requests counter
                prescient_engine_requests_total{volume="v",op="read"} 5
                # HELP prescient_engine_nbd_connections open
                # TYPE prescient_engine_nbd_connections gauge
                prescient_engine_nbd_connections 0
                """);
        String merged = EngineMetricsFederation.merge(texts);
        assertThat(merged).isEqualTo("""
                # HELP prescient_engine_requests NBD requests
                # TYPE prescient_engine_requests counter
                prescient_engine_requests_total{volume="v",op="read",engine="v-r0"} 3
                prescient_engine_requests_total{volume="v",op="read",engine="v-r1"} 5
                # HELP prescient_engine_nbd_connections open
                # TYPE prescient_engine_nbd_connections gauge
                prescient_engine_nbd_connections{engine="v-r0"} 1
                prescient_engine_nbd_connections{engine="v-r1"} 0
                """);
        assertThat(EngineMetricsFederation.merge(Map.of())).isEmpty();
    }

    @Test
    void aLabelIsAddedWhateverTheSampleLooksLike() {
        assertThat(EngineMetricsFederation.withLabel("x{} 1", "engine", "e")).isEqualTo("x{engine=\"e\"} 1");
        assertThat(EngineMetricsFederation.withLabel("x{a=\"}\"} 1", "engine", "e"))
                .isEqualTo("x{a=\"}\",engine=\"e\"} 1");
        assertThat(EngineMetricsFederation.withLabel("x 1 1700000000", "engine", "a\"b"))
                .isEqualTo("x{engine=\"a\\\"b\"} 1 1700000000");
    }

    @Test
    void anEngineOnEveryAddressIsAskedOnLoopback() {
        assertThat(EngineMetricsFederation.uri("0.0.0.0:9700")).hasToString("http://127.0.0.1:9700/metrics");
        assertThat(EngineMetricsFederation.uri("127.0.0.1:9701")).hasToString("http://127.0.0.1:9701/metrics");
    }
}
