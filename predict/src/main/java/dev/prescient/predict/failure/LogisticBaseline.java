package dev.prescient.predict.failure;

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS), on the same
 * {@link FeatureSchema} features with missing values set to the training mean plus one presence
 * flag per feature, standardised. It exists to measure the boosted trees against the obvious
 * simpler model in the harness; the trees are kept because they handle missing values and
 * threshold effects in counters without this imputation.
 */
public final class LogisticBaseline {

    private final double[] mean;
    private final double[] sd;
    private final double[] w;

    private LogisticBaseline(double[] mean, double[] sd, double[] w) {
        this.mean = mean;
        this.sd = sd;
        this.w = w;
    }

    /** Fits on feature rows (NaN = missing) with penalty {@code lambda} on all but the bias. */
    public static LogisticBaseline fit(double[][] x, int[] y, double lambda) {
        if (x.length == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        int f = x[0].length;
        double[] mean = new double[f];
        int[] n = new int[f];
        for (double[] row : x) {
            for (int j = 0; j < f; j++) {
                if (!Double.isNaN(row[j])) {
                    mean[j] += row[j];
                    n[j]++;
                }
            }
        }
        for (int j = 0; j < f; j++) {
            mean[j] = n[j] == 0 ? 0 : mean[j] / n[j];
        }
        double[] sd = new double[2 * f];
        double[] mu = new double[2 * f];
        double[][] z = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            z[i] = expand(x[i], mean);
        }
        for (int j = 0; j < 2 * f; j++) {
            double s = 0;
            double s2 = 0;
            for (double[] row : z) {
                s += row[j];
                s2 += row[j] * row[j];
            }
            mu[j] = s / z.length;
            sd[j] = Math.sqrt(Math.max(s2 / z.length - mu[j] * mu[j], 0));
        }
        for (double[] row : z) {
            for (int j = 0; j < 2 * f; j++) {
                row[j] = sd[j] > 0 ? (row[j] - mu[j]) / sd[j] : 0;
            }
        }
        int d = 2 * f + 1;
        double[] w = new double[d];
        long pos = java.util.Arrays.stream(y).filter(v -> v == 1).count();
        double rate = (pos + 0.5) / (y.length + 1.0);
        w[d - 1] = Math.log(rate / (1 - rate));
        for (int iter = 0; iter < 25; iter++) {
            double[] g = new double[d];
            double[][] h = new double[d][d];
            for (int i = 0; i < z.length; i++) {
                double p = sigmoid(dot(w, z[i]));
                double r = p - y[i];
                double q = Math.max(p * (1 - p), 1e-9);
                for (int a = 0; a < d; a++) {
                    double za = a == d - 1 ? 1 : z[i][a];
                    g[a] += r * za;
                    for (int b = 0; b <= a; b++) {
                        double zb = b == d - 1 ? 1 : z[i][b];
                        h[a][b] += q * za * zb;
                    }
                }
            }
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < a; b++) {
                    h[b][a] = h[a][b];
                }
                if (a < d - 1) {
                    g[a] += lambda * w[a];
                    h[a][a] += lambda;
                }
            }
            double[] step = solve(h, g);
            // Damped Newton: halve the step until the penalised loss does not rise, because
            // with rare positives a full step can overshoot into a flat, saturated region.
            double before = loss(w, z, y, lambda);
            double t = 1;
            double[] next = new double[d];
            for (int tries = 0; tries < 30; tries++) {
                for (int a = 0; a < d; a++) {
                    next[a] = w[a] - t * step[a];
                }
                if (loss(next, z, y, lambda) <= before) {
                    break;
                }
                t /= 2;
            }
            double maxStep = 0;
            for (int a = 0; a < d; a++) {
                maxStep = Math.max(maxStep, Math.abs(next[a] - w[a]));
                w[a] = next[a];
            }
            if (maxStep < 1e-6) {
                break;
            }
        }
        // Fold the standardisation into the stored transform.
        double[] m2 = new double[2 * f + f];
        System.arraycopy(mean, 0, m2, 0, f);
        System.arraycopy(mu, 0, m2, f, 2 * f);
        return new LogisticBaseline(m2, sd, w);
    }

    private static double loss(double[] w, double[][] z, int[] y, double lambda) {
        double l = 0;
        for (int i = 0; i < z.length; i++) {
            double m = dot(w, z[i]);
            // log(1 + e^m) - y m, computed without overflow.
            l += (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - y[i] * m;
        }
        for (int a = 0; a < w.length - 1; a++) {
            l += 0.5 * lambda * w[a] * w[a];
        }
        return l;
    }

    public double probability(double[] features) {
        int f = sd.length / 2;
        double[] imputeMean = java.util.Arrays.copyOf(mean, f);
        double[] z = expand(features, imputeMean);
        for (int j = 0; j < z.length; j++) {
            z[j] = sd[j] > 0 ? (z[j] - mean[f + j]) / sd[j] : 0;
        }
        return sigmoid(dot(w, z));
    }

    /** Values with missing replaced by the mean, followed by presence flags. */
    private static double[] expand(double[] x, double[] mean) {
        int f = x.length;
        double[] z = new double[2 * f];
        for (int j = 0; j < f; j++) {
            boolean missing = Double.isNaN(x[j]);
            z[j] = missing ? mean[j] : x[j];
            z[f + j] = missing ? 0 : 1;
        }
        return z;
    }

    private static double dot(double[] w, double[] z) {
        double s = w[w.length - 1];
        for (int j = 0; j < z.length; j++) {
            s += w[j] * z[j];
        }
        return s;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Gaussian elimination with partial pivoting; the ridge keeps the system well posed. */
    static double[] solve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double tb = b[c];
            b[c] = b[p];
            b[p] = tb;
            if (Math.abs(a[c][c]) < 1e-12) {
                a[c][c] = 1e-12;
            }
            for (int r = c + 1; r < n; r++) {
                double m = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) {
                    a[r][k] -= m * a[c][k];
                }
                b[r] -= m * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
