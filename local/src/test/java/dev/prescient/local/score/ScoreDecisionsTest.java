package dev.prescient.local.score;

import dev.prescient.local.score.ReadSource.Copy;
import dev.prescient.local.score.ReadSource.Move;
import dev.prescient.local.score.ReadSource.Place;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The scorecard's plain decisions: which copy serves reads, read figures, lead times, verdicts. */
class ScoreDecisionsTest {

    @Test
    void readsStayOnTheFirstCopyUntilASwitchOver() {
        Place first = new Place("node-a", "ssd");
        List<Copy> two = List.of(new Copy("node-a", "ssd", true), new Copy("node-b", "ssd", true));
        // A pre-staged copy on b joins the set without serving reads.
        assertThat(ReadSource.resolve(first, two, List.of(new Move("node-b/ssd", true, 10)))).isEqualTo(first);
        // A migration switches: the target serves, even with a stale second copy still listed.
        assertThat(ReadSource.resolve(first, two, List.of(new Move("node-b/ssd", true, 10),
                new Move("node-c/nvme", false, 20)))).isEqualTo(new Place("node-c", "nvme"));
        // Order by completion, not by list order.
        assertThat(ReadSource.resolve(first, two, List.of(new Move("node-c/nvme", false, 30),
                new Move("node-b/hdd", false, 20)))).isEqualTo(new Place("node-c", "nvme"));
        // One healthy copy: that one, whatever the migrations said.
        assertThat(ReadSource.resolve(first, List.of(new Copy("node-b", "hdd", true), new Copy("node-a", "ssd", false)),
                List.of())).isEqualTo(new Place("node-b", "hdd"));
    }

    @Test
    void aReadSourceTheFrontEndReportsWinsOverTheInference() {
        Place first = new Place("node-a", "ssd");
        List<Copy> two = List.of(new Copy("node-a", "ssd", true, "r1"), new Copy("node-b", "ssd", true, "r2"));
        // A pre-staged copy that SetReadSource made the read source serves the reads.
        assertThat(ReadSource.resolve(first, two, List.of(new Move("node-b/ssd", true, 10)), "r2"))
                .isEqualTo(new Place("node-b", "ssd"));
        // A reported replica no agent lists (being deleted) or none reported: inferred as before.
        assertThat(ReadSource.resolve(first, two, List.of(new Move("node-b/ssd", true, 10)), "r9")).isEqualTo(first);
        assertThat(ReadSource.resolve(first, two, List.of(), null)).isEqualTo(first);
    }

    @Test
    void readFiguresAndSloWindows() {
        ReadStats s = new ReadStats(5);
        // Window 0: 100 reads of 1 ms, local. Window 1: 99 of 1 ms and one of 50 ms on the failing disk, remote.
        for (int i = 0; i < 100; i++) {
            s.record(i * 0.04, "v", 1000, true, false);
        }
        for (int i = 0; i < 99; i++) {
            s.record(5 + i * 0.04, "v", 1000, false, false);
        }
        s.record(9.9, "v", 50_000, false, true);
        // Window 2 of another volume: too few reads to judge.
        s.record(11, "w", 90_000, true, false);
        ReadStats.Summary sum = s.summary(2000, 10);
        assertThat(sum.reads()).isEqualTo(201);
        assertThat(sum.localShare()).isCloseTo(101 / 201.0, within(1e-9));
        assertThat(sum.p50Micros()).isEqualTo(1000);
        assertThat(sum.p99Micros()).as("rank 199 of 201").isEqualTo(1000);
        assertThat(sum.failingDiskSeconds()).isCloseTo(0.05, within(1e-9));
        assertThat(sum.sloWindows()).isEqualTo(2);
        assertThat(sum.sloWindowsMissed()).as("p99 of 100 reads is the 99th: 1 ms, within 2 ms").isZero();
        s.record(9.95, "v", 60_000, false, false);
        assertThat(s.summary(2000, 10).sloWindowsMissed()).as("two slow reads of 101: p99 is slow").isEqualTo(1);
        assertThat(s.summary(2000, 10).sloMissMinutes()).isCloseTo(5 / 60.0, within(1e-9));
        // 202 reads, the p99.5 is rank 201: 60 ms. The reads at or above it, by volume and by 10 s.
        assertThat(s.describeTail(0.995)).isEqualTo("2 reads >= 60.00 ms: by volume {v=1, w=1}; "
                + "by scenario second {0=1, 10=1}");
    }

