package dev.prescient.predict.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class HalfGapReachTest {

    @Test
    void halfTheGapIsMeasuredAgainstTheSeenPagesOracle() {
        // size 1: LRU 0.2, oracle 0.6 -> mark 0.4, seen-pages oracle 0.5 -> 80%;
        // size 2: LRU 0.6, oracle 1.0 -> mark 0.8 above the seen-pages oracle 0.7 -> out of reach
        TieringEvaluation.Table t = new TieringEvaluation.Table("t", new int[] {10, 20},
                List.of("LRU", "Oracle (next epoch)", "Oracle (seen pages)"),
                List.of(new double[] {0.2, 0.6}, new double[] {0.6, 1.0}, new double[] {0.5, 0.7}));
        double[] r = TieringEvaluation.halfGapReach(t);
        assertThat(r[0]).isCloseTo(0.8, within(1e-12));
        assertThat(r[1]).isCloseTo(0.8 / 0.7, within(1e-12)).isGreaterThan(1);
    }
}
