package dev.prescient.predict.forecast;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/** Derivative-free minimiser for the few smoothing parameters of a forecaster. */
final class NelderMead {

    private NelderMead() {
    }

    static double[] minimise(ToDoubleFunction<double[]> f, double[] start, double step, int maxEvals) {
        int n = start.length;
        double[][] p = new double[n + 1][];
        double[] v = new double[n + 1];
        p[0] = start.clone();
        for (int i = 0; i < n; i++) {
            p[i + 1] = start.clone();
            p[i + 1][i] += step;
        }
        int evals = 0;
        for (int i = 0; i <= n; i++) {
            v[i] = safe(f.applyAsDouble(p[i]));
            evals++;
        }
        Integer[] order = new Integer[n + 1];
        while (evals < maxEvals) {
            for (int i = 0; i <= n; i++) {
                order[i] = i;
            }
            final double[] vv = v;
            Arrays.sort(order, (a, b) -> Double.compare(vv[a], vv[b]));
            int best = order[0];
            int worst = order[n];
            int second = order[n - 1];
            if (Math.abs(v[worst] - v[best]) <= 1e-10 * (Math.abs(v[best]) + 1e-300)) {
                break;
            }
            double[] c = new double[n];
            for (int i = 0; i <= n; i++) {
                if (i != worst) {
                    for (int d = 0; d < n; d++) {
                        c[d] += p[i][d] / n;
                    }
                }
            }
            double[] xr = lerp(c, p[worst], -1);
            double fr = safe(f.applyAsDouble(xr));
            evals++;
            if (fr < v[best]) {
                double[] xe = lerp(c, p[worst], -2);
                double fe = safe(f.applyAsDouble(xe));
                evals++;
                if (fe < fr) {
                    p[worst] = xe;
                    v[worst] = fe;
                } else {
                    p[worst] = xr;
                    v[worst] = fr;
                }
            } else if (fr < v[second]) {
                p[worst] = xr;
                v[worst] = fr;
            } else {
                double[] xc = lerp(c, p[worst], 0.5);
                double fc = safe(f.applyAsDouble(xc));
                evals++;
                if (fc < v[worst]) {
                    p[worst] = xc;
                    v[worst] = fc;
                } else {
                    for (int i = 0; i <= n; i++) {
                        if (i != best) {
                            p[i] = lerp(p[best], p[i], 0.5);
                            v[i] = safe(f.applyAsDouble(p[i]));
                            evals++;
                        }
                    }
                }
            }
        }
        int bi = 0;
        for (int i = 1; i <= n; i++) {
            if (v[i] < v[bi]) {
                bi = i;
            }
        }
        return p[bi];
    }

    /** c + t * (x - c). */
    private static double[] lerp(double[] c, double[] x, double t) {
        double[] r = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            r[i] = c[i] + t * (x[i] - c[i]);
        }
        return r;
    }

    private static double safe(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }
}
