package dev.prescient.predict.heat;

import dev.prescient.predict.common.LongIntOpenMap;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Predicts how many accesses each extent will get over the next {@link #HORIZON} windows (which
 * extents will be hot), from access events (extent, time).
 *
 * <p>Statistics kept per tracked extent, all O(1) per event: decayed counts at three half-lives
 * (window/4, window, 8 windows) stored against a shared landmark (one {@code exp} per event,
 * no per-tick work), the last access time, the total count and the Markov successor (the extent
 * that last followed it). A small table of sequential streams proposes extents nobody has read
 * yet (the frontier ahead of a stream).
 *
 * <p>These are combined by an {@link OnlinePoissonRegression} trained at every window end on a
 * uniform sample of extents, labelled with the accesses they actually got; it starts from a
 * heat-like prior so its first windows are sensible. Frontier extents get an expected count
 * calibrated online per distance band (how many accesses such proposals really got).
 * All rankings are in the same unit, expected accesses over the horizon, so tracked and frontier
 * extents compete fairly for fast-tier space.
 */
public final class ExtentHeatPredictor {
    static final int MAGIC = 0x48454154; // "HEAT"
    static final int VERSION = 3;
    /**
     * bias, log1p(short), log1p(mid), log1p(long), recency, log1p(co-access in), log1p(total),
     * log1p(decayed count of windows with a read), log1p(16 x revival rate of the extent's cohort).
     */
    static final int CONTINUOUS = 9;
    /** Six one-hot bins each for the short, mid and long counts and the age: shapes a line can't. */
    static final int BINS = 6;
    static final int FEATURES = CONTINUOUS + 4 * BINS;
    private static final double[] PRIOR = new double[FEATURES];

    static {
        double[] linear = {-2.0, 0.2, 1.0, 0.2, 0.5, 0.3, 0.0, 0.0};
        System.arraycopy(linear, 0, PRIOR, 0, linear.length);
    }
    private static final double MAX_LANDMARK_EXPONENT = 60; // floats hold up to e^88
    private static final int SAMPLE = 1 << 14;
    static final int STREAMS = 128;
    private static final int STREAM_GAP = 4;
    /** Four distance bands each for: sequential unseen, sequential seen, Markov chain. */
    static final int FRONTIER_BANDS = 12;
    private static final double BAND_DECAY = 0.8;

    final double window;
    private final double lambdaLong; // half-life 8 windows; mid = 8x, short = 32x this
    long landmark;

    final LongIntOpenMap index;
    /**
     * Per-slot state interleaved in one array, STRIDE ints a slot: short, mid and long decayed
     * sums (float bits), last access time (two ints), total count, Markov successor slot + 1,
     * decayed count of windows with an access (float bits).
     * One event touches one or two cache lines here instead of one line in each of six arrays.
     */
    int[] rec;
    static final int STRIDE = 8;
    static final int R_SHORT = 0;
    static final int R_MID = 1;
    static final int R_LONG = 2;
    static final int R_LAST = 3;
    static final int R_COUNT = 5;
    static final int R_SUCC = 6;
    /**
     * Decayed count of the windows in which the extent was read (float bits, half-life 16
     * windows): an extent read once in each of many windows comes back, one read many times in a
     * single burst often does not, and the access counts cannot tell the two apart.
     */
    static final int R_WINDOWS = 7;
    int prevSlot = -1;

    final OnlinePoissonRegression model;

    /** Which older cohorts of extents are being read again (see {@link CohortRevival}). */
    final CohortRevival cohorts;
    /** The model's cohort term per age bucket during a prediction pass. */
    private final double[] cohortTerm = new double[CohortRevival.COHORTS];

