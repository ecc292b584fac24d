package dev.prescient.operator.app;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FrameworkMetricsTest {

    /** Events for 2,000 different volumes, as the framework reports them to its Metrics. */
    private static int metersAfterEventsFor2000Resources(Metrics m, SimpleMeterRegistry r) {
        for (int i = 0; i < 2000; i++) {
            m.receivedEvent(new Event(new ResourceID("pv-" + i)), Map.of());
        }
        return r.getMeters().size();
    }

    @Test
    void theOperatorsFrameworkMetricsDoNotGrowWithTheNumberOfResources() {
        SimpleMeterRegistry ours = new SimpleMeterRegistry();
        int meters = metersAfterEventsFor2000Resources(new OperatorBeans().operatorFrameworkMetrics(ours), ours);
        assertThat(meters).isBetween(1, 5);

        // The framework's default (what quarkus-operator-sdk produces unless told otherwise) keeps one per resource.
        SimpleMeterRegistry perResource = new SimpleMeterRegistry();
        assertThat(metersAfterEventsFor2000Resources(
                MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(perResource).build(), perResource))
                .isGreaterThanOrEqualTo(2000);
    }
}
