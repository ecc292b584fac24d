package dev.prescient.predict.affinity;

import dev.prescient.predict.common.LongIntOpenMap;
import dev.prescient.predict.common.ModelFormatException;
import dev.prescient.predict.common.ModelIO;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Affinity of a subject (a volume or an extent, by id) to nodes and applications, from access
 * events. Each event updates one (subject, node) pair, one (subject, application) pair and the
 * subject's totals in O(1): decayed sums are stored against a shared landmark (one exp per event,
 * no per-tick work). All pairs of a subject are chained, so reading them is a walk of that chain.
 *
 * <p>A score is the weighted mean of components in [0, 1], so it is in [0, 1] and a threshold
 * means the same for every volume:
 * <ul>
 * <li>frequency: 1 - exp(-decayed count / referenceCount), a fixed scale (not relative to the volume);
 * <li>recency: 2^(-age / half-life);
 * <li>sourceNode (node targets) / application (application targets): the target's share of the
 *     subject's decayed traffic;
 * <li>dataType: importance-weighted share of the pair's decayed traffic ({@link DataType});
 * <li>timeOfDay: how busy this pair usually is at the current hour and weekday relative to its
 *     busiest hour and weekday, from a slowly decaying 24 + 7 bucket profile.
 * </ul>
 */
public final class AffinityScorer {
    private static final int MAGIC = 0x4146464E; // "AFFN"
    private static final int VERSION = 1;
    private static final int HOURS = 24;
    private static final int DAYS = 7;
    private static final int PROFILE = HOURS + DAYS;
    private static final double MAX_EXPONENT = 300;
    private static final long DAY = 86_400_000L;
    /** Targets are packed into the pair key next to the subject. */
    public static final int MAX_TARGET = (1 << 20) - 1;
    public static final long MAX_SUBJECT = (1L << 42) - 1;

    private final AffinityWeights weights;
    private final double lambda;
    private final double profileLambda;
    private long landmark;
    private long profileLandmark;

    private final LongIntOpenMap subjects = new LongIntOpenMap(64);
    private double[] subjectNodeSum = new double[64];
    private double[] subjectAppSum = new double[64];
    private int[] subjectHead = new int[64]; // first pair slot + 1

    private final LongIntOpenMap pairs = new LongIntOpenMap(256);
    private double[] pairSum = new double[256];
    private double[] pairTyped = new double[256];
    private long[] pairLast = new long[256];
    private int[] pairNext = new int[256]; // next pair slot of the same subject + 1
    private float[] profile = new float[256 * PROFILE];

    public AffinityScorer(AffinityWeights weights) {
        this.weights = weights;
        this.lambda = Math.log(2) / weights.halfLifeMillis();
        this.profileLambda = Math.log(2) / weights.profileHalfLifeMillis();
    }

    public AffinityWeights weights() {
        return weights;
    }

    public int subjects() {
        return subjects.size();
    }

    public int pairs() {
        return pairs.size();
    }

    private static long pairKey(long subject, TargetKind kind, int target) {
        return (subject << 21) | ((long) kind.ordinal() << 20) | target;
    }

    private static void check(long subject, int node, int app) {
        if (subject < 0 || subject > MAX_SUBJECT) {
            throw new IllegalArgumentException("subject id out of range: " + subject);
        }
        if (node < 0 || node > MAX_TARGET || app < 0 || app > MAX_TARGET) {
            throw new IllegalArgumentException("node/application id out of range: " + node + "/" + app);
        }
    }

    /**
     * Records one access of {@code subject} from {@code node} by application {@code app}.
     * Times are epoch milliseconds and should be non-decreasing (a late event still counts).
     */
    public void record(long subject, int node, int app, DataType type, long timeMillis) {
        check(subject, node, app);
        if (lambda * (timeMillis - landmark) > MAX_EXPONENT || profileLambda * (timeMillis - profileLandmark) > MAX_EXPONENT) {
            rebase(timeMillis);
        }
        double w = Math.exp(lambda * (timeMillis - landmark));
        double pw = Math.exp(profileLambda * (timeMillis - profileLandmark));
        int hour = (int) Math.floorMod(Math.floorDiv(timeMillis, 3_600_000L), 24L);
        int dow = (int) Math.floorMod(Math.floorDiv(timeMillis, DAY) + 3, 7L); // 1970-01-01 was a Thursday; 0 = Monday

        int s = subjects.intern(subject);
        if (s >= subjectHead.length) {
            int cap = subjects.slotCapacity();
            subjectNodeSum = Arrays.copyOf(subjectNodeSum, cap);
            subjectAppSum = Arrays.copyOf(subjectAppSum, cap);
            subjectHead = Arrays.copyOf(subjectHead, cap);
        }
        subjectNodeSum[s] += w;
        subjectAppSum[s] += w;
        touch(s, pairKey(subject, TargetKind.NODE, node), w, pw, type, timeMillis, hour, dow);
        touch(s, pairKey(subject, TargetKind.APPLICATION, app), w, pw, type, timeMillis, hour, dow);
    }