    /**
     * What was sampled and proposed at one window end, labelled HORIZON windows later: the
     * predictor learns accesses over the next HORIZON windows, not just the next one, because a
     * page moved to the fast tier stays there for several windows; ranking by the next window
     * alone evicts steadily warm pages for one-shot ones.
     */
    private static final class Batch {
        int[] sampleSlot = new int[0];
        int[] sampleCount = new int[0];
        double[] sampleX = new double[0];
        int sampleSize;
        long[] frontierKey = new long[0];
        byte[] frontierBand = new byte[0];
        int[] frontierCount = new int[0];
        int frontierSize;
    }

    static final int HORIZON = 4;
    private final Batch[] ring = new Batch[HORIZON];
    private Batch cur;
    private long windows;
    private long rng = 0x9E3779B97F4A7C15L;

    final StreamTable streams = new StreamTable(STREAMS, STREAM_GAP);

    // frontier proposals of the previous window end, and their calibration per band
    final double[] bandHits = new double[FRONTIER_BANDS];
    final double[] bandCount = new double[FRONTIER_BANDS];

    private final double[] x = new double[FEATURES];

    private static final int STEPS = 64;
    private final double[] stepWeight = new double[STEPS];
    private long lastTime;
    private double lastWeight;

    /**
     * @param window length of the prediction window in the caller's time unit (must be > 0)
     * @param expectedExtents initial capacity
     */
    public ExtentHeatPredictor(double window, int expectedExtents) {
        if (!(window > 0) || Double.isInfinite(window)) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.window = window;
        this.cohorts = new CohortRevival(window);
        this.lambdaLong = Math.log(2) / (8 * window);
        for (int d = 0; d < STEPS; d++) {
            stepWeight[d] = Math.exp(lambdaLong * d);
        }
        this.index = new LongIntOpenMap(Math.max(16, expectedExtents));
        int cap = index.slotCapacity();
        rec = new int[cap * STRIDE];
        this.model = new OnlinePoissonRegression(FEATURES, 0.1);
        setPrior(model);
        for (int i = 0; i < HORIZON; i++) {
            ring[i] = new Batch();
        }
        cur = ring[0];
        Arrays.fill(bandHits, 0.2);
        Arrays.fill(bandCount, 1.0);
    }

    private static void setPrior(OnlinePoissonRegression m) {
        // AdaGrad from zero weights would rank everything equal for the first windows
        m.setWeights(PRIOR);
    }

    public double window() {
        return window;
    }

    public int tracked() {
        return index.size();
    }

    public long extentAt(int slot) {
        return index.keyAt(slot);
    }

    /** Total accesses recorded for the extent in a slot (0 &lt;= slot &lt; {@link #tracked()}). */
    public int countAtSlot(int slot) {
        return countAt(slot);
    }

    /** Time of the last access to the extent in a slot. */
    public long lastAtSlot(int slot) {
        return last(slot);
    }

    /** Slot of an extent, or -1 when not tracked. */
    public int slotOf(long extent) {
        return index.get(extent);
    }

    /** Total accesses recorded for an extent. */
    public int count(long extent) {
        int s = index.get(extent);
        return s < 0 ? 0 : countAt(s);
    }

    public double[] weights() {
        return model.weights();
    }

