package dev.prescient.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.volume.Forecast;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** ClusterWatch's conversions, on plain objects: a status forecast into scenario time, telemetry into heat. */
class ClusterWatchTest {

    static Forecast forecast(ForecastMetric metric, String horizon, String computedAt, Double value, Double lower,
            Double upper) {
        Forecast f = new Forecast();
        f.setMetric(metric);
        f.setHorizon(horizon);
        f.setComputedAt(computedAt);
        f.setValue(value);
        f.setLower(lower);
        f.setUpper(upper);
        f.setConfidence(lower == null ? null : 0.9);
        return f;
    }

    @Test
    void aForecastIsPlacedInScenarioTimeAtComputedAtPlusHorizon() {
        Instant wallNow = Instant.parse("2026-11-22T03:38:20Z");
        // Computed 1.5 s before the poll, which happened at scenario second 100: computed at 98.5, for 106.5.
        ForecastTrack.Point p = ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "8s",
                "2026-11-22T03:38:18.500Z", 509.891, 302.765, 907.726), wallNow, 100);
        assertThat(p.computedAtMillis()).isEqualTo(Instant.parse("2026-11-22T03:38:18.500Z").toEpochMilli());
        assertThat(p.computedAt()).isCloseTo(98.5, within(1e-9));
        assertThat(p.target()).isCloseTo(106.5, within(1e-9));
        assertThat(p.value()).isEqualTo(509.891);
        assertThat(p.lower()).isEqualTo(302.765);
        assertThat(p.upper()).isEqualTo(907.726);
        assertThat(p.confidence()).isEqualTo(0.9);

        ForecastTrack.Point used = ClusterWatch.toPoint(forecast(ForecastMetric.UsedBytes, "1m",
                "2026-11-22T03:38:20.000000001Z", 1.2e7, null, null), wallNow, 100);
        assertThat(used.target()).isCloseTo(160, within(1e-9));
        assertThat(used.hasInterval()).isFalse();
        assertThat(used.confidence()).isNull();
    }

    @Test
    void aForecastThatCannotBeReadIsRefusedSayingWhy() {
        Instant now = Instant.parse("2026-11-22T03:38:20Z");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(null, "8s", "2026-11-22T03:38:18Z", 1.0, null,
                null), now, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a metric");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "8s",
                "2026-11-22T03:38:18Z", null, null, null), now, 0)).hasMessageContaining("without a value");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "8s", null, 1.0, null,
                null), now, 0)).hasMessageContaining("without computedAt");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "8s", "yesterday", 1.0,
                null, null), now, 0)).hasMessageContaining("'yesterday' is not an RFC 3339 time");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "eight", 
                "2026-11-22T03:38:18Z", 1.0, null, null), now, 0)).hasMessageContaining("'eight'");
        assertThatThrownBy(() -> ClusterWatch.toPoint(forecast(ForecastMetric.AccessRate, "8s",
                "2026-11-22T03:38:18Z", 1.0, 5.0, 2.0), now, 0)).hasMessageContaining("wrong way round");
    }

    @Test
    void volumeHeatCountsTheNodeAttachmentsAndWhatTheExtentsShowBeyondThem() {
        VolumeTelemetry onlyExtents = VolumeTelemetry.newBuilder().setVolumeId("v")
                .addExtents(ExtentHeat.newBuilder().setExtentIndex(0).setReadHeat(3).setWriteHeat(1))
                .addExtents(ExtentHeat.newBuilder().setExtentIndex(1).setReadHeat(2)).build();
        assertThat(ClusterWatch.volumeHeat(onlyExtents)).isCloseTo(6, within(1e-9));

        // Two node attachments claim 5 of the 6: the rest counts too (served to no named node), once.
        VolumeTelemetry attached = onlyExtents.toBuilder()
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-a").setReadHeat(4))
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-b").setWriteHeat(1)).build();
        assertThat(ClusterWatch.volumeHeat(attached)).isCloseTo(6, within(1e-9));

        // Extents filtered by min_heat show less than the attachments: the attachments' heat is the whole.
        VolumeTelemetry filtered = VolumeTelemetry.newBuilder().setVolumeId("v")
                .addExtents(ExtentHeat.newBuilder().setReadHeat(1))
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-a").setReadHeat(7)).build();
        assertThat(ClusterWatch.volumeHeat(filtered)).isCloseTo(7, within(1e-9));

        // A pod's total is larger than the extents show: it stands for the whole, not added to them.
        VolumeTelemetry pod = VolumeTelemetry.newBuilder().setVolumeId("v")
                .addExtents(ExtentHeat.newBuilder().setReadHeat(2))
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("ns/app-0/uid").setReadHeat(9)).build();
        assertThat(ClusterWatch.volumeHeat(pod)).isCloseTo(9, within(1e-9));
        assertThat(ClusterWatch.volumeHeat(VolumeTelemetry.getDefaultInstance())).isZero();
    }
}