    private void touch(int subjectSlot, long key, double w, double pw, DataType type, long t, int hour, int dow) {
        int before = pairs.size();
        int p = pairs.intern(key);
        if (p >= pairLast.length) {
            int cap = pairs.slotCapacity();
            pairSum = Arrays.copyOf(pairSum, cap);
            pairTyped = Arrays.copyOf(pairTyped, cap);
            pairLast = Arrays.copyOf(pairLast, cap);
            pairNext = Arrays.copyOf(pairNext, cap);
            profile = Arrays.copyOf(profile, cap * PROFILE);
        }
        if (pairs.size() > before) {
            pairNext[p] = subjectHead[subjectSlot];
            subjectHead[subjectSlot] = p + 1;
            pairLast[p] = Long.MIN_VALUE;
        }
        pairSum[p] += w;
        pairTyped[p] += w * type.importance();
        pairLast[p] = Math.max(pairLast[p], t);
        profile[p * PROFILE + hour] += (float) pw;
        profile[p * PROFILE + HOURS + dow] += (float) pw;
    }

    private void rebase(long now) {
        double f = Math.exp(-lambda * (now - landmark));
        double pf = Math.exp(-profileLambda * (now - profileLandmark));
        for (int s = 0; s < subjects.size(); s++) {
            subjectNodeSum[s] *= f;
            subjectAppSum[s] *= f;
        }
        for (int p = 0; p < pairs.size(); p++) {
            pairSum[p] *= f;
            pairTyped[p] *= f;
            for (int k = 0; k < PROFILE; k++) {
                profile[p * PROFILE + k] *= (float) pf;
            }
        }
        landmark = now;
        profileLandmark = now;
    }

    /** Score of one (subject, target) pair at time now; 0 when never seen. */
    public double score(long subject, TargetKind kind, int target, long now) {
        check(subject, kind == TargetKind.NODE ? target : 0, kind == TargetKind.APPLICATION ? target : 0);
        int s = subjects.get(subject);
        int p = pairs.get(pairKey(subject, kind, target));
        if (s < 0 || p < 0) {
            return 0;
        }
        return pairScore(s, p, kind, now, Math.exp(-lambda * (now - landmark)));
    }

    /** All scores of a subject at time now, one sink call per (kind, target) pair. */
    public void scores(long subject, long now, AffinitySink sink) {
        int s = subjects.get(subject);
        if (s < 0) {
            return;
        }
        double f = Math.exp(-lambda * (now - landmark));
        for (int p = subjectHead[s] - 1; p >= 0; p = pairNext[p] - 1) {
            long key = pairs.keyAt(p);
            TargetKind kind = ((key >>> 20) & 1) == 0 ? TargetKind.NODE : TargetKind.APPLICATION;
            sink.accept(kind, (int) (key & MAX_TARGET), pairScore(s, p, kind, now, f));
        }
    }

    private double pairScore(int s, int p, TargetKind kind, long now, double readFactor) {
        AffinityWeights w = weights;
        double count = pairSum[p] * readFactor;
        double freq = 1 - Math.exp(-count / w.referenceCount());
        double age = Math.max(0, now - pairLast[p]);
        double rec = Math.exp(-lambda * age);
        double total = (kind == TargetKind.NODE ? subjectNodeSum[s] : subjectAppSum[s]);
        double share = total > 0 ? Math.min(1, pairSum[p] / total) : 0;
        double typed = pairSum[p] > 0 ? Math.min(1, pairTyped[p] / pairSum[p]) : 0;
        double tod = timeOfDay(p, now);
        double shareWeight = kind == TargetKind.NODE ? w.sourceNode() : w.application();
        double num = w.frequency() * freq + w.recency() * rec + shareWeight * share
                + w.dataType() * typed + w.timeOfDay() * tod;
        double den = w.frequency() + w.recency() + shareWeight + w.dataType() + w.timeOfDay();
        return den > 0 ? Math.max(0, Math.min(1, num / den)) : 0;
    }