    /** Records one access; O(1) amortised. Times must not go backwards by more than a window. */
    public void record(long extent, long time) {
        int s = index.intern(extent);
        if (s >= slotCapacity()) {
            growSlots(index.slotCapacity());
        }
        if (lambdaLong * 32 * (time - landmark) > MAX_LANDMARK_EXPONENT) {
            rebase(time);
        }
        double wl;
        long step = time - lastTime;
        if (step >= 0 && step < STEPS && lastWeight > 0) {
            wl = lastWeight * stepWeight[(int) step]; // events close in time: a multiply, no exp
        } else {
            wl = Math.exp(lambdaLong * (time - landmark));
        }
        lastTime = time;
        lastWeight = wl;
        double wm = wl * wl;
        wm *= wm;
        wm *= wm; // wl^8: mid half-life is 1/8 of the long one
        double ws = wm * wm;
        ws *= ws; // wm^4
        int[] r = rec;
        int b = s * STRIDE;
        if (r[b + R_COUNT] > 0) {
            cohorts.readAgain(last(s));
        }
        r[b + R_SHORT] = Float.floatToRawIntBits(Float.intBitsToFloat(r[b + R_SHORT]) + (float) ws);
        r[b + R_MID] = Float.floatToRawIntBits(Float.intBitsToFloat(r[b + R_MID]) + (float) wm);
        r[b + R_LONG] = Float.floatToRawIntBits(Float.intBitsToFloat(r[b + R_LONG]) + (float) wl);
        if (r[b + R_COUNT] == 0 || Math.floor(last(s) / window) != Math.floor(time / window)) {
            // half-life 16 windows = twice the long one: the square root of its weight
            r[b + R_WINDOWS] = Float.floatToRawIntBits(Float.intBitsToFloat(r[b + R_WINDOWS]) + (float) Math.sqrt(wl));
        }
        r[b + R_LAST] = (int) (time >>> 32);
        r[b + R_LAST + 1] = (int) time;
        if (r[b + R_COUNT] < Integer.MAX_VALUE) {
            r[b + R_COUNT]++;
        }
        if (prevSlot >= 0 && prevSlot != s) {
            r[prevSlot * STRIDE + R_SUCC] = s + 1;
        }
        prevSlot = s;
        streams.observe(extent, time);
    }

    private void rebase(long now) {
        double fl = Math.exp(-lambdaLong * (now - landmark));
        double fm = Math.pow(fl, 8);
        double fs = Math.pow(fl, 32);
        int n = index.size();
        for (int i = 0; i < n; i++) {
            int b = i * STRIDE;
            rec[b + R_SHORT] = Float.floatToRawIntBits(Float.intBitsToFloat(rec[b + R_SHORT]) * (float) fs);
            rec[b + R_MID] = Float.floatToRawIntBits(Float.intBitsToFloat(rec[b + R_MID]) * (float) fm);
            rec[b + R_LONG] = Float.floatToRawIntBits(Float.intBitsToFloat(rec[b + R_LONG]) * (float) fl);
            rec[b + R_WINDOWS] = Float.floatToRawIntBits(Float.intBitsToFloat(rec[b + R_WINDOWS]) * (float) Math.sqrt(fl));
        }
        landmark = now;
        lastWeight = 0; // relative to the old landmark: recompute on the next event
    }

    void growSlots(int cap) {
        rec = Arrays.copyOf(rec, Math.multiplyExact(cap, STRIDE));
    }

    int slotCapacity() {
        return rec.length / STRIDE;
    }

    float shortSum(int s) {
        return Float.intBitsToFloat(rec[s * STRIDE + R_SHORT]);
    }

    float midSum(int s) {
        return Float.intBitsToFloat(rec[s * STRIDE + R_MID]);
    }

    float longSum(int s) {
        return Float.intBitsToFloat(rec[s * STRIDE + R_LONG]);
    }

    float windowSum(int s) {
        return Float.intBitsToFloat(rec[s * STRIDE + R_WINDOWS]);
    }

    /**
     * Decayed count (half-life 16 windows) of the windows in which the extent in a slot was read,
     * at time {@code now}: a long-memory frequency ranking.
     */
    public double windowsAtSlot(int slot, long now) {
        return windowSum(slot) * Math.sqrt(Math.exp(-lambdaLong * (now - landmark)));
    }

    long last(int s) {
        int b = s * STRIDE + R_LAST;
        return (long) rec[b] << 32 | rec[b + 1] & 0xFFFFFFFFL;
    }

    int countAt(int s) {
        return rec[s * STRIDE + R_COUNT];
    }

    int succ(int s) {
        return rec[s * STRIDE + R_SUCC];
    }

