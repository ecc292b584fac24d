package dev.prescient.predict.tiering;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CachePoliciesTest {
    static long hits(CachePolicy p, int[] ids) {
        long h = 0;
        for (int i = 0; i < ids.length; i++) {
            if (p.access(ids[i], i)) {
                h++;
            }
        }
        return h;
    }

    @Test
    void lruKeepsTheMostRecentPages() {
        LruCache c = new LruCache(2, 4);
        assertThat(c.access(0, 0)).isFalse();
        assertThat(c.access(1, 1)).isFalse();
        assertThat(c.access(0, 2)).isTrue();
        assertThat(c.access(2, 3)).isFalse(); // evicts 1
        assertThat(c.access(1, 4)).isFalse();
        assertThat(c.access(0, 5)).isFalse(); // 0 was evicted by 1
    }

    @Test
    void lfuKeepsTheFrequentPage() {
        LfuCache c = new LfuCache(2, 4);
        c.access(0, 0);
        c.access(0, 1);
        c.access(1, 2);
        c.access(2, 3); // evicts 1 (count 1, older than nothing else with count 1)
        assertThat(c.access(0, 4)).isTrue();
        assertThat(c.access(1, 5)).isFalse();
    }

    @Test
    void arcResistsAScanThatFlushesLru() {
        // a small hot loop, then a long one-time scan, then the hot loop again
        int c = 10;
        int[] ids = new int[3 * 200 + 1_000 + 200];
        int n = 0;
        for (int r = 0; r < 60; r++) {
            for (int i = 0; i < 8; i++) {
                ids[n++] = i;
            }
        }
        for (int i = 0; i < 1_000; i++) {
            ids[n++] = 100 + i;
        }
        for (int r = 0; r < 25; r++) {
            for (int i = 0; i < 8; i++) {
                ids[n++] = i;
            }
        }
        int[] trace = java.util.Arrays.copyOf(ids, n);
        long lru = hits(new LruCache(c, 2_000), trace);
        long arc = hits(new ArcCache(c, 2_000), trace);
        assertThat(arc).isGreaterThan(lru);
        ArcCache a = new ArcCache(c, 2_000);
        hits(a, trace);
        for (int i = 0; i < 8; i++) {
            assertThat(a.resident(i)).isTrue();
        }
    }

    @Test
    void beladyIsAnUpperBoundForDemandPolicies() {
        Random r = new Random(11);
        int u = 300;
        int[] ids = new int[20_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(4) == 0 ? r.nextInt(u) : r.nextInt(30);
        }
        for (int c : new int[] {1, 5, 20, 100}) {
            long opt = hits(new BeladyCache(c, u, ids), ids);
            assertThat(opt).isGreaterThanOrEqualTo(hits(new LruCache(c, u), ids));
            assertThat(opt).isGreaterThanOrEqualTo(hits(new LfuCache(c, u), ids));
            assertThat(opt).isGreaterThanOrEqualTo(hits(new ArcCache(c, u), ids));
            assertThat(opt).isGreaterThanOrEqualTo(hits(new HeatCache(c, u, c), ids));
        }
    }

    @Test
    void beladyMatchesTheTextbookExample() {
        // the classic reference string with 3 frames: OPT faults 9 times in 20 references when
        // every miss must be cached; with bypass (allowed here) an exhaustive search finds 12 hits
        int[] ids = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
        assertThat(hits(new BeladyCache(3, 8, ids), ids)).isEqualTo(12);
    }

    @Test
    void prescientReadsAheadOnASequentialStreamButNotWithinARequest() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append(1000 + i * 8).append(" 8 0 ").append(i).append('\n'); // contiguous 8-page reads
        }
        BlockTrace t = BlockTrace.parse("seq", new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)), Long.MAX_VALUE);
        long arc = hits(new ArcCache(64, t.uniquePages()), t.ids());
        long pc = hits(new PrescientCache(64, t), t.ids());
        assertThat(arc).isZero(); // every page read once
        assertThat(pc).isGreaterThan(t.length() * 9L / 10); // all but the first requests prefetched
        // random single-page reads: nothing is sequential, so Prescient is plain ARC
        Random r = new Random(2);
        StringBuilder rnd = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            rnd.append(r.nextInt(500) * 10).append(" 1 0 ").append(i).append('\n');
        }
        BlockTrace t2 = BlockTrace.parse("rnd", new ByteArrayInputStream(rnd.toString().getBytes(StandardCharsets.US_ASCII)), Long.MAX_VALUE);
        assertThat(hits(new PrescientCache(50, t2), t2.ids())).isEqualTo(hits(new ArcCache(50, t2.uniquePages()), t2.ids()));
    }
}
