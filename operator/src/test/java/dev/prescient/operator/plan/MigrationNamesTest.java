package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationNamesTest {

    static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    static PlannedAction evacuate(String volume, String to) {
        return new PlannedAction(ActionKind.Evacuate, volume, "node-7", "ssd", to, "ssd",
                MigrationReason.PredictedFailure, true, Duration.ofHours(168), null, 0.5, "node-7 predicted to fail");
    }

    @Test
    void theSameDecisionKeepsItsNameUntilTheCacheShowsItsMigration() {
        MigrationNames names = new MigrationNames(Duration.ofMinutes(10));
        String first = names.nameFor(evacuate("pv-1", "node-2"), T0);
        // The next pass, 10 s later, its cache still without the migration: the same name (the create meets 409).
        names.seen(List.of(), T0.plusSeconds(10));
        assertThat(names.nameFor(evacuate("pv-1", "node-2"), T0.plusSeconds(10))).isEqualTo(first);
        // Once the cache shows it, the decision is done; the same move decided later is another migration.
        names.seen(List.of(first), T0.plusSeconds(20));
        assertThat(names.pending()).isZero();
        String later = names.nameFor(evacuate("pv-1", "node-2"), T0.plusSeconds(3600));
        assertThat(later).isNotEqualTo(first).startsWith("pv-1-evacuate-");
    }

    @Test
    void decisionsOfOneVolumeInOneSecondGetDifferentNames() {
        MigrationNames names = new MigrationNames(Duration.ofMinutes(10));
        assertThat(names.nameFor(evacuate("pv-1", "node-2"), T0))
                .isNotEqualTo(names.nameFor(evacuate("pv-1", "node-3"), T0))
                .isNotEqualTo(names.nameFor(evacuate("pv-2", "node-2"), T0));
    }

    @Test
    void aDecisionNeverSeenIsNamedAfreshAfterTheTtl() {
        MigrationNames names = new MigrationNames(Duration.ofMinutes(10));
        String first = names.nameFor(evacuate("pv-1", "node-2"), T0);
        assertThat(names.nameFor(evacuate("pv-1", "node-2"), T0.plus(Duration.ofMinutes(11)))).isNotEqualTo(first);
        names.seen(List.of(), T0.plus(Duration.ofMinutes(30)));
        assertThat(names.pending()).isZero();
    }

    @Test
    void longVolumeNamesAreCutToAValidName() {
        String name = MigrationNames.name(evacuate("v".repeat(300), "node-2"), T0);
        assertThat(name).hasSize(200).endsWith(name.substring(name.indexOf("-evacuate-")));
    }

    @Test
    void aCreatedDecisionDeletedBeforeItWasSeenGetsANewNameNeverTheOldOne() {
        MigrationNames names = new MigrationNames(Duration.ofMinutes(10));
        PlannedAction a = evacuate("pv-1", "node-2");
        String first = names.nameFor(a, T0);
        assertThat(names.wasCreated(a)).isFalse();
        names.created(a);
        assertThat(names.wasCreated(a)).isTrue();
        // Same second (a retry within the pass that made it): the new name must still differ.
        String second = names.renew(a, T0);
        assertThat(second).isNotEqualTo(first);
        assertThat(names.wasCreated(a)).isFalse();
        assertThat(names.nameFor(a, T0.plusSeconds(5))).isEqualTo(second);
    }
}
