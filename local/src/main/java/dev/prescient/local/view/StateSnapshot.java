package dev.prescient.local.view;

import dev.prescient.local.runtime.ClusterWatch;
import dev.prescient.local.runtime.ForecastTrack;
import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.Replica;
import dev.prescient.local.runtime.ScenarioRunner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The runner's state as plain maps and lists: what /api/state serves and the terminal summary prints. */
public final class StateSnapshot {
    private StateSnapshot() {
    }

    public static Map<String, Object> of(ScenarioRunner r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", r.scenario().name);
        out.put("seconds", r.seconds());
        out.put("dayLengthSeconds", r.scenario().dayLengthSeconds);
        out.put("historySeconds", r.historySeconds());
        out.put("ioErrors", r.ioErrors());
        List<Object> nodes = new ArrayList<>();
        r.nodes().forEach((name, s) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", name);
            n.put("healthScore", s.healthScore);
            n.put("failureProbability", s.failureProbability);
            n.put("injectedLatencyMicros", s.injectedLatencyMicros);
            synchronized (s.series) {
                n.put("series", new ArrayList<>(s.series));
            }
            nodes.add(n);
        });
        out.put("nodes", nodes);
        List<Object> vols = new ArrayList<>();
        for (LocalVolume v : r.volumes().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name);
            m.put("volumeId", v.volumeId);
            m.put("sizeBytes", v.sizeBytes);
            m.put("reader", v.reader());
            m.put("reads", v.reads());
            m.put("writes", v.writes());
            m.put("readMismatches", v.readMismatches());
            m.put("ioErrors", v.ioErrors());
            m.put("readLatencyMicros", Math.round(v.readLatencyMicros()));
            List<Object> reps = new ArrayList<>();
            for (Replica rep : v.replicas()) {
                reps.add(Map.of("node", rep.node(), "tier", rep.tier(), "state", rep.state(), "replicaId",
                        rep.replicaId()));
            }
            m.put("replicas", reps);
            ScenarioRunner.VolumeHistory h = r.history().get(v.name);
            synchronized (h) {
                m.put("heat", new ArrayList<>(h.heat));
            }
            m.put("operatorForecasts", operatorForecasts(r, r.watch().forecasts(v.volumeId)));
            vols.add(m);
        }
        out.put("volumes", vols);
        Map<String, String> names = new java.util.HashMap<>();
        r.volumes().values().forEach(v -> names.put(v.volumeId, v.name));
        List<Object> migs = new ArrayList<>();
        for (ClusterWatch.Migration mg : r.watch().migrations()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", mg.name());
            m.put("volume", names.getOrDefault(mg.volume(), mg.volume()));
            m.put("kind", mg.action());
            m.put("reason", mg.reason());
            m.put("from", mg.from());
            m.put("to", mg.to());
            m.put("explanation", mg.explanation());
            m.put("phase", mg.phase().name());
            m.put("progressPercent", mg.progressPercent());
            m.put("bytesMoved", mg.bytesMoved());
            m.put("pauseMillis", mg.pauseMillis());
            m.put("startedAt", mg.firstSeenAt());
            m.put("finishedAt", mg.done() ? mg.phaseSeenAt().get(mg.phase()) : null);
            migs.add(m);
        }
        out.put("migrations", migs);
        return out;
    }

    private static Double nan(double d) {
        return Double.isNaN(d) ? null : d;
    }

    /** Metrics in the order the view draws them: access first (the daily cycle), then capacity, then the rest. */
    static final List<String> METRIC_ORDER = List.of("AccessRate", "UsedBytes", "WorkingSet", "ReadBytes",
            "WriteBytes");

    static List<String> ordered(List<String> metrics) {
        List<String> out = new ArrayList<>(metrics);
        out.sort(Comparator.comparingInt((String m) -> METRIC_ORDER.indexOf(m) < 0 ? METRIC_ORDER.size()
                : METRIC_ORDER.indexOf(m)).thenComparing(m -> m));
        return out;
    }

    /** What the measured series of a metric is, in the forecast's units. */
    static String actualSource(String metric, double heatHalfLifeSeconds) {
        return switch (metric) {
            case "AccessRate" -> "engine heat summed over nodes (decayed accesses" + (Double.isNaN(heatHalfLifeSeconds)
                    ? "" : String.format(Locale.ROOT, ", half-life %.0f s", heatHalfLifeSeconds))
                    + "), as the operator reads it";
            case "UsedBytes" -> "largest replica allocation, as the agents report it";
            default -> "not measured by local mode";
        };
    }

    /**
     * One entry per metric the operator forecasts for the volume: the forecasts whose time falls in the view's
     * span ([time it is for, value, lower, upper]), the measured series ([t, value]; a day more, for the "a day
     * earlier" baseline) and how the forecasts whose time has come did.
     */
    static List<Object> operatorForecasts(ScenarioRunner r, ForecastTrack track) {
        double now = r.seconds();
        double day = r.scenario().dayLengthSeconds;
        double from = now - r.historySeconds();
        List<Object> out = new ArrayList<>();
        for (String metric : ordered(track.metrics())) {
            List<ForecastTrack.Point> fs = track.forecasts(metric);
            if (fs.isEmpty()) {
                continue; // measured, but the operator forecasts nothing for it (yet)
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric", metric);
            m.put("horizon", track.horizon(metric));
            ForecastTrack.Point last = fs.get(fs.size() - 1);
            m.put("confidence", last.confidence());
            m.put("actualSource", actualSource(metric, r.watch().heatHalfLifeSeconds()));
            List<Object> points = new ArrayList<>();
            for (ForecastTrack.Point p : fs) {
                if (p.target() >= from) {
                    points.add(new Object[] {p.target(), p.value(), p.lower(), p.upper()});
                }
            }
            m.put("points", points);
            List<Object> actual = new ArrayList<>();
            for (ForecastTrack.Sample s : track.actual(metric)) {
                if (s.t() >= from - day) {
                    actual.add(new double[] {s.t(), s.value()});
                }
            }
            m.put("actual", actual);
            ForecastTrack.Score sc = track.score(metric, day);
            Map<String, Object> score = new LinkedHashMap<>();
            score.put("resolved", sc.resolved());
            score.put("withInterval", sc.withInterval());
            score.put("inside", sc.inside());
            score.put("meanAbsError", nan(sc.meanAbsError()));
            score.put("baselineResolved", sc.baselineResolved());
            score.put("baselineMeanAbsError", nan(sc.baselineMeanAbsError()));
            score.put("operatorErrorOnBaselinePoints", nan(sc.operatorErrorOnBaselinePoints()));
            m.put("score", score);
            out.add(m);
        }
        return out;
    }

    /** One line: the latest operator forecast of the metric and how the ones whose time has come did. */
    static String forecastLine(String metric, String horizon, ForecastTrack.Point p, ForecastTrack.Score s) {
        boolean bytes = metric.endsWith("Bytes") || metric.equals("WorkingSet");
        java.util.function.DoubleFunction<String> f = x -> bytes
                ? String.format(Locale.ROOT, "%.1f MiB", x / 1048576) : String.format(Locale.ROOT, "%.1f", x);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "operator forecast %s +%s: %s", metric, horizon, f.apply(p.value())));
        if (p.hasInterval()) {
            sb.append(String.format(Locale.ROOT, " [%s, %s]", f.apply(p.lower()), f.apply(p.upper())));
            if (p.confidence() != null) {
                sb.append(String.format(Locale.ROOT, " %.0f%%", p.confidence() * 100));
            }
        } else {
            sb.append(" (no interval yet)");
        }
        if (s.resolved() > 0) {
            sb.append(String.format(Locale.ROOT, " | %d due", s.resolved()));
            if (s.withInterval() > 0) {
                sb.append(String.format(Locale.ROOT, ", %d%% inside", Math.round(100.0 * s.inside()
                        / s.withInterval())));
            }
            sb.append(", MAE ").append(f.apply(s.meanAbsError()));
            if (s.baselineResolved() > 0) {
                sb.append(String.format(Locale.ROOT, " (on the %d with a day of history: %s, same time a day "
                        + "earlier %s)", s.baselineResolved(), f.apply(s.operatorErrorOnBaselinePoints()),
                        f.apply(s.baselineMeanAbsError())));
            }
        }
        return sb.toString();
    }

    /** A few lines for a terminal. */
    /** Tier ranks of the samples local mode applies (samples/tiers.yaml). */
    static final Map<String, Integer> TIER_RANK = Map.of("nvme", 0, "ssd", 1, "hdd", 2);

    /**
     * The run's reversals so far (see {@link dev.prescient.local.score.Reversals}): primary moves (copies that keep
     * their source left out) that undo the volume's previous one within one simulated day.
     */
    public static List<dev.prescient.local.score.Reversals.Reversal> reversals(ScenarioRunner r) {
        Map<String, String> names = new java.util.HashMap<>();
        for (LocalVolume v : r.volumes().values()) {
            names.put(v.volumeId, v.name);
        }
        List<dev.prescient.local.score.Reversals.Move> moves = new java.util.ArrayList<>();
        for (ClusterWatch.Migration m : r.watch().migrations()) {
            if (!m.keepSource() && m.from() != null && m.to() != null) {
                moves.add(new dev.prescient.local.score.Reversals.Move(names.getOrDefault(m.volume(), m.volume()),
                        m.from(), m.to(), m.firstSeenAt()));
            }
        }
        return dev.prescient.local.score.Reversals.of(moves, r.scenario().dayLengthSeconds, TIER_RANK);
    }

    public static String summary(ScenarioRunner r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("t=%5.1fs day %.2f | reversals %d |", r.seconds(),
                r.seconds() / r.scenario().dayLengthSeconds, reversals(r).size()));
        r.nodes().forEach((n, s) -> sb.append(String.format(" %s health %.2f p(fail) %.2f |", n, s.healthScore,
                s.failureProbability)));
        sb.append('\n');
        Map<String, String> names = new java.util.HashMap<>();
        for (LocalVolume v : r.volumes().values()) {
            names.put(v.volumeId, v.name);
            sb.append(String.format("  %-10s reader %-7s replicas", v.name, v.reader() == null ? "-" : v.reader()));
            for (Replica rep : v.replicas()) {
                sb.append(' ').append(rep.node()).append('/').append(rep.tier()).append('(').append(rep.state())
                        .append(')');
            }
            sb.append(String.format("  r/w %d/%d bad %d errors %d read %.2f ms%n", v.reads(), v.writes(),
                    v.readMismatches(), v.ioErrors(), v.readLatencyMicros() / 1000));
            ForecastTrack track = r.watch().forecasts(v.volumeId);
            for (String metric : ordered(track.metrics())) {
                ForecastTrack.Point p = track.latest(metric);
                if (p != null) {
                    sb.append("    ").append(forecastLine(metric, track.horizon(metric), p,
                            track.score(metric, r.scenario().dayLengthSeconds))).append('\n');
                }
            }
        }
        for (ClusterWatch.Migration m : r.watch().migrations()) {
            Double end = m.done() ? m.phaseSeenAt().get(m.phase()) : null;
            if (end == null || r.seconds() - end < 10) {
                sb.append(String.format("  %-28s %-10s %-16s %-12s %3d%% %s -> %s %s%n", m.name(), m.action(),
                        m.reason(), m.phase(), m.progressPercent(), m.from(), m.to(),
                        m.pauseMillis() == null ? "" : String.format("pause %.2f ms", m.pauseMillis())));
            }
        }
        return sb.toString();
    }
}
