package dev.prescient.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricRegistryTest {

    @Test
    void rendersCountersGaugesAndCumulativeHistogramBuckets() {
        MetricRegistry r = new MetricRegistry();
        r.counter("x_requests", "requests", "volume").counter("v\"1").add(3);
        r.gauge("x_open", "open things").gauge(() -> 2);
        MetricRegistry.Histogram h = r.histogram("x_seconds", "latency", new double[]{0.001, 0.01}, "op")
                .histogram("read");
        h.observeNanos(500_000);     // 0.5 ms
        h.observeNanos(5_000_000);   // 5 ms
        h.observeNanos(50_000_000);  // 50 ms
        String text = r.scrape();
        assertThat(text).contains("# TYPE x_requests counter\n", "x_requests_total{volume=\"v\\\"1\"} 3\n",
                "# TYPE x_open gauge\n", "x_open 2\n",
                "x_seconds_bucket{op=\"read\",le=\"0.001\"} 1\n", "x_seconds_bucket{op=\"read\",le=\"0.01\"} 2\n",
                "x_seconds_bucket{op=\"read\",le=\"+Inf\"} 3\n", "x_seconds_sum{op=\"read\"} 0.0555\n",
                "x_seconds_count{op=\"read\"} 3\n");
    }

    @Test
    void aFamilyKeepsItsKindAndLabelsAndSeriesGoWithTheirVolume() {
        MetricRegistry r = new MetricRegistry();
        r.counter("x", "x", "volume").counter("a").inc();
        r.counter("x", "x", "volume").counter("b").inc();
        assertThatThrownBy(() -> r.gauge("x", "x", "volume")).isInstanceOf(IllegalArgumentException.class);
        r.removeSeries("volume", "a");
        assertThat(r.scrape()).doesNotContain("volume=\"a\"").contains("x_total{volume=\"b\"} 1");
    }
}