    @Test
    void leadTimesMatchTheNearestArrivalOfTheReader() {
        List<LeadTimes.Change> changes = List.of(new LeadTimes.Change("db", "node-b", 30),
                new LeadTimes.Change("db", "node-a", 60), new LeadTimes.Change("db", "node-b", 90));
        LeadTimes.Result r = LeadTimes.of(List.of(
                new LeadTimes.Move("db", "Migrate", "node-b", 52),     // 22 s after the reader came: late
                new LeadTimes.Move("db", "PreStage", "node-b", 80),    // 10 s before the next arrival
                new LeadTimes.Move("db", "Retier", "node-b", 81),      // heat, not place: left out
                new LeadTimes.Move("db", "Migrate", "node-c", 40),     // the reader never went to c
                new LeadTimes.Move("db", "Evacuate", "node-a", 100)), changes, 130.0, 30);
        assertThat(r.leads()).containsExactly(-22.0, 10.0, 30.0);
        assertThat(r.unmatched()).isEqualTo(1);
        assertThat(r.median()).isEqualTo(10.0);
        assertThat(r.min()).isEqualTo(-22.0);
        assertThat(LeadTimes.of(List.of(), changes, null, 30).median()).isNaN();
    }

    static Verdict.Figures f(double share, double p99, long bytes) {
        return new Verdict.Figures(share, p99, bytes, true);
    }

    @Test
    void aheadNeedsEveryFigureAndAMargin() {
        Verdict.Figures reactive = f(0.50, 10_000, 100 << 20);
        assertThat(Verdict.ahead(f(0.60, 9_000, 100 << 20), reactive, true)).isTrue();
        assertThat(Verdict.ahead(f(0.51, 9_000, 100 << 20), reactive, true)).as("1 point is a tie").isFalse();
        assertThat(Verdict.ahead(f(0.60, 9_800, 100 << 20), reactive, true)).as("p99 2% lower is a tie").isFalse();
        assertThat(Verdict.ahead(f(0.60, 9_000, 101 << 20), reactive, true)).as("moved more").isFalse();
        assertThat(Verdict.ahead(f(0.60, 9_000, 101 << 20), f(0.5, 10_000, 0), false))
                .as("static moves nothing: bytes not judged").isTrue();
        assertThat(Verdict.ahead(new Verdict.Figures(0.6, 9_000, 0, false), reactive, true)).as("unverified").isFalse();
        assertThat(Verdict.notBehind(f(0.49, 10_900, 109 << 20), reactive, true)).isTrue();
        assertThat(Verdict.notBehind(f(0.47, 10_000, 100 << 20), reactive, true)).isFalse();
        assertThat(Verdict.notBehind(f(0.50, 11_500, 100 << 20), reactive, true)).isFalse();
        assertThat(Verdict.notBehind(f(0.50, 10_000, 120 << 20), reactive, true)).isFalse();
        assertThat(Verdict.why(f(0.40, 12_000, 200 << 20), reactive, true))
                .contains("local share 40.0% vs 50.0%").contains("p99 12.00 ms vs 10.00 ms").contains("moved 200.0 MiB");
    }

    static RunResult run(String scenario, String mode, int rep, double share, double p99, long bytes) {
        return new RunResult(scenario, mode, rep, 1000, share, p99 / 2, p99, bytes, bytes > 0 ? 2 : 0, 1, -5, -8, 0,
                0, 10, 2, 0.2, 3, 3, 0, "1.0 1.0 1.0", "2.0 2.0 2.0");
    }

    @Test
    void scorecardCountsScenariosAndPrintsTheLastLine(@TempDir Path dir) throws Exception {
        List<RunResult> runs = new ArrayList<>();
        // s1: predictive ahead of both. s2: predictive ties reactive (not behind, not ahead). Medians of 3 repeats.
        for (int rep = 1; rep <= 3; rep++) {
            runs.add(run("s1", "static", rep, 0.3, 20_000, 0));
            runs.add(run("s1", "reactive", rep, 0.5, 15_000, 80 << 20));
            runs.add(run("s1", "predictive", rep, rep == 2 ? 0.1 : 0.7, 10_000, 60 << 20));
            runs.add(run("s2", "static", rep, 0.5, 12_000, 0));
            runs.add(run("s2", "reactive", rep, 0.5, 12_000, 0));
            runs.add(run("s2", "predictive", rep, 0.5, 12_000, 0));
        }
        for (RunResult r : runs) {
            r.write(dir.resolve(r.scenario() + "-" + r.mode() + "-" + r.repeat() + ".result"));
        }
        List<RunResult> back = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                back.add(RunResult.read(p));
            }
        }
        assertThat(back).hasSize(18).contains(runs.get(0));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Scorecard.print(back, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertThat(lines.get(lines.size() - 1))
                .isEqualTo("scorecard: predictive ahead of reactive and static in 1 of 2 scenarios, not behind in 2 of 2");
        assertThat(text).contains("s1: predictive AHEAD").contains("s2: predictive not behind")
                .contains("1.0..2.0,1.0..2.0,1.0..2.0");
        assertThat(Scorecard.combine(back.stream().filter(r -> r.scenario().equals("s1")
                && r.mode().equals("predictive")).toList()).localShare()).as("median of 0.7, 0.1, 0.7").isEqualTo(0.7);
    }
}
