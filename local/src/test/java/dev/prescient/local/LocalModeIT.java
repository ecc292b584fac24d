package dev.prescient.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.local.api.KubectlIT;
import dev.prescient.local.decide.Action;
import dev.prescient.local.proc.HostSweep;
import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.MigrationRecord;
import dev.prescient.local.runtime.ScenarioRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The default scenario, compressed (a day is 24 s), headless, on real processes: three node plugins, the CSI
 * controller, engine exports, NBD reads and writes. Checks each expected action happened for its reason, that every
 * replica holds every acknowledged write, and that nothing is left running or mounted.
 */
class LocalModeIT {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", "..")).toAbsolutePath().normalize();

    @Test
    void defaultScenarioEndToEnd() throws Exception {
        Path work = Files.createTempDirectory("prescient-local-it");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true);
        LocalMode mode = new LocalMode(new LocalMode.Options(ROOT, work,
                ROOT.resolve("local/src/test/resources/scenarios/short.yaml"), null, 0, 0, false, out));
        List<ProcessHandle> started;
        HostSweep.Leftovers left;
        try {
            mode.start();
            started = mode.children().all().stream().map(c -> c.process().toHandle()).toList();
            assertThat(started).hasSize(4); // three nodes and the controller
            mode.run(0, true);
            ScenarioRunner r = mode.runner();
            List<LocalMode.Verification> checks = mode.verify();
            List<MigrationRecord> migs = r.migrations();
            System.out.println(console);
            migs.forEach(m -> System.out.printf("%s %s %s %s->%s/%s %s %.1f..%.1f pause=%.2fms %s%n", m.id,
                    m.action.kind(), m.action.reason(), m.action.fromNode(), m.action.toNode(), m.action.toTier(),
                    m.phase, m.startedAtSeconds, m.finishedAtSeconds, m.pauseMillis, m.error));

            assertThat(migs).allSatisfy(m -> assertThat(m.phase).as(m.id + " " + m.error)
                    .isEqualTo(MigrationPhase.Succeeded));
            double day = r.scenario().dayLengthSeconds;
            // Hot extents of orders-db: the volume went to nvme for Tiering.
            assertThat(find(migs, Action.Kind.MIGRATE, MigrationReason.Tiering, "orders-db", "nvme")).isPresent();
            // Cold archive went to hdd for Tiering.
            assertThat(find(migs, Action.Kind.MIGRATE, MigrationReason.Tiering, "archive", "hdd")).isPresent();
            // A mirror pre-staged on node-a before the reader came back at the start of day 2, then a switchover.
            MigrationRecord pre = find(migs, Action.Kind.PRE_STAGE, MigrationReason.Affinity, "orders-db", "nvme")
                    .orElseThrow(() -> new AssertionError("no pre-staged mirror"));
            assertThat(pre.action.toNode()).isEqualTo("node-a");
            assertThat(pre.finishedAtSeconds).as("pre-stage done before the reader moves").isLessThan(day);
            MigrationRecord sw = migs.stream().filter(m -> m.action.kind() == Action.Kind.SWITCH_OVER
                    && m.action.toNode().equals("node-a") && m.startedAtSeconds >= day).findFirst()
                    .orElseThrow(() -> new AssertionError("no switchover when the reader moved"));
            assertThat(sw.pauseMillis).isGreaterThan(0).isLessThan(1000);
            // The degrading node was evacuated for PredictedFailure.
            MigrationRecord evac = migs.stream().filter(m -> m.action.reason() == MigrationReason.PredictedFailure)
                    .findFirst().orElseThrow(() -> new AssertionError("no evacuation"));
            assertThat(evac.action.fromNode()).isEqualTo("node-c");
            assertThat(evac.action.toNode()).isNotEqualTo("node-c");
            assertThat(r.volumes().get("archive").replicas()).allSatisfy(x -> assertThat(x.node).isNotEqualTo("node-c"));
            assertThat(evac.pauseMillis).isGreaterThan(0);
            // Nothing acknowledged was lost, on any replica; no read ever returned other bytes.
            assertThat(checks).isNotEmpty().allSatisfy(c -> assertThat(c.badBlocks()).as(c.toString()).isZero());
            assertThat(checks.stream().map(LocalMode.Verification::volume).distinct()).hasSize(3);
            for (LocalVolume v : r.volumes().values()) {
                assertThat(v.readMismatches()).as(v.name).isZero();
                assertThat(v.writes()).as(v.name).isPositive();
            }
            assertThat(r.ioErrors()).isZero();
            // kubectl sees what happened.
            Path kc = mode.api().kubeconfig();
            assertThat(KubectlIT.kubectl(kc, "get", "vmig", "-o", "jsonpath={.items[*].spec.reason}"))
                    .contains("PredictedFailure", "Tiering", "Affinity");
            assertThat(KubectlIT.kubectl(kc, "get", "snode", "node-c", "-o",
                    "jsonpath={.status.failureProbability}")).isNotEmpty();
        } finally {
            left = mode.stop();
        }
        assertThat(left.clean()).as(left.toString()).isTrue();
        for (ProcessHandle h : started) {
            assertThat(h.isAlive()).as("pid " + h.pid()).isFalse();
        }
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(work.toString()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList()).isEmpty();
        assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(work.toString());
    }

    static Optional<MigrationRecord> find(List<MigrationRecord> migs, Action.Kind kind, MigrationReason reason,
            String volume, String toTier) {
        return migs.stream().filter(m -> m.action.kind() == kind && m.action.reason() == reason
                && m.action.volume().equals(volume) && m.action.toTier().equals(toTier)).findFirst();
    }

}
