package dev.prescient.operator.status;

import dev.prescient.api.v1alpha1.common.Condition;
import dev.prescient.api.v1alpha1.common.ConditionStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConditionsTest {

    static final Instant T1 = Instant.parse("2026-11-21T10:00:00.123Z");
    static final Instant T2 = Instant.parse("2026-11-21T11:00:00Z");

    @Test
    void unchangedStatusKeepsTransitionTimeButTakesNewGenerationAndMessage() {
        List<Condition> first = new Conditions(null, 1, T1).set("Ready", true, "Valid", "ok").toList();
        assertThat(first.get(0).getLastTransitionTime()).isEqualTo("2026-11-21T10:00:00Z");
        List<Condition> second = new Conditions(first, 2, T2).set("Ready", true, "Valid", "still ok").toList();
        assertThat(second).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-21T10:00:00Z");
            assertThat(c.getObservedGeneration()).isEqualTo(2L);
            assertThat(c.getMessage()).isEqualTo("still ok");
        });
    }

    @Test
    void flipMovesTransitionTimeAndOtherConditionsAreKept() {
        List<Condition> first = new Conditions(null, 1, T1).set("Ready", true, "Valid", "ok")
                .set("Degraded", false, "AllHealthy", "").toList();
        List<Condition> second = new Conditions(first, 1, T2).set("Ready", ConditionStatus.False, "TierMissing",
                "tier nvme does not exist").toList();
        assertThat(second).hasSize(2);
        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-21T11:00:00Z");
        assertThat(second.get(0).getReason()).isEqualTo("TierMissing");
        assertThat(second.get(1).getType()).isEqualTo("Degraded");
        assertThat(second.get(1).getLastTransitionTime()).isEqualTo("2026-11-21T10:00:00Z");
        // The input list is not mutated.
        assertThat(first.get(0).getStatus()).isEqualTo(ConditionStatus.True);
    }
}
