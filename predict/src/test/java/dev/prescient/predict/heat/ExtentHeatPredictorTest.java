package dev.prescient.predict.heat;

import dev.prescient.predict.common.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ExtentHeatPredictorTest {
    @Test
    void emptyHistoryPredictsNothing() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(100, 0);
        p.endWindow(100);
        double[] out = new double[0];
        p.predictAll(100, out);
        assertThat(p.tracked()).isZero();
        assertThat(p.predict(5, 100)).isZero();
        List<Long> proposals = new ArrayList<>();
        p.frontier(100, 10, (k, e) -> proposals.add(k));
        assertThat(proposals).isEmpty();
    }

    @Test
    void singleEventIsTrackedWithAPositiveFinitePrediction() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(100, 1);
        p.record(42, 7);
        assertThat(p.tracked()).isEqualTo(1);
        assertThat(p.count(42)).isEqualTo(1);
        double v = p.predict(42, 8);
        assertThat(v).isPositive().isFinite();
        double[] out = new double[1];
        p.predictAll(8, out);
        assertThat(out[0]).isCloseTo(v, within(1e-12));
    }

    @Test
    void learnsRatesOfAConstantWorkload() {
        // extent k is read k times per window, every window: predictions must rank and scale by k
        int w = 1_000;
        ExtentHeatPredictor p = new ExtentHeatPredictor(w, 64);
        Random r = new Random(5);
        long t = 0;
        for (int win = 0; win < 60; win++) {
            List<Long> events = new ArrayList<>();
            for (long k = 1; k <= 20; k++) {
                for (int i = 0; i < k; i++) {
                    events.add(k);
                }
            }
            java.util.Collections.shuffle(events, r);
            for (long k : events) {
                p.record(k * 1000, t);
                t += w / events.size();
            }
            t = (long) (win + 1) * w;
            p.endWindow(t);
        }
        double[] out = new double[p.tracked()];
        p.predictAll(t, out);
        double[] byRate = new double[21];
        for (int s = 0; s < p.tracked(); s++) {
            byRate[(int) (p.extentAt(s) / 1000)] = out[s];
        }
        // the time of the last read within a window is random, so neighbours may swap; rates
        // five apart may not, and the total is calibrated
        double total = 0;
        for (int k = 1; k <= 20; k++) {
            total += byRate[k];
            if (k > 5) {
                assertThat(byRate[k]).isGreaterThan(byRate[k - 5]);
            }
        }
        // predictions cover the next HORIZON windows
        assertThat(total).isCloseTo(210.0 * ExtentHeatPredictor.HORIZON, within(42.0 * ExtentHeatPredictor.HORIZON));
    }

    @Test
    void sequentialStreamProposesTheExtentsAhead() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(100, 16);
        long t = 0;
        for (int win = 0; win < 5; win++) {
            for (int i = 0; i < 50; i++) {
                p.record(10_000 + win * 50 + i, t++); // a stream advancing 50 extents per window
            }
            t = (win + 1) * 100L;
            p.endWindow(t);
            p.frontier(t, 1_000, (k, e) -> { });
        }
        List<Long> keys = new ArrayList<>();
        List<Double> expected = new ArrayList<>();
        p.frontier(t, 1_000, (k, e) -> {
            keys.add(k);
            expected.add(e);
        });
        assertThat(keys).contains(10_250L, 10_251L, 10_299L);
        assertThat(keys).doesNotContain(10_249L);
        assertThat(expected).allSatisfy(e -> assertThat(e).isPositive());
        // the stream kept its promise, so calibration rates the nearest band highly
        assertThat(expected.get(0)).isGreaterThan(0.5);
    }

    @Test
    void constantRereadOfOneExtentStaysFinite() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(10, 1);
        for (long t = 0; t < 200_000; t++) {
            p.record(1, t); // forces many landmark rebases
            if (t % 10 == 9) {
                p.endWindow(t + 1);
            }
        }
        double v = p.predict(1, 200_000);
        assertThat(v).isFinite().isGreaterThan(1.0);
    }

    @Test
    void windowFrequencyCountsWindowsWithAReadNotReads() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(100, 16);
        for (int i = 0; i < 10; i++) {
            p.record(1, 350 + i); // a burst: ten reads inside window 3
        }
        for (int w = 0; w < 5; w++) {
            p.record(2, w * 100 + 50); // once in each of windows 0..4
        }
        long now = 500;
        // half-life 16 windows, each window with a read counted once at the time of its first read
        assertThat(p.windowsAtSlot(p.slotOf(1), now)).isCloseTo(Math.pow(2, -150 / 1600.0), within(1e-5));
        double expected = 0;
        for (int w = 0; w < 5; w++) {
            expected += Math.pow(2, -(now - (w * 100 + 50)) / 1600.0);
        }
        assertThat(p.windowsAtSlot(p.slotOf(2), now)).isCloseTo(expected, within(1e-5));
        assertThat(p.count(1)).isEqualTo(10);
        // far later (past a landmark rebase) the value is still the same decayed count
        long later = 200_000;
        p.record(3, later);
        assertThat(p.windowsAtSlot(p.slotOf(2), later)).isCloseTo(expected * Math.pow(2, -(later - now) / 1600.0),
                within(1e-9));
    }

    @Test
    void cohortRevivalRateIsTheShareOfACohortReadAgainDecayingAfterwards() {
        ExtentHeatPredictor p = new ExtentHeatPredictor(100, 64); // age buckets of 25
        for (int i = 0; i < 10; i++) {
            p.record(i, 10 + i); // cohort A: ages 81..90 at the first window end, one bucket
            p.record(100 + i, 60 + i); // cohort B: another bucket
        }
        p.endWindow(100);
        assertThat(p.cohortRevivalRate(5, 100)).isZero();
        for (int i = 0; i < 5; i++) {
            p.record(i, 110 + i); // half of A read again, none of B
        }
        p.endWindow(200);
        assertThat(p.cohortRevivalRate(7, 200)).isCloseTo(0.5, within(1e-12));
        assertThat(p.cohortRevivalRate(107, 200)).isZero();
        // the re-read half now belongs to the window just ended, whose revival is not known yet
        assertThat(p.cohortRevivalRate(2, 200)).isZero();
        p.endWindow(300); // a quiet window: the rate decays by half and follows the cohort's age
        assertThat(p.cohortRevivalRate(7, 300)).isCloseTo(0.25, within(1e-12));
        assertThat(p.cohortRevivalRate(107, 300)).isZero();
        assertThat(p.cohortRevivalRate(999, 300)).isZero(); // never seen
    }

    @Test
    void learnsThatTheRestOfARevivingCohortComesBack() {
        // Every window w reads two fresh cohorts of 40 extents: C in its first quarter, D in its
        // third. In the last quarter of window w+2 half of C(w) is read again and the other half
        // in the second quarter of window w+3; D is never read again. Per extent, the unread half
        // of C(w) looks like D(w) read half a window earlier, so only the cohort's revival tells
        // them apart.
        int window = 400;
        ExtentHeatPredictor p = new ExtentHeatPredictor(window, 4096);
        int windows = 40;
        long probeWindow = windows - 1;
        for (int w = 0; w < windows; w++) {
            long t0 = (long) w * window;
            List<long[]> events = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                events.add(new long[] {cohortKey(w, 'C', i), t0 + 10 + 2 * i});
                events.add(new long[] {cohortKey(w, 'D', i), t0 + 210 + 2 * i});
                if (w >= 3 && i >= 20) {
                    events.add(new long[] {cohortKey(w - 3, 'C', i), t0 + 110 + 2 * (i - 20)});
                }
                if (w >= 2 && i < 20) {
                    events.add(new long[] {cohortKey(w - 2, 'C', i), t0 + 310 + 2 * i});
                }
            }
            events.sort((a, b) -> Long.compare(a[1], b[1]));
            for (long[] e : events) {
                p.record(e[0], e[1]);
            }
            p.endWindow(t0 + window);
        }
        long now = (probeWindow + 1) * window;
        long reviving = probeWindow - 2;
        assertThat(p.cohortRevivalRate(cohortKey(reviving, 'C', 30), now)).isCloseTo(0.5, within(1e-9));
        assertThat(p.cohortRevivalRate(cohortKey(reviving, 'D', 30), now)).isZero();
        double rest = p.predict(cohortKey(reviving, 'C', 30), now);
        double decoy = p.predict(cohortKey(reviving, 'D', 30), now);
        assertThat(rest).isGreaterThan(3 * decoy);
    }

    private static long cohortKey(long w, char kind, int i) {
        return w * 1000 + (kind == 'C' ? 0 : 500) + i * 3L; // not consecutive: no sequential stream
    }

    @Test
    void roundTripKeepsPredictionsAndKeepsLearning() throws IOException {
        ExtentHeatPredictor p = new ExtentHeatPredictor(500, 16);
        Random r = new Random(9);
        long t = 0;
        for (; t < 5_000; t++) {
            p.record(r.nextInt(200) + (r.nextInt(4) == 0 ? 1_000_000 : 0), t);
            if (t % 500 == 499) {
                p.endWindow(t + 1);
            }
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        p.write(new DataOutputStream(bo));
        ExtentHeatPredictor q = ExtentHeatPredictor.read(new DataInputStream(new ByteArrayInputStream(bo.toByteArray())));
        assertThat(q.tracked()).isEqualTo(p.tracked());
        double[] a = new double[p.tracked()];
        double[] b = new double[q.tracked()];
        p.predictAll(t, a);
        q.predictAll(t, b);
        assertThat(b).containsExactly(a);
        for (int s = 0; s < p.tracked(); s++) {
            assertThat(q.windowsAtSlot(s, t)).isEqualTo(p.windowsAtSlot(s, t));
            long k = p.extentAt(s);
            assertThat(q.cohortRevivalRate(k, t)).isEqualTo(p.cohortRevivalRate(k, t));
        }
        // 40 bytes per extent + model, streams and the cohort table (6 KB)
        assertThat(bo.size()).isLessThan(p.tracked() * 40 + 16_000);
        for (long u = t; u < t + 1_000; u++) {
            long k = r.nextInt(300);
            p.record(k, u);
            q.record(k, u);
        }
        p.endWindow(t + 1_000);
        q.endWindow(t + 1_000);
        // q restarted without the pending sample, so its weights may differ, but it keeps tracking
        assertThat(q.tracked()).isEqualTo(p.tracked());
        assertThat(q.predict(5, t + 1_000)).isPositive().isFinite();
    }

    @Test
    void corruptStateIsRejected() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        new ExtentHeatPredictor(10, 1).write(new DataOutputStream(bo));
        byte[] b = Arrays.copyOf(bo.toByteArray(), 20); // truncated
        assertThatThrownBy(() -> ExtentHeatPredictor.read(new DataInputStream(new ByteArrayInputStream(b))))
                .isInstanceOf(IOException.class);
        byte[] c = bo.toByteArray();
        c[0] = 0;
        assertThatThrownBy(() -> ExtentHeatPredictor.read(new DataInputStream(new ByteArrayInputStream(c))))
                .isInstanceOf(ModelFormatException.class);
    }

    @Test
    void rejectsBadWindow() {
        assertThatThrownBy(() -> new ExtentHeatPredictor(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
