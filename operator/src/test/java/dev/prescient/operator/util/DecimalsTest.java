package dev.prescient.operator.util;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DecimalsTest {

    static String two(double x) {
        return Decimals.two(new StringBuilder(), x).toString();
    }

    @Test
    void writesWhatPercentTwoFWrites() {
        assertThat(two(0)).isEqualTo("0.00");
        assertThat(two(0.5)).isEqualTo("0.50");
        assertThat(two(0.07)).isEqualTo("0.07");
        assertThat(two(0.999)).isEqualTo("1.00");
        assertThat(two(12.345678)).isEqualTo("12.35");
        assertThat(two(-0.25)).isEqualTo("-0.25");
        assertThat(two(-0.001)).isEqualTo(String.format(Locale.ROOT, "%.2f", -0.001));
        assertThat(two(Double.NaN)).isEqualTo("NaN");
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            // Scores, shares and probabilities, a few negative, some larger; away from a tie at the third decimal.
            double x = (r.nextDouble() - 0.1) * (i % 2 == 0 ? 1 : 100);
            if (Math.abs(x * 1000 % 10 - 5) < 1e-6) {
                continue;
            }
            assertThat(two(x)).as("%s", x).isEqualTo(String.format(Locale.ROOT, "%.2f", x));
        }
    }
}
