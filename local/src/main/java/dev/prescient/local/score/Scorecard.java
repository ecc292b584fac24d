package dev.prescient.local.score;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Prints the scorecard from the run results in a folder (bench/scenario-scorecard.sh): one row per scenario and mode
 * (static, reactive, predictive), the median over repeats, the verdicts, and the last line
 * {@code scorecard: predictive ahead of reactive and static in N of M scenarios, not behind in K of L}.
 */
public final class Scorecard {

    public static final List<String> MODES = List.of("static", "reactive", "predictive");

    private Scorecard() {
    }

    public static void main(String[] args) throws IOException {
        List<RunResult> runs = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".result")).sorted().toList()) {
                runs.add(RunResult.read(p));
            }
        }
        print(runs, System.out);
    }

    static double median(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        double[] v = rs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The median run of a scenario and mode, figure by figure; verified only if every repeat verified. */
    static RunResult combine(List<RunResult> rs) {
        RunResult a = rs.get(0);
        return new RunResult(a.scenario(), a.mode(), rs.size(), (long) median(rs, RunResult::reads),
                median(rs, RunResult::localShare), median(rs, RunResult::p50Micros), median(rs, RunResult::p99Micros),
                (long) median(rs, RunResult::bytesMoved), (int) Math.round(median(rs, RunResult::moves)),
                rs.stream().mapToInt(RunResult::leadCount).sum(), median(rs, RunResult::leadMedianSeconds),
                rs.stream().mapToDouble(RunResult::leadMinSeconds).filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN),
                rs.stream().mapToInt(RunResult::leadUnmatched).sum(), median(rs, RunResult::failingDiskSeconds),
                rs.stream().mapToInt(RunResult::sloWindows).sum(), rs.stream().mapToInt(RunResult::sloWindowsMissed).sum(),
                median(rs, RunResult::sloMissMinutes), rs.stream().mapToInt(RunResult::copies).sum(),
                rs.stream().allMatch(RunResult::verified) ? rs.stream().mapToInt(RunResult::copies).sum()
                        : rs.stream().mapToInt(RunResult::copiesOk).sum(),
                rs.stream().mapToLong(RunResult::ioErrors).sum(), a.loadBefore(), rs.get(rs.size() - 1).loadAfter());
    }

    private static String num(double v, String fmt) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
    }

    public static void print(List<RunResult> runs, PrintStream out) {
        Map<String, Map<String, List<RunResult>>> by = new LinkedHashMap<>();
        for (RunResult r : runs) {
            by.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>()).computeIfAbsent(r.mode(),
                    k -> new ArrayList<>()).add(r);
        }
        out.printf(Locale.ROOT, "%-10s %-10s %4s %7s %8s %8s %8s %5s %15s %8s %11s %9s %s%n", "scenario", "mode",
                "runs", "local%", "p50 ms", "p99 ms", "MiB mov", "moves", "lead med/min s", "fail-d s", "SLO-miss min",
                "verified", "loadavg before..after");
        int scenarios = 0;
        int ahead = 0;
        int notBehind = 0;
        List<String> notes = new ArrayList<>();
        for (var e : by.entrySet()) {
            Map<String, RunResult> m = new LinkedHashMap<>();
            for (String mode : MODES) {
                List<RunResult> rs = e.getValue().get(mode);
                if (rs == null) {
                    continue;
                }
                rs.sort(Comparator.comparingInt(RunResult::repeat));
                RunResult c = combine(rs);
                m.put(mode, c);
                String lead = c.leadCount() == 0 ? "- (n=0)" : num(c.leadMedianSeconds(), "%+.0f") + "/"
                        + num(c.leadMinSeconds(), "%+.0f") + " (n=" + c.leadCount() + ")";
                out.printf(Locale.ROOT, "%-10s %-10s %4d %7s %8s %8s %8s %5d %15s %8s %11s %9s %s%n", e.getKey(), mode,
                        rs.size(), num(100 * c.localShare(), "%.1f"), num(c.p50Micros() / 1000, "%.2f"),
                        num(c.p99Micros() / 1000, "%.2f"), num(c.bytesMoved() / 1048576.0, "%.1f"), c.moves(), lead,
                        num(c.failingDiskSeconds(), "%.1f"), num(c.sloMissMinutes(), "%.2f") + " (" + c.sloWindowsMissed()
                                + "/" + c.sloWindows() + ")", c.copiesOk() + "/" + c.copies()
                                + (c.ioErrors() > 0 ? " err" + c.ioErrors() : ""),
                        rs.stream().map(r -> r.loadBefore().split(" ")[0] + ".." + r.loadAfter().split(" ")[0])
                                .reduce((x, y) -> x + "," + y).orElse(""));
            }
            RunResult p = m.get("predictive");
            RunResult r = m.get("reactive");
            RunResult s = m.get("static");
            if (p == null || r == null || s == null) {
                notes.add(e.getKey() + ": not every mode ran; left out of the count");
                continue;
            }
            scenarios++;
            Verdict.Figures pf = Verdict.Figures.of(p);
            Verdict.Figures rf = Verdict.Figures.of(r);
            Verdict.Figures sf = Verdict.Figures.of(s);
            boolean a = Verdict.ahead(pf, rf, true) && Verdict.ahead(pf, sf, false);
            boolean nb = Verdict.notBehind(pf, rf, true) && Verdict.notBehind(pf, sf, false);
            if (a) {
                ahead++;
            }
            if (nb) {
                notBehind++;
            }
            notes.add(String.format(Locale.ROOT, "%s: predictive %s; vs reactive: %s; vs static: %s", e.getKey(),
                    a ? "AHEAD" : nb ? "not behind" : "BEHIND", Verdict.why(pf, rf, true), Verdict.why(pf, sf, false)));
        }
        out.println();
        notes.forEach(out::println);
        out.printf(Locale.ROOT, "thresholds (fixed before the runs): ahead = local share +%.0f pts, p99 <= %.0f%%, bytes <= "
                        + "reactive's; not behind = local share -%.0f pts, p99 <= %.0f%%, bytes <= %.0f%% of reactive's, "
                        + "data verified%n", 100 * Verdict.SHARE_MARGIN, 100 * Verdict.AHEAD_P99,
                100 * Verdict.SHARE_MARGIN, 100 * Verdict.BEHIND_P99, 100 * Verdict.BEHIND_BYTES);
        out.printf(Locale.ROOT, "scorecard: predictive ahead of reactive and static in %d of %d scenarios, not behind in "
                + "%d of %d%n", ahead, scenarios, notBehind, scenarios);
    }
}