    /** Fills the feature vector of a slot at time now; {@code coIn} is its decayed co-access inflow. */
    private void features(int s, double fs, double fm, double fl, long now, double coIn, double[] out) {
        out[0] = 1;
        out[1] = ln1p(shortSum(s) * fs);
        out[2] = ln1p(midSum(s) * fm);
        out[3] = ln1p(longSum(s) * fl);
        out[4] = Math.exp(-(now - last(s)) / window);
        out[5] = ln1p(coIn);
        out[6] = logCount(countAt(s)) / 4;
        out[7] = ln1p(windowSum(s) * Math.sqrt(fl));
        out[8] = ln1p(16 * cohorts.rateAt(now - last(s)));
        Arrays.fill(out, CONTINUOUS, FEATURES, 0.0);
        out[CONTINUOUS + countBin(out[1])] = 1;
        out[CONTINUOUS + BINS + countBin(out[2])] = 1;
        out[CONTINUOUS + 2 * BINS + countBin(out[3])] = 1;
        out[CONTINUOUS + 3 * BINS + ageBin((now - last(s)) / window)] = 1;
    }

    /**
     * log(1 + x) for the features. Math.log is a JIT intrinsic and Math.log1p is not (several
     * times slower); for x >= 0 the only loss is relative precision below 1e-16 * (1 + x) in
     * absolute terms, far below anything a feature can resolve. The pass over 10 million extents
     * takes four of these per extent.
     */
    static double ln1p(double x) {
        return Math.log(1 + x);
    }

    private static final double[] LOG_COUNT = new double[1024];

    static {
        for (int i = 0; i < LOG_COUNT.length; i++) {
            LOG_COUNT[i] = Math.log1p(i);
        }
    }

    /** log(1 + count), from a table for the usual small counts. */
    static double logCount(int count) {
        return count < LOG_COUNT.length ? LOG_COUNT[count] : Math.log1p(count);
    }

    private static int countBin(double logCount) {
        return logCount < 0.1 ? 0 : logCount < 0.5 ? 1 : logCount < 1 ? 2 : logCount < 2 ? 3 : logCount < 3 ? 4 : 5;
    }

    private static int ageBin(double windows) {
        return windows < 0.25 ? 0 : windows < 1 ? 1 : windows < 4 ? 2 : windows < 16 ? 3 : windows < 64 ? 4 : 5;
    }

    /**
     * Expected accesses of every tracked extent over the next HORIZON windows, written to out[slot]
     * (out must hold {@link #tracked()} values). One pass over the primitive arrays.
     */
    public void predictAll(long now, double[] out) {
        int n = index.size();
        double fl = Math.exp(-lambdaLong * (now - landmark));
        double fm = Math.pow(fl, 8);
        double fs = Math.pow(fl, 32);
        coAccessInflow(n, fm, out);
        // the dot product written out over the sparse one-hot bins: this pass runs over every
        // tracked extent, so it avoids building the feature vector
        double[] w = model.weightsView();
        double invWindow = 1 / window;
        double fw = Math.sqrt(fl);
        // the cohort term per age bucket, so the pass pays a lookup instead of a log per extent
        for (int a = 0; a < CohortRevival.COHORTS; a++) {
            cohortTerm[a] = w[8] * ln1p(16 * cohorts.rate[a]);
        }
        for (int s = 0; s < n; s++) {
            double ls = ln1p(shortSum(s) * fs);
            double lm = ln1p(midSum(s) * fm);
            double ll = ln1p(longSum(s) * fl);
            long age = now - last(s);
            double ageW = age * invWindow;
            double co = out[s];
            double eta = w[0] + w[1] * ls + w[2] * lm + w[3] * ll + w[4] * Math.exp(-ageW)
                    + (co > 0 ? w[5] * ln1p(co) : 0) + w[6] * logCount(countAt(s)) * 0.25
                    + w[7] * ln1p(windowSum(s) * fw) + cohortTerm[cohorts.bucket(age)]
                    + w[CONTINUOUS + countBin(ls)] + w[CONTINUOUS + BINS + countBin(lm)]
                    + w[CONTINUOUS + 2 * BINS + countBin(ll)] + w[CONTINUOUS + 3 * BINS + ageBin(ageW)];
            out[s] = Math.exp(Math.max(-30, Math.min(12, eta)));
        }
    }

