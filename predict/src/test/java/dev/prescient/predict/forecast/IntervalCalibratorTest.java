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
}
