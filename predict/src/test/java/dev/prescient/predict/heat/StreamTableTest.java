package dev.prescient.predict.heat;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamTableTest {

    /** The per-event linear scan the table replaces: the specification it must match. */
    static final class LinearScan {
        final int capacity;
        final int gap;
        final long[] last;
        final long[] mark;
        final long[] touch;
        int count;
        int hint;

        LinearScan(int capacity, int gap) {
            this.capacity = capacity;
            this.gap = gap;
            last = new long[capacity];
            mark = new long[capacity];
            touch = new long[capacity];
        }

        void observe(long e, long t) {
            int h = hint;
            if (h < count && e > last[h] && e <= last[h] + gap) {
                last[h] = e;
                touch[h] = t;
                return;
            }
            int victim = 0;
            for (int j = 0; j < count; j++) {
                long l = last[j];
                if (e > l && e <= l + gap) {
                    last[j] = e;
                    touch[j] = t;
                    hint = j;
                    return;
                }
                if (e <= l && e > l - gap) {
                    touch[j] = t;
                    hint = j;
                    return;
                }
                if (touch[j] < touch[victim]) {
                    victim = j;
                }
            }
            int j = count < capacity ? count++ : victim;
            last[j] = e;
            mark[j] = e;
            touch[j] = t;
            hint = j;
        }
    }

    @Test
    void sequentialAccessesAdvanceOneStream() {
        StreamTable s = new StreamTable(8, 4);
        for (long e = 100; e < 120; e += 2) {
            s.observe(e, e);
        }
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.last[0]).isEqualTo(118);
        s.endWindow();
        assertThat(s.advance[0]).isEqualTo(18.0);
        assertThat(s.mark[0]).isEqualTo(118);
    }

    @Test
    void aRereadInsideTheTailTouchesWithoutAdvancing() {
        StreamTable s = new StreamTable(8, 4);
        s.observe(50, 1);
        s.observe(51, 2);
        s.observe(1_000, 3); // another stream takes the hint
        s.observe(49, 4); // 49 > 51 - 4: a re-read of stream 0
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.last[0]).isEqualTo(51);
        assertThat(s.touch[0]).isEqualTo(4);
        s.observe(47, 5); // 47 <= 51 - 4: too far back, a new stream
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void whenFullTheLeastRecentlyTouchedStreamIsReplaced() {
        StreamTable s = new StreamTable(3, 4);
        s.observe(100, 1);
        s.observe(200, 2);
        s.observe(300, 3);
        s.observe(101, 4); // touches stream 0 (100): stream 1 (200) is now the oldest
        s.observe(900, 5);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.last).containsExactly(101, 900, 300);
        assertThat(s.mark[1]).isEqualTo(900);
        s.observe(201, 6); // 200 is gone: 201 starts a stream in place of the oldest (300)
        assertThat(s.last).containsExactly(101, 900, 201);
    }

    @Test
    void theLowestNumberedMatchingStreamWins() {
        StreamTable s = new StreamTable(4, 4);
        s.observe(10, 1); // stream 0
        s.observe(20, 2); // stream 1
        s.observe(13, 3); // joins stream 0 -> last 13
        s.observe(17, 4); // stream 1 (re-read: 17 > 20 - 4) and stream 0 (13 < 17 <= 17) both match
        assertThat(s.last[0]).isEqualTo(17);
        assertThat(s.last[1]).isEqualTo(20);
        assertThat(s.touch[1]).isEqualTo(2);
    }

    @Test
    void matchesTheLinearScanOnRandomisedWorkloads() {
        for (int seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            int cap = 1 + r.nextInt(64);
            int gap = 1 + r.nextInt(4);
            StreamTable s = new StreamTable(cap, gap);
            LinearScan ref = new LinearScan(cap, gap);
            long[] heads = new long[16];
            for (int i = 0; i < heads.length; i++) {
                heads[i] = r.nextInt(10_000) - 5_000; // negative extents too: floor blocks
            }
            for (long t = 0; t < 200_000; t++) {
                long e;
                int k = r.nextInt(heads.length);
                int kind = r.nextInt(10);
                if (kind < 6) {
                    heads[k] += 1 + r.nextInt(gap + 1); // mostly sequential, sometimes one past the gap
                    e = heads[k];
                } else if (kind < 8) {
                    e = heads[k] - r.nextInt(2 * gap + 1); // re-reads near a stream's tail
                } else {
                    e = r.nextInt(20_000) - 10_000;
                }
                s.observe(e, t);
                ref.observe(e, t);
                if (t % 997 == 0) {
                    s.endWindow();
                }
            }
            assertThat(s.size()).isEqualTo(ref.count);
            for (int j = 0; j < ref.count; j++) {
                assertThat(s.last[j]).as("seed %d stream %d last", seed, j).isEqualTo(ref.last[j]);
                assertThat(s.touch[j]).as("seed %d stream %d touch", seed, j).isEqualTo(ref.touch[j]);
            }
        }
    }

    @Test
    void restoreRebuildsLookupAndRecencyOrder() {
        StreamTable a = new StreamTable(3, 4);
        a.observe(100, 5);
        a.observe(200, 1_000);
        a.observe(300, 7);
        StreamTable b = new StreamTable(3, 4);
        b.restore(a.size(), a.last, a.mark, a.touch, a.advance);
        b.observe(202, 1_001); // the lookup finds stream 1
        assertThat(b.last[1]).isEqualTo(202);
        b.observe(5_000, 1_002); // replaces the oldest touch (stream 0, t=5)
        assertThat(b.last).containsExactly(5_000, 202, 300);
        b.observe(6_000, 1_003); // then stream 2 (t=7)
        assertThat(b.last).containsExactly(5_000, 202, 6_000);
    }

    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> new StreamTable(0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamTable(8, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gap");
        StreamTable s = new StreamTable(2, 4);
        assertThatThrownBy(() -> s.restore(3, new long[3], new long[3], new long[3], new double[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
