package dev.prescient.operator.act;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.plan.ActionKind;
import dev.prescient.operator.plan.PlannedAction;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A wave of VolumeMigrations against the fabric8 mock API server: one write per migration, summed up once. */
@EnableKubernetesMockClient(crud = true)
class MigrationCreatorMockTest {

    static KubernetesClient client;
    static final Instant NOW = Instant.parse("2026-12-08T02:00:00Z");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void empty() {
        client.resources(VolumeMigration.class).delete();
        client.v1().events().inAnyNamespace().delete();
    }

    static PlannedAction evacuate(int i) {
        return new PlannedAction(ActionKind.Evacuate, "pv-" + i, "node-7", "ssd", "node-" + (10 + i % 5), "ssd",
                MigrationReason.PredictedFailure, true, null, null, 0.9,
                "volume pv-" + i + ": node node-7 failure probability 0.90 >= threshold 0.50");
    }

    double decisions(String outcome) {
        return registry.find("prescient.planner.decisions").tag("outcome", outcome).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void aWaveIsOneCreatePerMigrationAndNoEventEach() {
        List<PlannedAction> wave = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            wave.add(evacuate(i));
        }
        wave.add(new PlannedAction(ActionKind.Retier, "pv-99", "node-1", "ssd", "node-1", "hdd",
                MigrationReason.Tiering, false, null, null, 1.0, "volume pv-99: cold"));
        try (MigrationCreator creator = new MigrationCreator(client, new OperatorMetrics(registry), 8)) {
            MigrationCreator.Wave w = creator.createWave(wave, 100L << 20, NOW);

            assertThat(w.created()).hasSize(41);
            assertThat(w.attempted()).isEqualTo(41);
            assertThat(w.concurrency()).isEqualTo(8);
            assertThat(w.slowest()).isLessThanOrEqualTo(w.took());
            List<VolumeMigration> made = client.resources(VolumeMigration.class).list().getItems();
            assertThat(made).hasSize(41);
            assertThat(made).allSatisfy(m -> assertThat(m.getSpec().getExplanation()).startsWith("volume pv-"));
            // What was planned is in each migration's spec and the wave's summary, not in 41 Events.
            assertThat(client.v1().events().inAnyNamespace().list().getItems()).isEmpty();
            assertThat(decisions("created")).isEqualTo(41);

            String summary = w.summary();
            assertThat(summary).startsWith("planned 40 Evacuate, 1 Retier: ");
            assertThat(summary.length()).isLessThanOrEqualTo(MigrationCreator.SUMMARY_CHARS + 60);
            String first = w.created().keySet().iterator().next();
            assertThat(summary).contains(first + " (pv-0 node-7->node-10)");
            // Cut within an Event's message, saying how many more there are.
            assertThat(summary).containsPattern(" and \\d+ more \\(kubectl get volumemigrations\\)$");

            // The same decisions again (the informer does not show them yet): nothing is created twice.
            creator.known(List.of(), NOW);
            MigrationCreator.Wave again = creator.createWave(wave, 100L << 20, NOW);
            assertThat(again.created()).isEmpty();
            assertThat(again.summary()).isEmpty();
            assertThat(client.resources(VolumeMigration.class).list().getItems()).hasSize(41);
            assertThat(decisions("duplicate")).isEqualTo(41);
        }
    }

    @Test
    void aSmallWaveIsListedWhole() {
        try (MigrationCreator creator = new MigrationCreator(client, new OperatorMetrics(registry), 2)) {
            MigrationCreator.Wave w = creator.createWave(List.of(evacuate(1), evacuate(2)), 1, NOW);
            assertThat(w.summary()).startsWith("planned 2 Evacuate: ").doesNotContain("more")
                    .contains("pv-1 node-7->node-11").contains("pv-2 node-7->node-12");
            assertThat(creator.createWave(List.of(), 1, NOW)).isSameAs(MigrationCreator.Wave.NONE);
        }
    }
}
