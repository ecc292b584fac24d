package dev.prescient.predict.failure;

import java.util.List;
import java.util.Random;

/** Synthetic SMART data where failing drives carry reallocated/pending sectors, with gaps. */
final class SyntheticDrives {

    static final List<String> COLUMNS = List.of("smart_5_raw", "smart_9_raw", "smart_194_raw", "smart_197_raw",
            "smart_187_normalized");

    final double[][] rows;
    final int[] labels;

    SyntheticDrives(int n, double failRate, double missingRate, long seed) {
        Random r = new Random(seed);
        rows = new double[n][];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            boolean fail = r.nextDouble() < failRate;
            labels[i] = fail ? 1 : 0;
            double realloc = fail ? (r.nextDouble() < 0.7 ? Math.exp(r.nextGaussian() * 2 + 3) : 0)
                    : (r.nextDouble() < 0.01 ? r.nextInt(3) : 0);
            double pending = fail ? (r.nextDouble() < 0.5 ? r.nextInt(50) : 0) : 0;
            rows[i] = new double[] {realloc, 10000 + r.nextInt(30000), 25 + r.nextGaussian() * 3, pending,
                    fail && r.nextDouble() < 0.4 ? 90 : 100};
            for (int c = 0; c < rows[i].length; c++) {
                if (r.nextDouble() < missingRate) {
                    rows[i][c] = Double.NaN;
                }
            }
        }
    }
}
