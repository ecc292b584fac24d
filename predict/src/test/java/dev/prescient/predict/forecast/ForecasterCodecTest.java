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
}
