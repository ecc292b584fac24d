package dev.prescient.predict.affinity;

import dev.prescient.predict.common.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AffinityScorerTest {
    static final long H = 3_600_000L;
    static final long T0 = 1_700_000_000_000L; // a real epoch-millis time, far from the landmark 0

    static AffinityScorer scorer() {
        return new AffinityScorer(AffinityWeights.of(1, 1, 1, 1, 1, 1));
    }

    @Test
    void emptyHistoryScoresZeroAndListsNothing() {
        AffinityScorer a = scorer();
        assertThat(a.score(1, TargetKind.NODE, 1, T0)).isZero();
        List<Integer> seen = new ArrayList<>();
        a.scores(1, T0, (k, t, s) -> seen.add(t));
        assertThat(seen).isEmpty();
    }

    @Test
    void singleEventGivesBoundedScoresForItsNodeAndApplication() {
        AffinityScorer a = scorer();
        a.record(7, 3, 9, DataType.DATA, T0);
        double node = a.score(7, TargetKind.NODE, 3, T0);
        double app = a.score(7, TargetKind.APPLICATION, 9, T0);
        assertThat(node).isBetween(0.0, 1.0).isGreaterThan(0.5);
        assertThat(app).isCloseTo(node, within(1e-12)); // same components for a lone event
        assertThat(a.score(7, TargetKind.NODE, 4, T0)).isZero();
        List<String> all = new ArrayList<>();
        a.scores(7, T0, (k, t, s) -> all.add(k + ":" + t));
        assertThat(all).containsExactlyInAnyOrder("NODE:3", "APPLICATION:9");
    }

    @Test
    void frequencyRecencyAndShareOrderNodes() {
        AffinityScorer a = scorer();
        for (int i = 0; i < 50; i++) {
            a.record(1, 1, 1, DataType.DATA, T0 + i * 1000L);
        }
        a.record(1, 2, 1, DataType.DATA, T0 + 50_000);
        long now = T0 + 60_000;
        assertThat(a.score(1, TargetKind.NODE, 1, now)).isGreaterThan(a.score(1, TargetKind.NODE, 2, now));
        // a day later both have decayed; the busy node has lost its recency and frequency edge
        double later = a.score(1, TargetKind.NODE, 1, now + 24 * H);
        assertThat(later).isLessThan(a.score(1, TargetKind.NODE, 1, now));
    }

    @Test
    void recencyHalvesPerHalfLife() {
        AffinityScorer a = new AffinityScorer(AffinityWeights.of(0, 1, 0, 0, 0, 0));
        a.record(1, 1, 1, DataType.DATA, T0);
        assertThat(a.score(1, TargetKind.NODE, 1, T0 + H)).isCloseTo(0.5, within(1e-9));
        assertThat(a.score(1, TargetKind.NODE, 1, T0 + 2 * H)).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void scoresAreComparableAcrossVolumesOfDifferentSize() {
        // frequency uses a fixed scale: a busy volume's busiest node outranks a quiet volume's
        AffinityScorer a = new AffinityScorer(AffinityWeights.of(1, 0, 0, 0, 0, 0));
        for (int i = 0; i < 100; i++) {
            a.record(1, 1, 1, DataType.DATA, T0 + i);
        }
        a.record(2, 1, 1, DataType.DATA, T0);
        assertThat(a.score(1, TargetKind.NODE, 1, T0 + 100)).isGreaterThan(0.99);
        assertThat(a.score(2, TargetKind.NODE, 1, T0 + 100)).isLessThan(0.1);
    }

    @Test
    void dataTypeImportanceAndApplicationShare() {
        AffinityScorer a = new AffinityScorer(AffinityWeights.of(0, 0, 0, 1, 1, 0));
        a.record(1, 1, 10, DataType.METADATA, T0);
        a.record(1, 1, 11, DataType.TEMP, T0);
        a.record(1, 1, 11, DataType.TEMP, T0);
        a.record(1, 1, 11, DataType.TEMP, T0);
        // app 10: share 1/4, importance 1.0; app 11: share 3/4, importance 0.1
        assertThat(a.score(1, TargetKind.APPLICATION, 10, T0)).isCloseTo((0.25 + 1.0) / 2, within(1e-9));
        assertThat(a.score(1, TargetKind.APPLICATION, 11, T0)).isCloseTo((0.75 + 0.1) / 2, within(1e-9));
    }

    @Test
    void timeOfDayProfileFavoursTheUsualHour() {
        AffinityScorer a = new AffinityScorer(AffinityWeights.of(0, 0, 0, 0, 0, 1));
        long day = 24 * H;
        long start = Math.floorDiv(T0, day) * day; // midnight UTC
        for (int d = 0; d < 14; d++) {
            a.record(1, 1, 1, DataType.DATA, start + d * day + 9 * H); // every morning at 09:00
        }
        long next = start + 14 * day;
        // half hour-of-day (always 09:00: 1.0), half weekday (that weekday's decayed share of the busiest)
        double morning = a.score(1, TargetKind.NODE, 1, next + 9 * H);
        double evening = a.score(1, TargetKind.NODE, 1, next + 21 * H);
        assertThat(morning).isGreaterThan(0.9);
        assertThat(evening).isCloseTo(morning - 0.5, within(1e-9)); // same weekday, no 21:00 history
    }

    @Test
    void constantInputReachesAStableScore() {
        AffinityScorer a = new AffinityScorer(AffinityWeights.of(1, 1, 1, 0, 0, 0));
        double prev = 0;
        double last = 0;
        for (int i = 0; i < 2_000; i++) {
            a.record(5, 1, 1, DataType.DATA, T0 + i * 60_000L);
            prev = last;
            last = a.score(5, TargetKind.NODE, 1, T0 + i * 60_000L);
        }
        assertThat(last).isBetween(0.0, 1.0);
        assertThat(Math.abs(last - prev)).isLessThan(1e-6);
    }

    @Test
    void longGapsRebaseWithoutOverflow() {
        AffinityScorer a = scorer();
        a.record(1, 1, 1, DataType.DATA, 0);
        a.record(1, 1, 1, DataType.DATA, T0); // ~47 years later: rebased on the way
        double s = a.score(1, TargetKind.NODE, 1, T0);
        assertThat(s).isBetween(0.0, 1.0);
        assertThat(Double.isFinite(s)).isTrue();
    }

    @Test
    void roundTripKeepsScoresAndKeepsLearning() throws IOException {
        AffinityScorer a = scorer();
        for (int i = 0; i < 300; i++) {
            a.record(i % 7, i % 3, i % 5, DataType.values()[i % 5], T0 + i * 10_000L);
        }
        byte[] bytes = write(a);
        AffinityScorer b = AffinityScorer.read(new DataInputStream(new ByteArrayInputStream(bytes)));
        long now = T0 + 4_000_000;
        for (long v = 0; v < 7; v++) {
            List<Double> sa = new ArrayList<>();
            List<Double> sb = new ArrayList<>();
            a.scores(v, now, (k, t, s) -> sa.add(s));
            b.scores(v, now, (k, t, s) -> sb.add(s));
            assertThat(sb).isEqualTo(sa);
        }
        a.record(1, 2, 3, DataType.LOG, now);
        b.record(1, 2, 3, DataType.LOG, now);
        assertThat(b.score(1, TargetKind.NODE, 2, now)).isEqualTo(a.score(1, TargetKind.NODE, 2, now));
        assertThat(bytes.length).isLessThan(b.pairs() * 180 + b.subjects() * 30 + 200); // compact
    }

    @Test
    void corruptStateIsRejectedWithAReason() throws IOException {
        byte[] bytes = write(scorer());
        bytes[0] ^= 0x55;
        assertThatThrownBy(() -> AffinityScorer.read(new DataInputStream(new ByteArrayInputStream(bytes))))
                .isInstanceOf(ModelFormatException.class)
                .satisfies(e -> assertThat(((ModelFormatException) e).reason()).isEqualTo(ModelFormatException.Reason.BAD_MAGIC));
    }

    @Test
    void rejectsBadWeightsAndIds() {
        assertThatThrownBy(() -> AffinityWeights.of(-1, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AffinityWeights.of(0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scorer().record(-1, 0, 0, DataType.DATA, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scorer().record(1, 1 << 21, 0, DataType.DATA, T0)).isInstanceOf(IllegalArgumentException.class);
    }

    static byte[] write(AffinityScorer a) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bo)) {
            a.write(out);
        }
        return bo.toByteArray();
    }
}
