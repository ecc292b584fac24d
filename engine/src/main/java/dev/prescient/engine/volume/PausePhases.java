package dev.prescient.engine.volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where an I/O pause went, phase by phase, in nanoseconds: one System.nanoTime per phase
 * boundary, a handful per pause, so it is always on.
 *
 * <p>With {@code -Dprescient.pause.schedstat=true} (a diagnostic: a few /proc reads per pause)
 * each phase also records how long the pausing thread ran on a CPU and how long it waited for one
 * (Linux /proc/thread-self/schedstat); the rest of a phase is time blocked (I/O, locks, sleeping).
 * Without it those arrays are null.
 *
 * @param drainNanos     from stopping admission until the I/O already admitted has finished
 * @param finalCopyNanos taking the last dirty bits and copying those blocks (the final delta)
 * @param verifyNanos    comparing the final delta on the copy with what was read from the source
 * @param promoteNanos   switching modes / membership in memory
 * @param resumeNanos    reopening the gate (waking the requests that waited)
 * @param cpuNanos       per phase, on-CPU time of the pausing thread, or null
 * @param runqNanos      per phase, time the pausing thread was runnable but waited for a CPU, or null
 */
public record PausePhases(long drainNanos, long finalCopyNanos, long verifyNanos, long promoteNanos,
                          long resumeNanos, long[] cpuNanos, long[] runqNanos) {
    public static final List<String> NAMES = List.of("drain", "final-copy", "verify", "promote", "resume");
    /** No pause at all (a catch-up that converged with I/O flowing). */
    public static final PausePhases NONE = new PausePhases(0, 0, 0, 0, 0, null, null);
    private static final boolean SCHEDSTAT = Boolean.getBoolean("prescient.pause.schedstat");
    private static final Path SCHEDSTAT_FILE = Path.of("/proc/thread-self/schedstat");

    public long[] toArray() {
        return new long[] {drainNanos, finalCopyNanos, verifyNanos, promoteNanos, resumeNanos};
    }

    public long totalNanos() {
        return drainNanos + finalCopyNanos + verifyNanos + promoteNanos + resumeNanos;
    }

    /** Accumulates phase boundaries while a pause runs. */
    static final class Clock {
        private final long[] at = new long[NAMES.size() + 1];
        private final long[] cpu = SCHEDSTAT ? new long[NAMES.size() + 1] : null;
        private final long[] runq = SCHEDSTAT ? new long[NAMES.size() + 1] : null;
        private int next;

        Clock() {
            lap();
        }

        /** Marks the end of the next phase; phases never reached stay 0. */
        void lap() {
            if (next < at.length) {
                if (cpu != null) {
                    schedstat(next);
                }
                at[next++] = System.nanoTime();
            }
        }

        private void schedstat(int i) {
            try {
                String[] f = new String(Files.readAllBytes(SCHEDSTAT_FILE), StandardCharsets.US_ASCII).trim().split(" ");
                cpu[i] = Long.parseLong(f[0]);
                runq[i] = Long.parseLong(f[1]);
            } catch (IOException | RuntimeException e) {
                cpu[i] = i == 0 ? 0 : cpu[i - 1];
                runq[i] = i == 0 ? 0 : runq[i - 1];
            }
        }

        long start() {
            return at[0];
        }

        PausePhases phases() {
            int n = NAMES.size();
            long[] d = new long[n];
            long[] c = cpu == null ? null : new long[n];
            long[] r = runq == null ? null : new long[n];
            for (int i = 1; i < next; i++) {
                d[i - 1] = at[i] - at[i - 1];
                if (c != null) {
                    c[i - 1] = cpu[i] - cpu[i - 1];
                    r[i - 1] = runq[i] - runq[i - 1];
                }
            }
            return new PausePhases(d[0], d[1], d[2], d[3], d[4], c, r);
        }
    }
}
