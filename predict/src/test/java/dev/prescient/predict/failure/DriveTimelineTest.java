package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriveTimelineTest {

    /** Ten failed drives failing on days 10, 20, ..., 100 with 3-day histories; 40 healthy ones to day 200. */
    private static DriveTimeline timeline(List<String> serials, List<Integer> days, List<Integer> labels) {
        for (int f = 1; f <= 10; f++) {
            for (int back = 2; back >= 0; back--) {
                serials.add("F" + f);
                days.add(f * 10 - back);
                labels.add(1);
            }
        }
        for (int h = 0; h < 40; h++) {
            // drive H0 was retired on day 5, before any failure
            int end = h == 0 ? 5 : 200;
            for (int back = 2; back >= 0; back--) {
                serials.add("H" + h);
                days.add(end - back);
                labels.add(0);
            }
        }
        return new DriveTimeline(serials.toArray(new String[0]), days.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void everyTrainingFailureComesBeforeEveryTestFailure() {
        List<String> s = new ArrayList<>();
        List<Integer> d = new ArrayList<>();
        List<Integer> l = new ArrayList<>();
        DriveTimeline t = timeline(s, d, l);
        DriveTimeline.Split sp = t.split(0.6, 0.5);
        assertThat(sp.trainFailures()).isEqualTo(6);
        assertThat(sp.testFailures()).isEqualTo(4);
        assertThat(sp.cutoffDay()).isEqualTo(70);
        int lastTrainFailure = Integer.MIN_VALUE;
        int firstTestFailure = Integer.MAX_VALUE;
        for (int i = 0; i < s.size(); i++) {
            assertThat(sp.trainRow()[i] && sp.testRow()[i]).isFalse();
            if (t.failedDrive(i) && t.lead(i) == 0) {
                if (sp.trainRow()[i]) {
                    lastTrainFailure = Math.max(lastTrainFailure, d.get(i));
                } else {
                    firstTestFailure = Math.min(firstTestFailure, d.get(i));
                }
            }
        }
        assertThat(lastTrainFailure).isLessThan(firstTestFailure);
        // the retired drive trains; no drive has rows on both sides
        assertThat(sp.trainRow()[s.indexOf("H0")]).isTrue();
        for (int i = 0; i < s.size(); i++) {
            for (int j = 0; j < s.size(); j++) {
                if (s.get(i).equals(s.get(j))) {
                    assertThat(sp.trainRow()[i]).isEqualTo(sp.trainRow()[j]);
                }
            }
        }
    }

    @Test
    void leadTimesAndHorizonRowsFollowTheFailureDay() {
        List<String> s = new ArrayList<>();
        List<Integer> d = new ArrayList<>();
        List<Integer> l = new ArrayList<>();
        DriveTimeline t = timeline(s, d, l);
        int first = s.indexOf("F3");
        assertThat(t.lead(first)).isEqualTo(2);
        assertThat(t.lead(first + 2)).isZero();
        assertThat(t.lead(s.indexOf("H5"))).isEqualTo(-1);
        assertThat(t.supportedLead()).isEqualTo(2);
        boolean[] all = new boolean[s.size()];
        java.util.Arrays.fill(all, true);
        // N = 1 with lead >= 1: exactly one row per failed drive (the day before), all healthy rows
        int[] rows = t.rows(all, 1, 1);
        int[] y = t.labels(rows);
        assertThat(java.util.Arrays.stream(y).sum()).isEqualTo(10);
        assertThat(rows.length - 10).isEqualTo(40 * 3);
        for (int i = 0; i < rows.length; i++) {
            if (y[i] == 1) {
                assertThat(t.lead(rows[i])).isEqualTo(1);
            }
        }
    }

    @Test
    void rowsAfterTheLastFailureLabelAreDropped() {
        DriveTimeline t = new DriveTimeline(new String[] {"A", "A", "A", "B", "B"}, new int[] {1, 2, 3, 1, 3},
                new int[] {0, 1, 0, 0, 1});
        assertThat(t.lead(0)).isEqualTo(1);
        boolean[] all = {true, true, true, true, true};
        assertThat(t.rows(all, 5, 0)).containsExactly(0, 1, 3, 4);
    }

    @Test
    void aSplitByTimeNeedsDates() {
        assertThatThrownBy(() -> new DriveTimeline(new String[] {"A"}, new int[] {SmartDataset.NO_DATE}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void growthComesFromTheDrivesOwnEarlierRecordsOnly() {
        // rows out of date order; drive A's pending sectors rise 0 -> 5 -> 9, drive B stays at 3
        SmartDataset d = new SmartDataset(java.util.List.of("smart_9_raw", "smart_197_raw"),
                new double[][] {{10, 9}, {8, 0}, {9, 5}, {1, 3}, {2, 3}}, new int[] {1, 1, 1, 0, 0},
                new String[] {"A", "A", "A", "B", "B"}, new int[] {3, 1, 2, 1, 2});
        SmartDataset g = d.withGrowth(FeatureSchema.CRITICAL);
        assertThat(g.columns()).containsExactly("smart_9_raw", "smart_197_raw", "smart_197_growth");
        assertThat(java.util.Arrays.stream(g.rows()).mapToDouble(r -> r[2]).toArray())
                .containsExactly(9, 0, 5, 0, 0);
        // growth columns are features, never part of the rule or its proxy
        assertThat(new BackblazeRule(g.columns()).rawColumns()).isEqualTo(1);
        assertThat(new FeatureSchema(g.columns()).features(g.rows()[0])[2]).isEqualTo(Math.log1p(9));
    }

    @Test
    void recentPeakKeepsAClearedCounterForTheLookbackAndNeverSeesLaterDays() {
        // drive A: pending sectors 0 (day 1), 8 (day 2), 0 (day 3), 0 (day 6), rows out of order;
        // drive B reports 40 on day 2 and must not leak into A; A's 197 is missing on day 4
        SmartDataset d = new SmartDataset(java.util.List.of("smart_9_raw", "smart_197_raw"),
                new double[][] {{1, 0}, {6, 0}, {3, 0}, {2, 8}, {2, 40}, {4, Double.NaN}},
                new int[] {0, 0, 0, 0, 0, 0}, new String[] {"A", "A", "A", "A", "B", "A"},
                new int[] {1, 6, 3, 2, 2, 4});
        SmartDataset p = d.withRecentPeak(FeatureSchema.CRITICAL, 3);
        assertThat(p.columns()).containsExactly("smart_9_raw", "smart_197_raw", "smart_197_peak");
        // in row order: day 1 sees only itself (day 2 is later); day 6 sees days 3-6, so the 8 of day 2
        // is out of the lookback; day 3 still sees day 2; day 2 is the 8; B's own 40; day 4 (its own
        // value missing) sees days 1-3
        assertThat(java.util.Arrays.stream(p.rows()).mapToDouble(r -> r[2]).toArray())
                .containsExactly(0, 0, 8, 8, 40, 8);
        // the rule still reads the row's own raw counter, never the peak
        BackblazeRule rule = new BackblazeRule(p.columns());
        assertThat(rule.rawColumns()).isEqualTo(1);
        assertThat(rule.flags(p.rows()[2])).isFalse();
        assertThat(new FeatureSchema(p.columns()).features(p.rows()[2])[2]).isEqualTo(Math.log1p(8));
        // lookback 0 is the row's own value
        assertThat(java.util.Arrays.stream(d.withRecentPeak(FeatureSchema.CRITICAL, 0).rows()).mapToDouble(r -> r[2])
                .toArray()).containsExactly(0, 0, 0, 8, 40, Double.NaN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withRecentPeak(FeatureSchema.CRITICAL, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
