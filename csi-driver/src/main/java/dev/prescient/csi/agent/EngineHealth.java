package dev.prescient.csi.agent;

import dev.prescient.engine.heat.HeatSnapshot;
import dev.prescient.engine.heat.IoOp;
import java.util.HashMap;
import java.util.Map;

/**
 * Node I/O health from the engines' heat snapshots: read and write latency p99 and the error rate over the
 * interval since the previous report. The engines count latencies in log2 buckets and errors cumulatively, so
 * two reports are differenced per replica; an engine seen for the first time (or restarted, counters lower
 * than before) contributes everything it counted so far. These are the signals the operator's failure
 * predictor watches for anomalies; without them a disk that slows down or starts failing I/O is invisible.
 */
public final class EngineHealth {

    /** What one report says. Latencies in microseconds (0 when there was no I/O of that kind). */
    public record Report(double readP99Micros, double writeP99Micros, double errorsPerSecond, long errorsTotal) {
    }

    private record Seen(long takenAtMillis, long[][] latency, long errors) {
    }

    private final Map<String, Seen> previous = new HashMap<>();

    /**
     * One report per group of replicas (a tier's, or all of the node's), each differenced against its own previous
     * report; a replica belongs to one group per instance of this class.
     */
    public synchronized Map<String, Report> reportBy(Map<String, HeatSnapshot> snapshots, Map<String, String> groupOf) {
        Map<String, Map<String, HeatSnapshot>> groups = new java.util.TreeMap<>();
        snapshots.forEach((id, s) -> groups.computeIfAbsent(groupOf.getOrDefault(id, ""), g -> new HashMap<>())
                .put(id, s));
        Map<String, Seen> before = new HashMap<>(previous);
        Map<String, Seen> after = new HashMap<>();
        Map<String, Report> out = new java.util.TreeMap<>();
        groups.forEach((g, snaps) -> {
            previous.clear();
            snaps.keySet().forEach(id -> {
                if (before.containsKey(id)) {
                    previous.put(id, before.get(id));
                }
            });
            out.put(g, report(snaps));
            after.putAll(previous);
        });
        previous.clear();
        previous.putAll(after);
        return out;
    }

    /** @param snapshots the latest snapshot per replica this node serves */
    public synchronized Report report(Map<String, HeatSnapshot> snapshots) {
        long[] read = new long[32];
        long[] write = new long[32];
        long errors = 0;
        long errorsTotal = 0;
        double seconds = 0;
        Map<String, Seen> next = new HashMap<>();
        for (var e : snapshots.entrySet()) {
            HeatSnapshot s = e.getValue();
            long errs = s.errors().values().stream().mapToLong(Long::longValue).sum();
            errorsTotal += errs;
            Seen before = previous.get(e.getKey());
            boolean restarted = before == null || errs < before.errors() || lower(s.latencyBuckets(), before.latency());
            add(read, s.latencyBuckets(), restarted ? null : before.latency(), IoOp.READ);
            add(write, s.latencyBuckets(), restarted ? null : before.latency(), IoOp.WRITE);
            errors += restarted ? errs : errs - before.errors();
            if (!restarted && s.takenAtMillis() > before.takenAtMillis()) {
                seconds = Math.max(seconds, (s.takenAtMillis() - before.takenAtMillis()) / 1000.0);
            }
            next.put(e.getKey(), new Seen(s.takenAtMillis(), s.latencyBuckets(), errs));
        }
        previous.clear();
        previous.putAll(next);
        return new Report(p99(read), p99(write), seconds > 0 ? errors / seconds : 0, errorsTotal);
    }

    private static boolean lower(long[][] now, long[][] before) {
        for (int op = 0; op < Math.min(now.length, before.length); op++) {
            for (int b = 0; b < Math.min(now[op].length, before[op].length); b++) {
                if (now[op][b] < before[op][b]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void add(long[] into, long[][] now, long[][] before, IoOp op) {
        int o = op.ordinal();
        if (o >= now.length) {
            return;
        }
        for (int b = 0; b < Math.min(into.length, now[o].length); b++) {
            long base = before != null && o < before.length && b < before[o].length ? before[o][b] : 0;
            into[b] += now[o][b] - base;
        }
    }

    /** The 99th percentile: the middle of the log2 bucket holding it, [2^i, 2^(i+1)) us -> 1.5 * 2^i. */
    static double p99(long[] buckets) {
        long total = 0;
        for (long v : buckets) {
            total += v;
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * 0.99);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return 1.5 * (1L << b);
            }
        }
        return 1.5 * (1L << (buckets.length - 1));
    }
}
