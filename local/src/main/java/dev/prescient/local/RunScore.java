package dev.prescient.local;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.local.runtime.ClusterWatch;
import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.ScenarioRunner;
import dev.prescient.local.scenario.Scenario;
import dev.prescient.local.score.LeadTimes;
import dev.prescient.local.score.ReadStats;
import dev.prescient.local.score.RunResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A finished run's scorecard figures, from what the workload measured and what the operator did. */
final class RunScore {
    /** The local policy's read-latency SLO (local/scenarios/local-policy.yaml: slo.readLatencyP99Micros). */
    static final double SLO_P99_MICROS = 2000;

    private RunScore() {
    }

    static RunResult of(ScenarioRunner runner, List<LocalMode.Verification> checks, String mode, int repeat,
            String loadBefore, String loadAfter) {
        Scenario sc = runner.scenario();
        ReadStats.Summary reads = runner.reads().summary(SLO_P99_MICROS, 10);
        Map<String, String> nameOf = new HashMap<>();
        for (LocalVolume v : runner.volumes().values()) {
            nameOf.put(v.volumeId, v.name);
            nameOf.put(v.name, v.name);
        }
        long bytes = 0;
        int moves = 0;
        List<LeadTimes.Move> done = new ArrayList<>();
        for (ClusterWatch.Migration m : runner.watch().migrations()) {
            bytes += m.bytesMoved();
            Double at = m.phaseSeenAt().get(MigrationPhase.Succeeded);
            if (at != null) {
                moves++;
                String to = m.to().contains("/") ? m.to().substring(0, m.to().indexOf('/')) : m.to();
                done.add(new LeadTimes.Move(nameOf.getOrDefault(m.volume(), m.volume()), m.action(), to, at));
            }
        }
        List<LeadTimes.Change> changes = new ArrayList<>();
        for (ScenarioRunner.ReaderMove r : runner.readerMoves()) {
            changes.add(new LeadTimes.Change(r.volume(), r.to(), r.at()));
        }
        Double failureAt = null;
        if (sc.degradingNode != null && sc.degradingNode.latencyMicrosPerSecond > 0) {
            // The disk "fails" when its slowdown reaches the scenario's maximum.
            failureAt = sc.degradingNode.startSeconds
                    + sc.degradingNode.maxLatencyMicros / sc.degradingNode.latencyMicrosPerSecond;
        }
        LeadTimes.Result lead = LeadTimes.of(done, changes, failureAt, sc.dayLengthSeconds / 2.0);
        long ok = checks.stream().filter(c -> c.badBlocks() == 0).count();
        return new RunResult(sc.name, mode, repeat, reads.reads(), reads.localShare(), reads.p50Micros(),
                reads.p99Micros(), bytes, moves, lead.leads().size(), lead.median(), lead.min(), lead.unmatched(),
                reads.failingDiskSeconds(), reads.sloWindows(), reads.sloWindowsMissed(), reads.sloMissMinutes(),
                checks.size(), (int) ok, runner.ioErrors() + runner.volumes().values().stream()
                        .mapToLong(LocalVolume::readMismatches).sum(), loadBefore, loadAfter);
    }
}
