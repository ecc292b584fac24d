package dev.prescient.local.view;

import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.ClusterWatch;
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
                List<Object> ops = new ArrayList<>();
                for (double[] o : h.ops) {
                    ops.add(new Object[] {o[0], o[1], nan(o[2]), nan(o[3]), nan(o[4])});
                }
                m.put("ops", ops);
            }
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

    /** A few lines for a terminal. */
    public static String summary(ScenarioRunner r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("t=%5.1fs day %.2f |", r.seconds(), r.seconds() / r.scenario().dayLengthSeconds));
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