    /** Co-access (first-order Markov): each extent passes its mid-term heat to its successor. */
    private void coAccessInflow(int n, double fm, double[] out) {
        Arrays.fill(out, 0, n, 0.0);
        for (int p = 0; p < n; p++) {
            int q = succ(p) - 1;
            if (q >= 0) {
                out[q] += midSum(p) * fm;
            }
        }
    }

    /** Expected accesses of one extent over the next HORIZON windows (0 if never seen). */
    public double predict(long extent, long now) {
        int s = index.get(extent);
        if (s < 0) {
            return 0;
        }
        double fl = Math.exp(-lambdaLong * (now - landmark));
        double fm = Math.pow(fl, 8);
        double fs = Math.pow(fl, 32);
        double coIn = 0;
        int n = index.size();
        for (int p = 0; p < n; p++) {
            if (succ(p) - 1 == s) {
                coIn += midSum(p) * fm;
            }
        }
        features(s, fs, fm, fl, now, coIn, x);
        return model.predict(x);
    }

    /**
     * Closes a window at time now: learns from what the previous window's sample and frontier
     * proposals actually got, advances the streams, and takes a new sample. Call once per window,
     * before reading predictions for the next one.
     */
    public void endWindow(long now) {
        cur = ring[(int) (windows++ % HORIZON)]; // taken HORIZON windows ago: its labels are complete
        // few tracked extents give few samples: take several passes so small volumes learn too
        int passes = cur.sampleSize == 0 ? 0 : Math.max(1, Math.min(8, SAMPLE / cur.sampleSize));
        for (int pass = 0; pass < passes; pass++) {
            for (int i = 0; i < cur.sampleSize; i++) {
                int s = cur.sampleSlot[i];
                System.arraycopy(cur.sampleX, i * FEATURES, x, 0, FEATURES);
                model.update(x, countAt(s) - cur.sampleCount[i]);
            }
        }
        for (int b = 0; b < FRONTIER_BANDS; b++) {
            bandHits[b] *= BAND_DECAY;
            bandCount[b] *= BAND_DECAY;
        }
        for (int i = 0; i < cur.frontierSize; i++) {
            int b = cur.frontierBand[i];
            bandHits[b] += count(cur.frontierKey[i]) - cur.frontierCount[i];
            bandCount[b] += 1;
        }
        cur.frontierSize = 0;
        cur.sampleSize = 0;
        cohorts.endWindow(now, index.size(), this::last);
        streams.endWindow();
        takeSample(now);
    }

    private void takeSample(long now) {
        int n = index.size();
        int m = Math.min(n, SAMPLE);
        if (cur.sampleSlot.length < m) {
            cur.sampleSlot = new int[m];
            cur.sampleCount = new int[m];
            cur.sampleX = new double[m * FEATURES];
        }
        double fl = Math.exp(-lambdaLong * (now - landmark));
        double fm = Math.pow(fl, 8);
        double fs = Math.pow(fl, 32);
        // the same co-access inflow as predictAll, or the model would learn a feature it never sees
        double[] inflow = new double[n];
        coAccessInflow(n, fm, inflow);
        for (int i = 0; i < m; i++) {
            int s = n == m ? i : (int) Long.remainderUnsigned(nextRandom(), n);
            // half the sample from extents read in the last window: the top of the ranking is
            // what placement uses, and a uniform sample is nearly all cold extents. Choosing by
            // past activity selects on the features only, so E[y | x] stays unbiased.
            for (int tries = 0; n != m && (i & 1) == 1 && now - last(s) > window && tries < 16; tries++) {
                s = (int) Long.remainderUnsigned(nextRandom(), n);
            }
            cur.sampleSlot[i] = s;
            cur.sampleCount[i] = countAt(s);
            double coIn = inflow[s];
            features(s, fs, fm, fl, now, coIn, x);
            System.arraycopy(x, 0, cur.sampleX, i * FEATURES, FEATURES);
        }
        cur.sampleSize = m;
    }