    private double timeOfDay(int p, long now) {
        int base = p * PROFILE;
        int hour = (int) Math.floorMod(Math.floorDiv(now, 3_600_000L), 24L);
        int dow = (int) Math.floorMod(Math.floorDiv(now, DAY) + 3, 7L);
        float maxH = 0;
        float maxD = 0;
        for (int k = 0; k < HOURS; k++) {
            maxH = Math.max(maxH, profile[base + k]);
        }
        for (int k = 0; k < DAYS; k++) {
            maxD = Math.max(maxD, profile[base + HOURS + k]);
        }
        if (maxH <= 0 || maxD <= 0) {
            return 0;
        }
        return 0.5 * profile[base + hour] / maxH + 0.5 * profile[base + HOURS + dow] / maxD;
    }

    // ---- serialisation ----

    public void write(DataOutputStream out) throws IOException {
        ModelIO.writeHeader(out, MAGIC, VERSION);
        AffinityWeights w = weights;
        for (double v : new double[] {w.frequency(), w.recency(), w.sourceNode(), w.application(), w.dataType(),
                w.timeOfDay(), w.halfLifeMillis(), w.referenceCount(), w.profileHalfLifeMillis()}) {
            out.writeDouble(v);
        }
        out.writeLong(landmark);
        out.writeLong(profileLandmark);
        out.writeInt(subjects.size());
        for (int s = 0; s < subjects.size(); s++) {
            out.writeLong(subjects.keyAt(s));
            out.writeDouble(subjectNodeSum[s]);
            out.writeDouble(subjectAppSum[s]);
        }
        out.writeInt(pairs.size());
        for (int p = 0; p < pairs.size(); p++) {
            out.writeLong(pairs.keyAt(p));
            out.writeDouble(pairSum[p]);
            out.writeDouble(pairTyped[p]);
            out.writeLong(pairLast[p]);
            for (int k = 0; k < PROFILE; k++) {
                out.writeFloat(profile[p * PROFILE + k]);
            }
        }
    }

    /** Restores a scorer; it keeps learning from new events. */
    public static AffinityScorer read(DataInputStream in) throws IOException {
        ModelIO.readHeader(in, MAGIC, VERSION);
        double[] v = new double[9];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readDouble();
        }
        AffinityWeights w;
        try {
            w = new AffinityWeights(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, e.getMessage());
        }
        AffinityScorer a = new AffinityScorer(w);
        a.landmark = in.readLong();
        a.profileLandmark = in.readLong();
        int ns = ModelIO.checkedCount(in.readInt(), Integer.MAX_VALUE - 8, "subject");
        a.subjectNodeSum = new double[Math.max(64, ns)];
        a.subjectAppSum = new double[Math.max(64, ns)];
        a.subjectHead = new int[Math.max(64, ns)];
        for (int i = 0; i < ns; i++) {
            int s = a.subjects.intern(in.readLong());
            if (s != i) {
                throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "duplicate subject");
            }
            a.subjectNodeSum[s] = in.readDouble();
            a.subjectAppSum[s] = in.readDouble();
        }
        int np = ModelIO.checkedCount(in.readInt(), Integer.MAX_VALUE / PROFILE - 8, "pair");
        int cap = Math.max(256, np);
        a.pairSum = new double[cap];
        a.pairTyped = new double[cap];
        a.pairLast = new long[cap];
        a.pairNext = new int[cap];
        a.profile = new float[cap * PROFILE];
        for (int i = 0; i < np; i++) {
            long key = in.readLong();
            int p = a.pairs.intern(key);
            if (p != i) {
                throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "duplicate pair");
            }
            int s = a.subjects.get(key >>> 21);
            if (s < 0) {
                throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, "pair of unknown subject");
            }
            a.pairNext[p] = a.subjectHead[s];
            a.subjectHead[s] = p + 1;
            a.pairSum[p] = in.readDouble();
            a.pairTyped[p] = in.readDouble();
            a.pairLast[p] = in.readLong();
            for (int k = 0; k < PROFILE; k++) {
                a.profile[p * PROFILE + k] = in.readFloat();
            }
        }
        return a;
    }
}
