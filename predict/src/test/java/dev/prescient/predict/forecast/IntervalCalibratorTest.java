package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IntervalCalibratorTest {

    @Test
    void undefinedUntilEnoughErrors() {
        IntervalCalibrator c = new IntervalCalibrator(4, 100);
        for (int i = 0; i < IntervalCalibrator.MIN_ERRORS - 1; i++) {
            c.record(1, i);
        }
        assertThat(c.offsets(1, 0.9)).containsOnly(Double.NaN);
        c.record(1, 1);
        assertThat(c.offsets(1, 0.9)[0]).isNotNaN();
    }

    @Test
    void skewedErrorsGiveAsymmetricCalibratedBounds() {
        IntervalCalibrator c = new IntervalCalibrator(1, 5000);
        Random r = new Random(1);
        double[] draws = new double[5000];
        for (int i = 0; i < draws.length; i++) {
            // Exponential errors minus their median: heavy right tail, short left tail.
            draws[i] = -Math.log(r.nextDouble()) - Math.log(2);
            c.record(1, draws[i]);
        }
        double[] off = c.offsets(1, 0.9);
        assertThat(off[1]).isGreaterThan(-off[0] * 2);
        // Fresh draws from the same distribution are covered ~90% of the time.
        int covered = 0;
        for (int i = 0; i < 20000; i++) {
            double e = -Math.log(r.nextDouble()) - Math.log(2);
            if (e >= off[0] && e <= off[1]) {
                covered++;
            }
        }
        assertThat(covered / 20000.0).isCloseTo(0.9, within(0.02));
    }

    @Test
    void longerHorizonsBorrowFromShorterOnesScaled() {
        IntervalCalibrator c = new IntervalCalibrator(4, 100);
        for (int i = 0; i < 50; i++) {
            c.record(1, i % 2 == 0 ? 1 : -1);
        }
        assertThat(c.offsets(4, 0.9)).containsExactly(-2.0, 2.0);
    }

    @Test
    void exceedanceFractionIsSmoothedAwayFromZeroAndOne() {
        IntervalCalibrator c = new IntervalCalibrator(1, 100);
        for (int i = 0; i < 20; i++) {
            c.record(1, 0);
        }
        assertThat(c.fractionAtLeast(1, 5)).isGreaterThan(0).isLessThan(0.05);
        assertThat(c.fractionAtLeast(1, -5)).isLessThan(1).isGreaterThan(0.95);
    }

    /** Share of errors outside the interval issued just before each was seen. */
    private static double missRate(IntervalCalibrator c, double[] errors, double gamma) {
        int miss = 0;
        for (double e : errors) {
            double[] off = c.offsets(1, 0.9);
            if (e < off[0] || e > off[1]) {
                miss++;
            }
            c.adapt(1, e, 0.9, gamma);
            c.record(1, e);
        }
        return (double) miss / errors.length;
    }

    @Test
    void adaptiveLevelRestoresCoverageAfterTheNoiseTriples() {
        // a long window calibrated on calm errors, then the series turns three times as noisy:
        // the window alone keeps under-covering for a long time, the adapted level catches up
        Random r = new Random(3);
        double[] calm = new double[2000];
        double[] rough = new double[1500];
        for (int i = 0; i < calm.length; i++) {
            calm[i] = r.nextGaussian();
        }
        for (int i = 0; i < rough.length; i++) {
            rough[i] = 3 * r.nextGaussian();
        }
        IntervalCalibrator fixed = new IntervalCalibrator(1, 2000);
        IntervalCalibrator adaptive = new IntervalCalibrator(1, 2000);
        missRate(fixed, calm, 0);
        missRate(adaptive, calm, 0.01);
        assertThat(adaptive.adaptedAlpha(1, 0.9)).isCloseTo(0.1, within(0.05));
        double fixedMiss = missRate(fixed, rough, 0);
        double adaptiveMiss = missRate(adaptive, rough, 0.01);
        assertThat(fixedMiss).isGreaterThan(0.3);
        assertThat(adaptiveMiss).isLessThan(fixedMiss - 0.1);
        assertThat(fixed.adaptedAlpha(1, 0.9)).isCloseTo(0.1, within(1e-12)); // gamma 0: no adaptation
    }

    @Test
    void adaptiveLevelNarrowsWhenEverythingIsCoveredAndStaysInBounds() {
        IntervalCalibrator c = new IntervalCalibrator(1, 100);
        for (int i = 0; i < 100; i++) {
            c.record(1, i % 2 == 0 ? 10 : -10);
        }
        for (int i = 0; i < 1000; i++) {
            c.adapt(1, 0, 0.9, 0.05); // always inside: the level relaxes
        }
        assertThat(c.adaptedAlpha(1, 0.9)).isCloseTo(IntervalCalibrator.MAX_ALPHA, within(1e-12));
        for (int i = 0; i < 1000; i++) {
            c.adapt(1, 1e9, 0.9, 0.05); // always outside: the level tightens to its floor
        }
        assertThat(c.adaptedAlpha(1, 0.9)).isCloseTo(IntervalCalibrator.MIN_ALPHA, within(1e-12));
        double[] off = c.offsets(1, 0.9);
        assertThat(off[0]).isEqualTo(-10.0);
        assertThat(off[1]).isEqualTo(10.0);
    }

    @Test
    void adaptedLevelSurvivesARoundTrip() throws java.io.IOException {
        IntervalCalibrator c = new IntervalCalibrator(2, 50);
        Random r = new Random(4);
        for (int i = 0; i < 200; i++) {
            double e = r.nextGaussian() * (i < 100 ? 1 : 4);
            c.adapt(2, e, 0.9, 0.02);
            c.record(2, e);
        }
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        c.writeState(new java.io.DataOutputStream(bo));
        IntervalCalibrator d = IntervalCalibrator.readState(
                new java.io.DataInputStream(new java.io.ByteArrayInputStream(bo.toByteArray())));
        assertThat(d.adaptedAlpha(2, 0.9)).isEqualTo(c.adaptedAlpha(2, 0.9)).isNotEqualTo(0.1);
        assertThat(d.offsets(2, 0.9)[1]).isCloseTo(c.offsets(2, 0.9)[1], within(1e-5));
    }
}
