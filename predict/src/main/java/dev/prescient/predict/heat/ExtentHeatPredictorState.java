package dev.prescient.predict.heat;

import static dev.prescient.predict.heat.CohortRevival.COHORTS;
import static dev.prescient.predict.heat.ExtentHeatPredictor.FEATURES;
import static dev.prescient.predict.heat.ExtentHeatPredictor.FRONTIER_BANDS;
import static dev.prescient.predict.heat.ExtentHeatPredictor.MAGIC;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_COUNT;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_LAST;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_LONG;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_MID;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_SHORT;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_SUCC;
import static dev.prescient.predict.heat.ExtentHeatPredictor.R_WINDOWS;
import static dev.prescient.predict.heat.ExtentHeatPredictor.STREAMS;
import static dev.prescient.predict.heat.ExtentHeatPredictor.STRIDE;
import static dev.prescient.predict.heat.ExtentHeatPredictor.VERSION;

import dev.prescient.predict.common.ModelFormatException;
import dev.prescient.predict.common.ModelIO;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The persisted form of an {@link ExtentHeatPredictor}: per-extent decayed counts, the model, the
 * stream table, the frontier calibration and the cohort rates. Corrupt input is refused with a
 * {@link ModelFormatException}, never read into a predictor that answers nonsense.
 */
final class ExtentHeatPredictorState {
    private ExtentHeatPredictorState() {
    }

    private static double nonNegative(double v, String what) throws ModelFormatException {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, what + " " + v);
        }
        return v;
    }

    static void write(ExtentHeatPredictor p, DataOutputStream out) throws IOException {
        ModelIO.writeHeader(out, MAGIC, VERSION);
        out.writeDouble(p.window);
        out.writeLong(p.landmark);
        int n = p.index.size();
        out.writeInt(n);
        for (int s = 0; s < n; s++) {
            out.writeLong(p.index.keyAt(s));
            out.writeFloat(p.shortSum(s));
            out.writeFloat(p.midSum(s));
            out.writeFloat(p.longSum(s));
            out.writeLong(p.last(s));
            out.writeInt(p.countAt(s));
            out.writeInt(p.succ(s));
            out.writeFloat(p.windowSum(s));
        }
        out.writeInt(p.prevSlot);
        p.model.write(out);
        out.writeInt(p.streams.size());
        for (int j = 0; j < p.streams.size(); j++) {
            out.writeLong(p.streams.last[j]);
            out.writeLong(p.streams.mark[j]);
            out.writeLong(p.streams.touch[j]);
            out.writeDouble(p.streams.advance[j]);
        }
        for (int b = 0; b < FRONTIER_BANDS; b++) {
            out.writeDouble(p.bandHits[b]);
            out.writeDouble(p.bandCount[b]);
        }
        out.writeLong(p.cohorts.windowStart);
        for (int a = 0; a < COHORTS; a++) {
            out.writeDouble(p.cohorts.pop[a]);
            out.writeDouble(p.cohorts.revived[a]);
            out.writeDouble(p.cohorts.rate[a]);
        }
    }

    /**
     * Restores a predictor. The pending training sample is not saved: learning resumes from the
     * first full window after the restart.
     */
    static ExtentHeatPredictor read(DataInputStream in) throws IOException {
        ModelIO.readHeader(in, MAGIC, VERSION);
        double window = in.readDouble();
        if (!(window > 0) || Double.isInfinite(window)) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "window " + window);
        }
        long landmark = in.readLong();
        int n = ModelIO.checkedCount(in.readInt(), Integer.MAX_VALUE - 8, "extent");
        ExtentHeatPredictor p = new ExtentHeatPredictor(window, Math.max(16, n));
        p.landmark = landmark;
        for (int i = 0; i < n; i++) {
            int s = p.index.intern(in.readLong());
            if (s != i) {
                throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "duplicate extent at " + i);
            }
            if (s >= p.slotCapacity()) {
                p.growSlots(p.index.slotCapacity());
            }
            int b = s * STRIDE;
            p.rec[b + R_SHORT] = Float.floatToRawIntBits(in.readFloat());
            p.rec[b + R_MID] = Float.floatToRawIntBits(in.readFloat());
            p.rec[b + R_LONG] = Float.floatToRawIntBits(in.readFloat());
            long lastTime = in.readLong();
            p.rec[b + R_LAST] = (int) (lastTime >>> 32);
            p.rec[b + R_LAST + 1] = (int) lastTime;
            p.rec[b + R_COUNT] = in.readInt();
            int sc = in.readInt();
            if (sc < 0 || sc > n) {
                throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "successor " + sc);
            }
            p.rec[b + R_SUCC] = sc;
            p.rec[b + R_WINDOWS] = Float.floatToRawIntBits(in.readFloat());
        }
        int prev = in.readInt();
        if (prev < -1 || prev >= n) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "previous slot " + prev);
        }
        p.prevSlot = prev;
        OnlinePoissonRegression m = OnlinePoissonRegression.read(in);
        if (m.features() != FEATURES) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "features " + m.features());
        }
        p.model.copyFrom(m);
        int ns = ModelIO.checkedCount(in.readInt(), STREAMS, "stream");
        long[] sl = new long[ns];
        long[] sm = new long[ns];
        long[] st = new long[ns];
        double[] sa = new double[ns];
        for (int j = 0; j < ns; j++) {
            sl[j] = in.readLong();
            sm[j] = in.readLong();
            st[j] = in.readLong();
            sa[j] = in.readDouble();
        }
        p.streams.restore(ns, sl, sm, st, sa);
        for (int b = 0; b < FRONTIER_BANDS; b++) {
            p.bandHits[b] = in.readDouble();
            p.bandCount[b] = in.readDouble();
        }
        p.cohorts.windowStart = in.readLong();
        for (int a = 0; a < COHORTS; a++) {
            p.cohorts.pop[a] = nonNegative(in.readDouble(), "cohort size");
            p.cohorts.revived[a] = nonNegative(in.readDouble(), "cohort revivals");
            p.cohorts.rate[a] = nonNegative(in.readDouble(), "cohort revival rate");
        }
        return p;
    }
}
