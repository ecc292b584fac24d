package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HealthSignalTrackerTest {

    @Test
    void emptyAndShortHistoriesGiveNaN() {
        HealthSignalTracker t = new HealthSignalTracker(64);
        assertThat(t.zScore(5)).isNaN();
        t.observe(1);
        assertThat(t.zScore(5)).isNaN();
    }

    @Test
    void robustZIgnoresPastSpikes() {
        HealthSignalTracker t = new HealthSignalTracker(64);
        for (int i = 0; i < 60; i++) {
            t.observe(9 + i % 3); // 9, 10, 11: median 10, MAD 1
        }
        t.observe(10_000); // one spike does not move median or MAD much
        assertThat(t.zScore(10)).isCloseTo(0, within(1e-9));
        // MAD 1 is below the floor of half the median (5): the scale is 5.
        assertThat(t.zScore(10 + 5 * 6)).isCloseTo(6, within(1e-9));
        assertThat(t.zScore(5)).isNegative();
    }

    @Test
    void constantHistoryHasAFiniteScale() {
        HealthSignalTracker t = new HealthSignalTracker(16);
        for (int i = 0; i < 16; i++) {
            t.observe(2.0);
        }
        assertThat(t.zScore(2.0)).isZero();
        assertThat(t.zScore(4.0)).as("twice the usual value").isCloseTo(2, within(1e-9));
        assertThat(t.zScore(18.0)).as("nine times the usual value").isFinite().isGreaterThan(10);
        HealthSignalTracker zero = new HealthSignalTracker(16);
        for (int i = 0; i < 16; i++) {
            zero.observe(0.0);
        }
        assertThat(zero.zScore(0.01)).isFinite().isPositive();
    }

    @Test
    void missingSamplesAreIgnored() {
        HealthSignalTracker t = new HealthSignalTracker(16);
        for (int i = 0; i < 20; i++) {
            t.observe(Double.NaN);
        }
        assertThat(t.history()).isZero();
        assertThat(t.zScore(Double.NaN)).isNaN();
    }

    @Test
    void anomalyProbabilityOnlyRisesWithUpwardDeviations() {
        assertThat(HealthSignalTracker.anomalyProbability(Double.NaN, Double.NaN)).isZero();
        assertThat(HealthSignalTracker.anomalyProbability(-20, -20)).isZero();
        assertThat(HealthSignalTracker.anomalyProbability(6, Double.NaN)).isCloseTo(0.5, within(1e-12));
        assertThat(HealthSignalTracker.anomalyProbability(1, 9)).isGreaterThan(0.9);
        assertThat(HealthSignalTracker.anomalyProbability(2, 1)).isLessThan(0.05);
    }

    @Test
    void aWideHistoryKeepsItsMadScale() {
        HealthSignalTracker t = new HealthSignalTracker(64);
        for (int i = 0; i < 60; i++) {
            t.observe(i % 2 == 0 ? 2 : 18); // median 10, MAD 8: 1.4826 * 8 > 5
        }
        assertThat(t.zScore(10 + 1.4826 * 8 * 3)).isCloseTo(3, within(1e-9));
    }

    @Test
    void aDeviceThatKeepsGettingSlowerStaysAnomalousUntilAWholeWindowSaysOtherwise() {
        HealthSignalTracker held = new HealthSignalTracker(32);
        HealthSignalTracker plain = new HealthSignalTracker(32);
        for (int i = 0; i < 10; i++) {
            held.observe(6.0);
            plain.observe(6.0);
        }
        // Latency climbs to 8x and stays there for 20 reports.
        for (int i = 0; i < 20; i++) {
            held.observeUnlessAnomalous(48.0, 3.5);
            plain.observe(48.0);
        }
        assertThat(plain.zScore(48.0)).as("added as they came, slow became normal").isLessThan(1);
        assertThat(held.zScore(48.0)).as("held back, still far above the healthy past").isGreaterThan(3.5);
        // A whole window more of it: the new level is the device's normal.
        for (int i = 0; i < 40; i++) {
            held.observeUnlessAnomalous(48.0, 3.5);
        }
        assertThat(held.zScore(48.0)).isLessThan(1);
        // Ordinary values are always added.
        HealthSignalTracker t = new HealthSignalTracker(16);
        for (int i = 0; i < 10; i++) {
            t.observe(6.0);
        }
        t.observeUnlessAnomalous(7.0, 3.5);
        assertThat(t.history()).isEqualTo(11);
    }

    @Test
    void aSlowDriftIsScoredAgainstTheDevicesOlderHistory() {
        // p99 latency in log2 buckets (ms), as the agents report it: a healthy hdd at 12.3 ms, then a decline by
        // one bucket every eight reports. No report is more than 2x the history's median when it arrives.
        double[] healthy = {12.3, 12.3, 24.6, 12.3, 12.3, 12.3, 24.6, 12.3, 12.3, 12.3};
        HealthSignalTracker t = new HealthSignalTracker(64);
        HealthSignalTracker perReport = new HealthSignalTracker(64); // the z of each report alone decides
        for (double v : healthy) {
            t.observeUnlessAnomalous(v, 3.5);
            perReport.observeUnlessAnomalous(v, 3.5);
        }
        double last = 0;
        for (double level : new double[] {24.6, 49.2}) {
            for (int i = 0; i < 8; i++) {
                last = t.score(level);
                t.observeUnlessAnomalous(level, 3.5);
                if (perReport.zScore(level) <= 3.5) {
                    perReport.observe(level);
                }
            }
        }
        assertThat(perReport.zScore(49.2)).as("the decline taught the per-report history").isLessThan(3.5);
        // Against the older half (12.3 ms, scale 6.15): 49.2 ms is 6 deviations up, p 0.5.
        assertThat(last).isCloseTo(6, within(0.01));
        for (int i = 0; i < HealthSignalTracker.RECENT; i++) {
            last = t.score(98.3);
            t.observeUnlessAnomalous(98.3, 3.5);
        }
        assertThat(last).as("the held-back decline does not raise the reference").isCloseTo(14, within(0.1));
        assertThat(HealthSignalTracker.anomalyProbability(last, Double.NaN)).isGreaterThan(0.99);
    }

    @Test
    void aNoisyButSteadyDeviceDoesNotDrift() {
        java.util.Random rnd = new java.util.Random(7);
        HealthSignalTracker t = new HealthSignalTracker(64);
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 500; i++) {
            double v = rnd.nextBoolean() ? 12.3 : 24.6; // a p99 that straddles two buckets
            double s = t.score(v);
            if (!Double.isNaN(s)) {
                worst = Math.max(worst, s);
            }
            t.observeUnlessAnomalous(v, 3.5);
        }
        assertThat(worst).isLessThan(3.5);
    }

    @Test
    void oneSpikeIsNotADrift() {
        HealthSignalTracker t = new HealthSignalTracker(64);
        for (int i = 0; i < 20; i++) {
            t.observeUnlessAnomalous(10, 3.5);
        }
        assertThat(t.driftScore(80)).as("the current level is the lowest of the last reports").isZero();
        assertThat(t.score(80)).as("one slow report alone is not anomalous").isZero();
        for (int i = 0; i < 3; i++) {
            t.observeUnlessAnomalous(80, 3.5);
            assertThat(t.score(80)).as("%d reports in a row at 80", i + 2).isZero();
        }
        t.observeUnlessAnomalous(80, 3.5);
        assertThat(t.driftScore(80)).as("five reports in a row at 80").isCloseTo(14, within(1e-9));
        assertThat(t.score(80)).isCloseTo(14, within(1e-9));
        assertThat(t.driftScore(Double.NaN)).isNaN();
        assertThat(new HealthSignalTracker(64).score(5)).isNaN();
    }
}
