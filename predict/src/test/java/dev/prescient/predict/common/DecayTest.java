package dev.prescient.predict.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DecayTest {
    @Test
    void valueHalvesEveryHalfLife() {
        Decay d = new Decay(10);
        double stored = d.weightAt(0);
        assertThat(stored * d.readFactor(0)).isCloseTo(1.0, within(1e-12));
        assertThat(stored * d.readFactor(10)).isCloseTo(0.5, within(1e-12));
        assertThat(stored * d.readFactor(30)).isCloseTo(0.125, within(1e-12));
        assertThat(Decay.decay(8, 20, 10)).isCloseTo(2, within(1e-12));
    }

    @Test
    void landmarkSumsMatchPerEventDecayAndSurviveRebase() {
        Decay d = new Decay(5);
        double stored = 0;
        double direct = 0;
        long last = 0;
        for (long t = 0; t < 5_000; t += 7) {
            if (d.needsRebase(t)) {
                stored *= d.rebaseFactor(t);
            }
            stored += d.weightAt(t);
            direct = direct * d.factor(t - last) + 1;
            last = t;
        }
        assertThat(d.landmark()).isGreaterThan(0); // rebased at least once over 1000 half-lives
        assertThat(stored * d.readFactor(last)).isCloseTo(direct, within(1e-9));
    }

    @Test
    void rejectsNonPositiveHalfLife() {
        assertThatThrownBy(() -> new Decay(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Decay(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
