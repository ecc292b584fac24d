package dev.prescient.predict.heat;

import dev.prescient.predict.common.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnlinePoissonRegressionTest {
    @Test
    void untrainedModelPredictsOne() {
        OnlinePoissonRegression m = new OnlinePoissonRegression(2, 0.1);
        assertThat(m.predict(new double[] {1, 5})).isEqualTo(1.0);
        assertThat(m.updates()).isZero();
    }

    @Test
    void constantTargetIsLearned() {
        OnlinePoissonRegression m = new OnlinePoissonRegression(1, 0.1);
        for (int i = 0; i < 5_000; i++) {
            m.update(new double[] {1}, 3.0);
        }
        assertThat(m.predict(new double[] {1})).isCloseTo(3.0, within(0.05));
    }

    @Test
    void learnsALogLinearRateFromPoissonSamples() {
        OnlinePoissonRegression m = new OnlinePoissonRegression(2, 0.05);
        Random r = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            double x = r.nextDouble() * 2;
            double rate = Math.exp(-1 + 1.5 * x);
            m.update(new double[] {1, x}, poisson(r, rate));
        }
        double[] w = m.weights();
        assertThat(w[0]).isCloseTo(-1, within(0.15));
        assertThat(w[1]).isCloseTo(1.5, within(0.15));
    }

    @Test
    void roundTripRestoresAndKeepsLearning() throws IOException {
        OnlinePoissonRegression m = new OnlinePoissonRegression(3, 0.1);
        m.update(new double[] {1, 2, 3}, 4);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        m.write(new DataOutputStream(bo));
        OnlinePoissonRegression r = OnlinePoissonRegression.read(new DataInputStream(new ByteArrayInputStream(bo.toByteArray())));
        assertThat(r.weights()).containsExactly(m.weights());
        m.update(new double[] {1, 0, 1}, 0);
        r.update(new double[] {1, 0, 1}, 0);
        assertThat(r.weights()).containsExactly(m.weights());
        assertThat(r.updates()).isEqualTo(2);
    }

    @Test
    void unsupportedVersionIsRejected() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        new OnlinePoissonRegression(1, 0.1).write(new DataOutputStream(bo));
        byte[] b = bo.toByteArray();
        b[5] = 9; // version field
        assertThatThrownBy(() -> OnlinePoissonRegression.read(new DataInputStream(new ByteArrayInputStream(b))))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("UNSUPPORTED_VERSION");
    }

    static int poisson(Random r, double lambda) {
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
