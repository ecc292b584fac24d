package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.agent.EngineWatchdog.Action;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EngineWatchdogTest {
    @Test
    void aDeadEngineIsRestartedAtOnce() {
        assertThat(new EngineWatchdog(3).observe("r", false, false)).isEqualTo(Action.RESTART_DEAD);
    }

    @Test
    void aWedgedEngineIsKilledOnlyAfterEnoughFailedHandshakesInARow() {
        EngineWatchdog w = new EngineWatchdog(3);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.NONE);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.NONE);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.KILL_WEDGED);
        assertThat(w.failures("r")).as("the count starts again for the new engine").isZero();
    }

    @Test
    void oneGoodHandshakeClearsTheCount() {
        EngineWatchdog w = new EngineWatchdog(3);
        w.observe("r", true, false);
        w.observe("r", true, false);
        assertThat(w.observe("r", true, true)).isEqualTo(Action.NONE);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.NONE);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.NONE);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.KILL_WEDGED);
    }

    @Test
    void replicasAreCountedApartAndForgottenWhenNoLongerWatched() {
        EngineWatchdog w = new EngineWatchdog(2);
        w.observe("a", true, false);
        assertThat(w.observe("b", true, false)).isEqualTo(Action.NONE);
        w.retainOnly(Set.of("b"));
        assertThat(w.failures("a")).isZero();
        assertThat(w.observe("a", true, false)).isEqualTo(Action.NONE);
        assertThat(w.observe("b", true, false)).isEqualTo(Action.KILL_WEDGED);
    }

    @Test
    void aDeadEngineResetsItsCount() {
        EngineWatchdog w = new EngineWatchdog(2);
        w.observe("r", true, false);
        w.observe("r", false, false);
        assertThat(w.observe("r", true, false)).isEqualTo(Action.NONE);
    }

    @Test
    void needsAtLeastOneLook() {
        assertThatThrownBy(() -> new EngineWatchdog(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
