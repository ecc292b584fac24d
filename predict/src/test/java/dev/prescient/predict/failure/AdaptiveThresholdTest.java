package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AdaptiveThresholdTest {

    private static final long DAY = 24L * 3600 * 1000;
    private static final AdaptiveThreshold.Config CFG = new AdaptiveThreshold.Config(0.5, 0.1, 0.9, 0.5, 1.5, DAY);

    @Test
    void failureTightensAndDecaysBackWithTheHalfLife() {
        AdaptiveThreshold t = new AdaptiveThreshold(CFG);
        assertThat(t.shouldAlert(0.3, 0)).isFalse();
        t.onFailure(0);
        assertThat(t.current(0)).isCloseTo(0.25, within(1e-12));
        assertThat(t.shouldAlert(0.3, 0)).isTrue();
        assertThat(t.current(DAY)).isCloseTo(0.375, within(1e-12));
        assertThat(t.current(30 * DAY)).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void repeatedFailuresStopAtTheMinimum() {
        AdaptiveThreshold t = new AdaptiveThreshold(CFG);
        for (int i = 0; i < 10; i++) {
            t.onFailure(0);
        }
        assertThat(t.current(0)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void falseAlarmsRelaxUpToTheMaximum() {
        AdaptiveThreshold t = new AdaptiveThreshold(CFG);
        t.onFalseAlarm(0);
        assertThat(t.current(0)).isCloseTo(0.75, within(1e-12));
        assertThat(t.shouldAlert(0.6, 0)).isFalse();
        t.onFalseAlarm(0);
        assertThat(t.current(0)).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void clusterEventTightensBySeverity() {
        AdaptiveThreshold none = new AdaptiveThreshold(CFG);
        none.onClusterEvent(0, 0);
        assertThat(none.current(0)).isEqualTo(0.5);
        AdaptiveThreshold half = new AdaptiveThreshold(CFG);
        half.onClusterEvent(0.5, 0);
        assertThat(half.current(0)).isCloseTo(0.375, within(1e-12));
        AdaptiveThreshold full = new AdaptiveThreshold(CFG);
        full.onClusterEvent(7, 0);
        assertThat(full.current(0)).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void falseAlarmAfterFailurePartlyUndoesIt() {
        AdaptiveThreshold t = new AdaptiveThreshold(CFG);
        t.onFailure(0);
        t.onFalseAlarm(0);
        assertThat(t.current(0)).isCloseTo(0.375, within(1e-12));
    }

    @Test
    void invalidConfigIsRejected() {
        assertThatThrownBy(() -> new AdaptiveThreshold.Config(0.5, 0.6, 0.9, 0.5, 1.5, DAY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdaptiveThreshold.Config(0.5, 0.1, 0.9, 1.5, 1.5, DAY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
