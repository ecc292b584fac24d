package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ForecasterCodecTest {

    @Test
    void volumeForecasterRoundTripsAndKeepsLearningIdentically() throws Exception {
        double[] y = SeriesFixtures.seasonal(400, 48, 0.2, 11);
        VolumeForecaster v = VolumeForecaster.train(Arrays.copyOf(y, 300), VolumeForecaster.Config.halfHourly());
        byte[] bytes = ForecasterCodec.toBytes(v);
        VolumeForecaster r = ForecasterCodec.volumeFromBytes(bytes);
        assertThat(r.modelName()).isEqualTo(v.modelName());
        assertThat(r.observed()).isEqualTo(v.observed());
        assertForecastsEqual(v.forecast(48), r.forecast(48));
        for (int t = 300; t < 400; t++) {
            v.observe(y[t]);
            r.observe(y[t]);
        }
        assertForecastsEqual(v.forecast(48), r.forecast(48));
        assertThat(bytes.length).isLessThan(100_000);
    }

    private static void assertForecastsEqual(Forecast a, Forecast b) {
        // Seasonal profiles and errors are stored as floats: agreement to ~1e-6 relative.
        for (int h = 1; h <= a.horizon(); h++) {
            assertThat(b.point(h)).isCloseTo(a.point(h), org.assertj.core.api.Assertions.withinPercentage(1e-3));
            assertThat(b.upper(h)).isCloseTo(a.upper(h), org.assertj.core.api.Assertions.withinPercentage(1e-3));
        }
    }

    @Test
    void capacityAndPlainForecastersRoundTrip() throws Exception {
        CapacityForecaster c = CapacityForecaster.train(SeriesFixtures.seasonal(200, 48, 0.1, 2),
                VolumeForecaster.Config.halfHourly());
        CapacityForecaster rc = ForecasterCodec.capacityFromBytes(ForecasterCodec.toBytes(c));
        assertForecastsEqual(c.forecast(10), rc.forecast(10));
        Drift d = new Drift();
        d.observe(1);
        d.observe(3);
        assertThat(ForecasterCodec.forecasterFromBytes(ForecasterCodec.toBytes(d)).forecast(2)).containsExactly(5, 7);

        SeasonalNaive s = new SeasonalNaive(4, true);
        for (int i = 0; i < 10; i++) {
            s.observe(i * i);
        }
        Forecaster rs = ForecasterCodec.forecasterFromBytes(ForecasterCodec.toBytes(s));
        assertThat(rs.forecast(9)).containsExactly(s.forecast(9));
        assertThat(rs.name()).isEqualTo(s.name());
    }

    @Test
    void emptyModelRoundTrips() throws Exception {
        VolumeForecaster v = VolumeForecaster.train(new double[0], VolumeForecaster.Config.halfHourly());
        VolumeForecaster r = ForecasterCodec.volumeFromBytes(ForecasterCodec.toBytes(v));
        assertThat(r.forecast(1).point(1)).isNaN();
        r.observe(3);
        assertThat(r.forecast(1).point(1)).isEqualTo(3);
    }

    @Test
    void corruptOrForeignStateIsRejectedWithAReason() {
        VolumeForecaster v = VolumeForecaster.train(SeriesFixtures.constant(200, 1), VolumeForecaster.Config.halfHourly());
        byte[] bytes = ForecasterCodec.toBytes(v);
        byte[] badMagic = bytes.clone();
        badMagic[0] ^= 1;
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(badMagic)).isInstanceOf(ModelStateException.class)
                .hasMessageContaining("magic");
        byte[] badVersion = bytes.clone();
        badVersion[5] = 99;
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(badVersion)).hasMessageContaining("version");
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(Arrays.copyOf(bytes, bytes.length / 2)))
                .isInstanceOf(ModelStateException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> ForecasterCodec.capacityFromBytes(bytes)).hasMessageContaining("kind");
    }

    @Test
    void pooledSelectionStateRoundTrips() throws Exception {
        java.util.List<double[]> hs = java.util.List.of(SeriesFixtures.seasonal(240, 48, 0.3, 4),
                SeriesFixtures.seasonal(240, 48, 0.1, 5), SeriesFixtures.seasonal(240, 48, 0.6, 6));
        VolumeForecaster v = VolumeForecaster.trainPooled(hs, VolumeForecaster.Config.halfHourly(),
                VolumeForecaster.Kind.LOAD, 0.25).get(0);
        VolumeForecaster r = ForecasterCodec.volumeFromBytes(ForecasterCodec.toBytes(v));
        // The selection is recomputed from the stored error sums, prior and own weight on restore.
        assertThat(r.modelName()).isEqualTo(v.modelName());
        assertForecastsEqual(v.forecast(48), r.forecast(48));
        // The restored model re-selects online exactly as the original: the pending forecasts at
        // each band travel with the state. A regime change makes the selection move.
        double[] more = SeriesFixtures.seasonal(60, 48, 1.5, 7);
        for (double y : more) {
            v.observe(y);
            r.observe(y);
        }
        assertThat(r.modelName()).isEqualTo(v.modelName());
        double[][] ev = v.selectionErrors();
        double[][] er = r.selectionErrors();
        for (int k = 0; k < ev.length; k++) {
            for (int i = 0; i < ev[k].length; i++) {
                assertThat(er[k][i]).isCloseTo(ev[k][i], org.assertj.core.api.Assertions.withinPercentage(1e-3));
            }
        }
        for (int h = 1; h <= 48; h++) {
            // Seasonal profiles are stored as floats; the calibrator's pending paths are not stored.
            assertThat(r.forecast(48).point(h)).isCloseTo(v.forecast(48).point(h),
                    org.assertj.core.api.Assertions.withinPercentage(1e-3));
        }
    }

    @Test
    void formatTwoStateAndCorruptSelectionAreRejected() {
        VolumeForecaster v = VolumeForecaster.train(SeriesFixtures.seasonal(200, 48, 0.2, 8),
                VolumeForecaster.Config.halfHourly());
        byte[] bytes = ForecasterCodec.toBytes(v);
        byte[] v2 = bytes.clone();
        v2[5] = 2; // low byte of the format version (magic 4 bytes, version 2 bytes)
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(v2)).isInstanceOf(ModelStateException.class)
                .hasMessageContaining("version");
        // Header 7 bytes, then config 24, scale 1, steps 8, volatility 8, top 1, own weight 8.
        byte[] badWeight = bytes.clone();
        java.nio.ByteBuffer.wrap(badWeight, 7 + 42, 8).putDouble(2.0);
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(badWeight)).isInstanceOf(ModelStateException.class)
                .hasMessageContaining("own weight");
        byte[] badTop = bytes.clone();
        badTop[7 + 41] = 0;
        assertThatThrownBy(() -> ForecasterCodec.volumeFromBytes(badTop)).isInstanceOf(ModelStateException.class)
                .hasMessageContaining("top 0");
    }
}
