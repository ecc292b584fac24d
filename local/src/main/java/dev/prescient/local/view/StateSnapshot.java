package dev.prescient.local.view;

import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.MigrationRecord;
import dev.prescient.local.runtime.Replica;
import dev.prescient.local.runtime.ScenarioRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        out.put("ioErrors", r.ioErrors());
        List<Object> nodes = new ArrayList<>();
        r.nodes().forEach((name, s) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", name);
            n.put("healthScore", s.healthScore);
            n.put("failureProbability", s.failureProbability);
            n.put("latencyRatio", s.latencyRatio);
            n.put("errorsPerMinute", s.errorsPerMinute);
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
            m.put("readLatencyMicros", Math.round(v.readLatencyMicros()));
            List<Object> reps = new ArrayList<>();
            for (Replica rep : v.replicas()) {
                reps.add(Map.of("node", rep.node, "tier", rep.tier, "state", rep.state().name(), "primary",
                        rep.primary(), "replicaId", rep.replicaId));
            }
            m.put("replicas", reps);
            ScenarioRunner.VolumeHistory h = r.history().get(v.name);
            synchronized (h) {
                m.put("heat", new ArrayList<>(h.heat));
                List<Object> ops = new ArrayList<>();
                for (double[] o : h.ops) {
                    ops.add(new Object[] {o[0], o[1], nan(o[2]), nan(o[3]), nan(o[4])});
                }
                m.put("ops", ops);
                m.put("remoteReads", h.remoteReads);
            }
            vols.add(m);
        }
        out.put("volumes", vols);
        List<Object> migs = new ArrayList<>();
        for (MigrationRecord rec : r.migrations()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", rec.id);
            m.put("volume", rec.action.volume());
            m.put("kind", rec.action.kind().name());
            m.put("reason", rec.action.reason().name());
            m.put("from", rec.action.fromNode() + "/" + rec.action.fromTier());
            m.put("to", rec.action.toNode() + "/" + rec.action.toTier());
            m.put("explanation", rec.action.explanation());
            m.put("phase", rec.phase.name());
            m.put("progressPercent", rec.progressPercent());
            m.put("bytesMoved", rec.bytesDone);
            m.put("preCopyRounds", rec.preCopyRounds);
            m.put("pauseMillis", rec.pauseMillis < 0 ? null : rec.pauseMillis);
            m.put("startedAt", rec.startedAtSeconds);
            m.put("finishedAt", rec.finishedAtSeconds < 0 ? null : rec.finishedAtSeconds);
            m.put("error", rec.error);
            migs.add(m);
        }
        out.put("migrations", migs);
        return out;
    }

    private static Double nan(double d) {
        return Double.isNaN(d) ? null : d;
    }

    /** A few lines for a terminal. */
    public static String summary(ScenarioRunner r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("t=%5.1fs day %.2f |", r.seconds(), r.seconds() / r.scenario().dayLengthSeconds));
        r.nodes().forEach((n, s) -> sb.append(String.format(" %s health %.2f p(fail) %.2f |", n, s.healthScore,
                s.failureProbability)));
        sb.append('\n');
        for (LocalVolume v : r.volumes().values()) {
            sb.append(String.format("  %-10s reader %-7s replicas", v.name, v.reader() == null ? "-" : v.reader()));
            for (Replica rep : v.replicas()) {
                sb.append(' ').append(rep.primary() ? "*" : "").append(rep.node).append('/').append(rep.tier)
                        .append('(').append(rep.state()).append(')');
            }
            sb.append(String.format("  r/w %d/%d bad %d read %.2f ms%n", v.reads(), v.writes(), v.readMismatches(),
                    v.readLatencyMicros() / 1000));
        }
        for (MigrationRecord m : r.migrations()) {
            if (!m.done() || r.seconds() - m.finishedAtSeconds < 3) {
                sb.append(String.format("  %-16s %-11s %-16s %-13s %3d%% %s%n", m.id, m.action.kind(),
                        m.action.reason(), m.phase, m.progressPercent(), m.action.explanation()));
            }
        }
        return sb.toString();
    }
}
