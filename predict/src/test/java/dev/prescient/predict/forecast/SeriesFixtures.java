package dev.prescient.predict.forecast;

import java.util.Random;

/** Synthetic series with known structure for forecaster tests. */
final class SeriesFixtures {

    private SeriesFixtures() {
    }

    /** Positive daily-seasonal series with multiplicative noise, period {@code m}. */
    static double[] seasonal(int n, int m, double noise, long seed) {
        Random r = new Random(seed);
        double[] y = new double[n];
        for (int t = 0; t < n; t++) {
            double season = 1 + 0.6 * Math.sin(2 * Math.PI * t / m);
            y[t] = 1e9 * season * Math.exp(noise * r.nextGaussian());
        }
        return y;
    }

    static double[] constant(int n, double v) {
        double[] y = new double[n];
        java.util.Arrays.fill(y, v);
        return y;
    }
}
