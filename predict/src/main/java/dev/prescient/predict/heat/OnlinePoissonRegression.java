package dev.prescient.predict.heat;

import dev.prescient.predict.common.ModelFormatException;
import dev.prescient.predict.common.ModelIO;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Online Poisson regression (log link) trained by AdaGrad: predicts an expected count
 * exp(w . x). It is the learned part of the heat predictor: it learns, per deployment and
 * online, how much each statistic (short/long decayed counts, recency, co-access) says about
 * the next window, instead of a hand-set blend. Written here rather than pulled from a library
 * because it is a dozen lines and must update in place per sample without allocation.
 */
public final class OnlinePoissonRegression {
    private static final int MAGIC = 0x50524547; // "PREG"
    private static final int VERSION = 1;
    private static final double MAX_ETA = 12;
    private static final double CLIP = 4;

    private final double[] w;
    private final double[] g2;
    private final double rate;
    private long updates;

    public OnlinePoissonRegression(int features, double rate) {
        if (features <= 0 || !(rate > 0)) {
            throw new IllegalArgumentException("need features > 0 and rate > 0");
        }
        this.w = new double[features];
        this.g2 = new double[features];
        this.rate = rate;
    }

    public int features() {
        return w.length;
    }

    public long updates() {
        return updates;
    }

    /** The live weight array, for callers that compute w . x from sparse features themselves. */
    double[] weightsView() {
        return w;
    }

    public double[] weights() {
        return w.clone();
    }

    /** Sets the starting weights (a prior); the step-size history is kept. */
    public void setWeights(double[] weights) {
        if (weights.length != w.length) {
            throw new IllegalArgumentException("expected " + w.length + " weights, got " + weights.length);
        }
        System.arraycopy(weights, 0, w, 0, w.length);
    }

    /** Copies weights, step-size history and update count from another model of the same shape. */
    public void copyFrom(OnlinePoissonRegression o) {
        if (o.w.length != w.length) {
            throw new IllegalArgumentException("shape mismatch");
        }
        System.arraycopy(o.w, 0, w, 0, w.length);
        System.arraycopy(o.g2, 0, g2, 0, g2.length);
        updates = o.updates;
    }

    /** Linear predictor w . x, clamped so exp never overflows. */
    public double eta(double[] x) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i] * x[i];
        }
        return Math.max(-30, Math.min(MAX_ETA, s));
    }

    public double predict(double[] x) {
        return Math.exp(eta(x));
    }

    /** One AdaGrad step on the Poisson log-likelihood for an observed count y >= 0. */
    public void update(double[] x, double y) {
        // clipped: one wild early error would otherwise shrink AdaGrad's steps for good
        double err = Math.max(-CLIP, Math.min(CLIP, predict(x) - y));
        for (int i = 0; i < w.length; i++) {
            double g = err * x[i];
            if (g == 0) {
                continue;
            }
            g2[i] += g * g;
            w[i] -= rate * g / Math.sqrt(g2[i] + 1e-8);
        }
        updates++;
    }

    public void write(DataOutputStream out) throws IOException {
        ModelIO.writeHeader(out, MAGIC, VERSION);
        out.writeInt(w.length);
        out.writeDouble(rate);
        out.writeLong(updates);
        for (int i = 0; i < w.length; i++) {
            out.writeDouble(w[i]);
            out.writeDouble(g2[i]);
        }
    }

    public static OnlinePoissonRegression read(DataInputStream in) throws IOException {
        ModelIO.readHeader(in, MAGIC, VERSION);
        int n = ModelIO.checkedCount(in.readInt(), 1 << 16, "feature");
        double rate = in.readDouble();
        if (!(rate > 0)) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "learning rate " + rate);
        }
        OnlinePoissonRegression m = new OnlinePoissonRegression(n, rate);
        m.updates = in.readLong();
        for (int i = 0; i < n; i++) {
            m.w[i] = in.readDouble();
            m.g2[i] = in.readDouble();
        }
        return m;
    }

    @Override
    public String toString() {
        return "OnlinePoissonRegression" + Arrays.toString(w);
    }
}
