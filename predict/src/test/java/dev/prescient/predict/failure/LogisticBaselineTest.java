package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticBaselineTest {

    @Test
    void learnsADirectionWithMissingAndConstantColumns() {
        Random r = new Random(1);
        int n = 2000;
        double[][] x = new double[n][3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.1 ? 1 : 0;
            x[i][0] = r.nextGaussian() + y[i] * 2;
            x[i][1] = i % 7 == 0 ? Double.NaN : r.nextGaussian();
            x[i][2] = 5;
        }
        LogisticBaseline m = LogisticBaseline.fit(x, y, 1.0);
        assertThat(m.probability(new double[] {3, 0, 5})).isGreaterThan(0.5);
        assertThat(m.probability(new double[] {-1, 0, 5})).isLessThan(0.02);
        assertThat(m.probability(new double[] {Double.NaN, Double.NaN, Double.NaN})).isBetween(0.0, 1.0);
    }

    @Test
    void rareSeparableClassStaysFiniteThanksToThePenaltyAndDamping() {
        double[][] x = new double[1000][1];
        int[] y = new int[1000];
        for (int i = 0; i < 1000; i++) {
            x[i][0] = i < 5 ? 100 : 0;
            y[i] = i < 5 ? 1 : 0;
        }
        LogisticBaseline m = LogisticBaseline.fit(x, y, 1.0);
        assertThat(m.probability(new double[] {100})).isGreaterThan(0.5).isLessThan(1.0);
        assertThat(m.probability(new double[] {0})).isLessThan(0.01);
    }

    @Test
    void singleClassGivesALowProbabilityAndEmptyIsRejected() {
        // The bias is unpenalised, so with no failures it heads towards zero probability.
        LogisticBaseline m = LogisticBaseline.fit(new double[][] {{1}, {2}}, new int[] {0, 0}, 1.0);
        assertThat(m.probability(new double[] {1})).isBetween(0.0, 0.2);
        assertThatThrownBy(() -> LogisticBaseline.fit(new double[0][], new int[0], 1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void solverMatchesAKnownSystem() {
        double[] x = LogisticBaseline.solve(new double[][] {{0, 2}, {3, 1}}, new double[] {4, 5});
        assertThat(x).containsExactly(new double[] {1, 2}, within(1e-12));
    }
}
