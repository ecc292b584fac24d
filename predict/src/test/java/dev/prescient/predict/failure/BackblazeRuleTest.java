package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackblazeRuleTest {

    @Test
    void flagsAnyPositiveCriticalRawCounterAndTreatsMissingAsZero() {
        BackblazeRule r = new BackblazeRule(List.of("smart_5_raw", "smart_9_raw", "smart_197_raw"));
        assertThat(r.defined()).isTrue();
        assertThat(r.rawColumns()).isEqualTo(2);
        assertThat(r.flags(new double[] {0, 999, 0})).isFalse();
        assertThat(r.flags(new double[] {0, 0, 1})).isTrue();
        assertThat(r.flags(new double[] {Double.NaN, 5, Double.NaN})).isFalse();
    }

    @Test
    void normalisedOnlyFilesLeaveTheRuleUndefinedButOfferTheProxy() {
        BackblazeRule r = new BackblazeRule(List.of("smart_5_normalized", "smart_187_normalized"));
        assertThat(r.defined()).isFalse();
        assertThat(r.proxyDefined()).isTrue();
        assertThat(r.normalisedProxy(new double[] {100, 100})).isFalse();
        assertThat(r.normalisedProxy(new double[] {100, 98})).isTrue();
        assertThat(r.normalisedProxy(new double[] {Double.NaN, 100})).isFalse();
    }
}
