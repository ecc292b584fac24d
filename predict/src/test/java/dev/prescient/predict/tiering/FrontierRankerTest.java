package dev.prescient.predict.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrontierRankerTest {

    private static BlockTrace parse(String lis) throws Exception {
        return BlockTrace.parse("t", new ByteArrayInputStream(lis.getBytes(StandardCharsets.US_ASCII)), Long.MAX_VALUE);
    }

    @Test
    void aHeuristicWithTheFrontierPlacesPagesAStreamIsAboutToRead() throws Exception {
        // two interleaved sequential streams over fresh pages: nothing is ever read twice, so a
        // ranking of seen pages serves nothing, and only the frontier can
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4_000; i++) {
            long base = i % 2 == 0 ? 1_000_000 : 5_000_000;
            sb.append(base + (i / 2) * 8L).append(" 8 0 ").append(i).append('\n');
        }
        BlockTrace t = parse(sb.toString());
        int epoch = 800;
        int cap = 2_000;
        TieringSimulator sim = new TieringSimulator(t, epoch, 1.0);
        int u = TieringSimulator.universe(t);
        double lru = sim.run(Rankers.lru(u), new int[] {cap})[0];
        double withFrontier = sim.run(new FrontierRanker(Rankers.lru(u), t, epoch, cap, sim.budget(cap)),
                new int[] {cap})[0];
        assertThat(lru).isZero();
        assertThat(withFrontier).isGreaterThan(0.3);
    }

    @Test
    void withoutStreamsTheHeuristicsOrderIsKept() throws Exception {
        // random single-page reads of a small hot set and a cold tail: no stream, so the
        // frontier proposes nothing and the wrapped LFU places what LFU places
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            long page = r.nextInt(4) == 0 ? 10 * (100 + r.nextInt(5_000)) : 10 * r.nextInt(100);
            sb.append(page).append(" 1 0 ").append(i).append('\n');
        }
        BlockTrace t = parse(sb.toString());
        int epoch = 1_000;
        int cap = 100;
        TieringSimulator sim = new TieringSimulator(t, epoch, 0.5);
        int u = TieringSimulator.universe(t);
        double lfu = sim.run(Rankers.lfu(u), new int[] {cap})[0];
        double wrapped = sim.run(new FrontierRanker(Rankers.lfu(u), t, epoch, cap, sim.budget(cap)),
                new int[] {cap})[0];
        assertThat(wrapped).isCloseTo(lfu, org.assertj.core.data.Offset.offset(0.01));
    }
}
