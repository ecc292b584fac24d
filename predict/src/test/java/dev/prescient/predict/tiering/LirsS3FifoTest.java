package dev.prescient.predict.tiering;

import static dev.prescient.predict.tiering.CachePoliciesTest.hits;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LirsS3FifoTest {

    private static int[] loop(int blocks, int rounds) {
        int[] ids = new int[blocks * rounds];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % blocks;
        }
        return ids;
    }

    @Test
    void lirsKeepsPartOfALoopOneBlockLargerThanTheCache() {
        // cache 3: 2 LIR + 1 resident HIR. Round 1 misses all; 1 and 2 become LIR, 3 and 4 take
        // turns in the HIR slot. From round 2 on, 1 and 2 hit and 3 and 4 miss (traced by hand).
        int[] ids = loop(4, 3);
        assertThat(hits(new LirsCache(3, 4), ids)).isEqualTo(4);
        assertThat(hits(new LruCache(3, 4), ids)).isZero();
    }

    @Test
    void lirsPromotesAHirBlockReusedWhileStillInTheStack() {
        LirsCache c = new LirsCache(3, 10);
        int t = 0;
        for (int id : new int[] {1, 2, 3}) { // 1, 2 LIR; 3 resident HIR
            assertThat(c.access(id, t++)).isFalse();
        }
        assertThat(c.access(3, t++)).isTrue(); // 3 is in S: becomes LIR, bottom LIR 1 becomes HIR
        assertThat(c.access(4, t++)).isFalse(); // evicts the resident HIR block, now 1
        assertThat(c.resident(1)).isFalse();
        assertThat(c.resident(2)).isTrue();
        assertThat(c.resident(3)).isTrue();
        assertThat(c.resident(4)).isTrue();
    }

    @Test
    void s3fifoOnTheSameLoopByHand() {
        // cache 3: S holds 1, M 2, ghost 2. Traced by hand: the first two rounds only fill the
        // ghost and M; in round 3, 3 and 4 hit in M.
        assertThat(hits(new S3FifoCache(3, 4), loop(4, 3))).isEqualTo(2);
    }

    @Test
    void s3fifoKeepsAReusedObjectThroughAScanOfOneHitWonders() {
        S3FifoCache s3 = new S3FifoCache(10, 200);
        LruCache lru = new LruCache(10, 200);
        int t = 0;
        for (CachePolicy c : new CachePolicy[] {s3, lru}) {
            t = 0;
            c.access(0, t++);
            c.access(0, t++); // hit in S: moves to M when S is next evicted
            for (int i = 1; i <= 100; i++) {
                c.access(i, t++);
            }
        }
        assertThat(s3.access(0, t)).isTrue();
        assertThat(lru.access(0, t)).isFalse();
    }

    @Test
    void byteCapacityCountsSizesAndRefusesObjectsLargerThanTheCache() {
        int[] size = {4, 4, 4, 20};
        for (CachePolicy c : new CachePolicy[] {new LruCache(8, 4, size), new S3FifoCache(8, 4, size),
            new LirsCache(8, 4, size)}) {
            assertThat(c.access(3, 0)).as(c.name()).isFalse();
            assertThat(c.access(3, 1)).as(c.name() + ": never admitted").isFalse();
            c.access(0, 2);
            assertThat(c.access(0, 3)).as(c.name()).isTrue();
        }
        // LRU of 8 bytes holds two 4-byte objects, not three
        LruCache lru = new LruCache(8, 4, size);
        assertThat(hits(lru, new int[] {0, 1, 2, 0})).isZero();
        assertThat(hits(new LruCache(8, 4, size), new int[] {0, 1, 0})).isEqualTo(1);
    }

    @Test
    void everyPolicyGetsTheSameReadAheadOnASequentialStream() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append(1000 + i * 8).append(" 8 0 ").append(i).append('\n');
        }
        BlockTrace t = BlockTrace.parse("seq", new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)),
                Long.MAX_VALUE);
        int u = t.uniquePages() * 2;
        // 1000 pages: LIRS admits blocks without history into its 1% HIR part, which must hold a
        // request's 8 prefetched pages (with 64 it holds one, and read-ahead cannot help LIRS)
        int c = 1000;
        for (CachePolicy p : new CachePolicy[] {new LruCache(c, u), new LfuCache(c, u), new ArcCache(c, u),
            new LirsCache(c, u), new S3FifoCache(c, u), new HeatCache(c, u, c)}) {
            ReadAhead ra = new ReadAhead(p, t);
            long h = hits(ra, t.ids());
            assertThat(h).as(p.name()).isGreaterThan(t.length() * 9L / 10);
            assertThat(ra.prefetchHits()).as(p.name()).isEqualTo(h);
            // every prefetched page is a slow-tier read: at least one per hit
            assertThat(ra.prefetchedPages()).as(p.name()).isGreaterThanOrEqualTo(h);
        }
        // the shipped Prescient cache mode is exactly ARC with this read-ahead
        assertThat(hits(new PrescientCache(64, t), t.ids()))
                .isEqualTo(hits(new ReadAhead(new ArcCache(64, t.uniquePages()), t), t.ids()));
    }

    @Test
    void requestObjectsAreKeyedByTheFirstBlock() throws IOException {
        String lis = "100 8 0 0\n200 1 0 1\n100 8 0 2\n104 4 0 3\n";
        BlockTrace t = BlockTrace.parse("o", new ByteArrayInputStream(lis.getBytes(StandardCharsets.US_ASCII)),
                Long.MAX_VALUE);
        BlockTrace.RequestObjects o = t.requestObjects();
        assertThat(o.ids()).containsExactly(0, 1, 0, 2);
        assertThat(o.sizeBytes()).containsExactly(8 * 512, 512, 4 * 512);
        assertThat(o.uniqueBytes()).isEqualTo(13 * 512);
    }
}
