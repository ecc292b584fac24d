package dev.prescient.operator.telemetry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeForecastsTest {

    static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
    static final long GIB = 1L << 30;

    /** Two passes per 30-minute step, like a 15-minute evaluation interval. */
    static void feed(VolumeForecasts f, String volume, int steps, long startBytes, long perStep, double noise) {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < steps; i++) {
            for (int pass = 0; pass < 2; pass++) {
                f.beginPass();
                Instant at = T0.plus(Duration.ofMinutes(30L * i + 15L * pass));
                long used = startBytes + perStep * i + (long) (noise * perStep * rnd.nextGaussian());
                f.observe(volume, at, used, 100 + 10 * Math.sin(i / 3.0));
            }
        }
    }

    @Test
    void growingVolumeGetsACapacityForecastWithAnIntervalAroundTheTrend() {
        VolumeForecasts f = new VolumeForecasts(VolumeForecasts.Config.defaults());
        assertThat(f.capacity("v", Duration.ofHours(24))).as("no model without history").isNull();
        // 1 GiB per 30 minutes for four days.
        feed(f, "v", 192, 10 * GIB, GIB, 0.05);
        VolumeForecasts.Outlook o = f.capacity("v", Duration.ofHours(24));
        assertThat(o).isNotNull();
        assertThat(o.samples()).as("history kept: two days of 30 min steps").isEqualTo(96);
        assertThat(o.calibrated()).isTrue();
        assertThat(o.level()).isEqualTo(0.9);
        // Last committed step is 190 (10 + 190 GiB); 48 steps later the trend says 248 GiB.
        double truth = (10 + 190 + 48) * (double) GIB;
        assertThat(o.value()).isBetween(truth * 0.95, truth * 1.05);
        assertThat(o.lower()).isLessThan(o.value());
        assertThat(o.upper()).isGreaterThan(o.value()).isLessThan(truth * 1.3);
        assertThat(o.model()).isNotBlank();
        assertThat(f.access("v", Duration.ofMinutes(30))).isNotNull()
                .satisfies(a -> assertThat(a.value()).isBetween(80.0, 120.0));
    }

    @Test
    void aCapacityForecastStaysWithinTheVolumesSize() {
        VolumeForecasts f = new VolumeForecasts(VolumeForecasts.Config.defaults());
        // 1 GiB per 30 minutes up to 200 GiB: a 24 h trend points at 248 GiB, beyond a 210 GiB volume.
        feed(f, "v", 192, 10 * GIB, GIB, 0.05);
        VolumeForecasts.Outlook free = f.capacity("v", Duration.ofHours(24));
        assertThat(free.upper()).isGreaterThan(210.0 * GIB);
        VolumeForecasts.Outlook o = f.capacity("v", Duration.ofHours(24), 210 * GIB);
        assertThat(o.value()).isEqualTo(210.0 * GIB);
        assertThat(o.upper()).isEqualTo(210.0 * GIB);
        assertThat(o.lower()).isBetween(0.0, 210.0 * GIB);
        assertThat(o.model()).endsWith("(clamped to the volume's size)");
        VolumeForecasts.Outlook roomy = f.capacity("v", Duration.ofHours(24), 1024 * GIB);
        assertThat(roomy.value()).isEqualTo(free.value());
        assertThat(roomy.model()).isEqualTo(free.model());
    }

    @Test
    void trainingIsBudgetedPerPass() {
        // Four trainings per pass: a volume's two series (used bytes, access) take two.
        VolumeForecasts f = new VolumeForecasts(new VolumeForecasts.Config(Duration.ofMinutes(30), 8, 64, 48, 4, 0.9));
        int step = 0;
        for (; step < 10; step++) {
            pass(f, step);
        }
        // The 8th sample was committed in pass 8 and the 9th in pass 9: two volumes trained in each.
        assertThat(trained(f)).isEqualTo(4);
        // Another pass in the same step (evaluation interval shorter than the step) trains two more.
        f.beginPass();
        for (int v = 0; v < 10; v++) {
            f.observe("v" + v, T0.plus(Duration.ofMinutes(30L * 9 + 10)), (v + 10) * GIB, 1);
        }
        assertThat(trained(f)).isEqualTo(6);
        pass(f, step++);
        assertThat(trained(f)).isEqualTo(8);
        pass(f, step++);
        assertThat(trained(f)).isEqualTo(10);
    }

    static void pass(VolumeForecasts f, int step) {
        f.beginPass();
        for (int v = 0; v < 10; v++) {
            f.observe("v" + v, T0.plus(Duration.ofMinutes(30L * step)), (v + 1 + step) * GIB, 1);
        }
    }

    static long trained(VolumeForecasts f) {
        long n = 0;
        for (int v = 0; v < 10; v++) {
            if (f.capacity("v" + v, Duration.ofHours(1)) != null && f.access("v" + v, Duration.ofHours(1)) != null) {
                n++;
            }
        }
        return n;
    }

    @Test
    void historySurvivesARestartAndRetrains() {
        VolumeForecasts before = new VolumeForecasts(VolumeForecasts.Config.defaults());
        feed(before, "v", 40, 10 * GIB, GIB, 0.0);
        Map<String, String> state = before.export();
        assertThat(state).containsOnlyKeys("v");

        VolumeForecasts after = new VolumeForecasts(VolumeForecasts.Config.defaults());
        assertThat(after.restore(Map.of("v", state.get("v"), "broken", "not base64!"))).isEqualTo(1);
        assertThat(after.samples("v")).isEqualTo(before.samples("v"));
        // The next step commits one more sample and trains from the restored history straight away.
        after.beginPass();
        after.observe("v", T0.plus(Duration.ofMinutes(30L * 40)), 50 * GIB, 1);
        VolumeForecasts.Outlook o = after.capacity("v", Duration.ofHours(2));
        assertThat(o).isNotNull();
        assertThat(o.value()).isBetween(52.0 * GIB, 56.0 * GIB);
    }

    @Test
    void badConfigIsRefused() {
        assertThatThrownBy(() -> new VolumeForecasts.Config(Duration.ofMinutes(1), 8, 64, 48, 3, 0.9, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VolumeForecasts.Config(Duration.ZERO, 8, 64, 48, 3, 0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step > 0");
        assertThatThrownBy(() -> new VolumeForecasts.Config(Duration.ofMinutes(1), 8, 4, 48, 3, 0.9))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDailySeasonFollowsThePlannersDay() {
        assertThat(new VolumeForecasts(VolumeForecasts.Config.defaults()).forecasterConfig(4).season())
                .as("48 half-hours a day").isEqualTo(48);
        // Local mode compresses a day into 24 s and forecasts every 2 s: 12 steps a day, not 43,200.
        VolumeForecasts compressed = new VolumeForecasts(new VolumeForecasts.Config(Duration.ofSeconds(2), 8, 96, 48,
                200, 0.9, Duration.ofSeconds(24)));
        assertThat(compressed.forecasterConfig(4).season()).isEqualTo(12);
        assertThat(new VolumeForecasts(new VolumeForecasts.Config(Duration.ofSeconds(2), 8, 96, 48, 200, 0.9))
                .forecasterConfig(4).season()).as("no season fits in a real day of 2 s steps").isZero();
    }
    /**
     * A daily batch job: quiet all day, a burst in a few steps at the same time every (compressed) day. The averaged
     * model smears the burst over its neighbours; "the same time a day earlier" has it exactly. The published forecast
     * must not be worse than that baseline, and its intervals must hold about their level.
     */
    @Test
    void aForecastThatLosesToTheDayEarlierValueFallsBackToItWithAnHonestInterval() {
        // 2 s steps, a 60 s day (season 30), like local mode.
        VolumeForecasts f = new VolumeForecasts(new VolumeForecasts.Config(Duration.ofSeconds(2), 8, 96, 48, 200, 0.9,
                Duration.ofSeconds(60)));
        java.util.Random rnd = new java.util.Random(11);
        int lead = 4;
        double publishedErr = 0;
        double baselineErr = 0;
        int scored = 0;
        int inside = 0;
        int withBand = 0;
        String lastModel = "";
        java.util.Map<Integer, double[]> due = new java.util.HashMap<>();
        double[] actual = new double[600];
        for (int i = 0; i < actual.length; i++) {
            int phase = i % 30;
            actual[i] = (phase >= 10 && phase < 14 ? 1000 : 20) + 5 * rnd.nextGaussian();
        }
        for (int i = 0; i < actual.length; i++) {
            f.beginPass();
            f.observe("batch", T0.plusSeconds(2L * i), GIB, actual[i]);
            VolumeForecasts.Outlook o = f.access("batch", Duration.ofSeconds(2L * lead));
            if (o != null) {
                // Made with step i pending and i-1 the last committed: for step i - 1 + lead.
                due.put(i - 1 + lead, new double[] {o.value(), o.lower(), o.upper()});
                lastModel = o.model();
            }
            double[] p = due.remove(i);
            if (p != null && i >= 300) {
                scored++;
                publishedErr += Math.abs(p[0] - actual[i]);
                baselineErr += Math.abs(actual[i - 30] - actual[i]);
                if (!Double.isNaN(p[1])) {
                    withBand++;
                    inside += p[1] <= actual[i] && actual[i] <= p[2] ? 1 : 0;
                }
            }
        }
        assertThat(scored).isGreaterThan(250);
        assertThat(publishedErr / scored).as("published MAE vs the day-earlier MAE %.1f (last model: %s)",
                baselineErr / scored, lastModel).isLessThanOrEqualTo(1.05 * baselineErr / scored);
        assertThat(lastModel).startsWith("same time a day earlier");
        assertThat((double) inside / withBand).as("coverage of the 90%% intervals").isBetween(0.8, 1.0);
    }
}