    private long nextRandom() {
        long z = rng += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Sink for frontier proposals. */
    public interface FrontierSink {
        void accept(long extent, double expectedAccesses);
    }

    /**
     * Proposes the extents the active streams will reach next window: from each stream's head,
     * follow the Markov successor chain (the order the extents were read last time), falling back
     * to the next extent number where no successor is known, up to twice the stream's advance per
     * window. Each proposal comes with its expected accesses, calibrated online per band of
     * distance and by whether the extent was seen before. Proposals are remembered, so the next
     * {@link #endWindow} calibrates against what they actually got.
     */
    public void frontier(long now, int maxProposals, FrontierSink sink) {
        cur.frontierSize = 0;
        LongIntOpenMap proposed = new LongIntOpenMap(256);
        for (int j = 0; j < streams.size() && cur.frontierSize < maxProposals; j++) {
            if (now - streams.touch[j] > window) {
                continue;
            }
            double adv = streams.advance[j];
            if (adv < 1) {
                continue;
            }
            long reach = (long) Math.ceil(2 * adv);
            // sequential walk: the next extent numbers, read before or not
            long key = streams.last[j];
            for (long d = 1; d <= reach && cur.frontierSize < maxProposals; d++) {
                key++;
                int slot = index.get(key);
                if (!propose(proposed, key, slot, band(d, adv) + (slot >= 0 ? 4 : 0), sink)) {
                    break;
                }
            }
            // Markov walk: the order in which the extents after the head were read last time
            int slot = index.get(streams.last[j]);
            for (long d = 1; d <= reach && cur.frontierSize < maxProposals && slot >= 0; d++) {
                slot = succ(slot) - 1;
                if (slot < 0 || !propose(proposed, index.keyAt(slot), slot, 8 + band(d, adv), sink)) {
                    break;
                }
            }
        }
    }

    private static int band(long d, double adv) {
        double r = d / adv;
        return r <= 0.25 ? 0 : r <= 0.5 ? 1 : r <= 1 ? 2 : 3;
    }

    private boolean propose(LongIntOpenMap proposed, long key, int slot, int b, FrontierSink sink) {
        int before = proposed.size();
        proposed.intern(key);
        if (proposed.size() == before) {
            return false; // a cycle, or another walk's ground
        }
        if (cur.frontierSize == cur.frontierKey.length) {
            int cap = Math.max(64, cur.frontierSize * 2);
            cur.frontierKey = Arrays.copyOf(cur.frontierKey, cap);
            cur.frontierBand = Arrays.copyOf(cur.frontierBand, cap);
            cur.frontierCount = Arrays.copyOf(cur.frontierCount, cap);
        }
        cur.frontierKey[cur.frontierSize] = key;
        cur.frontierCount[cur.frontierSize] = slot >= 0 ? countAt(slot) : 0;
        cur.frontierBand[cur.frontierSize++] = (byte) b;
        sink.accept(key, bandHits[b] / bandCount[b]);
        return true;
    }

    /** Bytes of the per-extent arrays and index (for the cost report). */
    public long stateBytes() {
        return index.bytes() + (long) rec.length * 4;
    }

    /** Revival rate of the cohort of an extent (by its last access) at the last window end. */
    public double cohortRevivalRate(long extent, long now) {
        int s = index.get(extent);
        return s < 0 ? 0 : cohorts.rateAt(now - last(s));
    }

    /** Writes the predictor in the format {@link #read} restores ({@link ExtentHeatPredictorState}). */
    public void write(DataOutputStream out) throws IOException {
        ExtentHeatPredictorState.write(this, out);
    }

    /**
     * Restores a predictor. The pending training sample is not saved: learning resumes from the
     * first full window after the restart.
     */
    public static ExtentHeatPredictor read(DataInputStream in) throws IOException {
        return ExtentHeatPredictorState.read(in);
    }

}
