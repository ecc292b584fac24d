package dev.prescient.predict.harness;

import dev.prescient.predict.heat.ExtentHeatPredictor;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Cost of the heat predictor: events recorded per second on one thread, one prediction pass
 * over 10 million tracked extents, and bytes of state per tracked extent. Figures, not asserts.
 *
 * <p>Rates are per second of the measuring thread's own CPU time (per core, as the target is
 * stated), with the wall-clock figure beside them: on a shared machine the wall clock also counts
 * the time other processes held the core.
 */
public final class CostSection {
    private CostSection() {
    }

    public static void run(PrintStream out) {
        run(out, 10_000_000, 20_000_000);
    }

    public static void run(PrintStream out, int extents, int events) {
        out.println("== cost ==");
        // events: a skewed synthetic stream over 1M extents (hot set plus sequential runs)
        ExtentHeatPredictor warm = new ExtentHeatPredictor(100_000, 1 << 20);
        long[] keys = syntheticKeys(1 << 22, 1 << 20);
        for (int i = 0; i < keys.length; i++) {
            warm.record(keys[i], i); // JIT warm-up and table growth outside the timed loop
        }
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        long t = keys.length;
        int done = 0;
        while (done < events) {
            for (int i = 0; i < keys.length && done < events; i++, done++) {
                warm.record(keys[i], t++);
            }
        }
        double cpu = (cpuNanos() - c0) / 1e9;
        double secs = (System.nanoTime() - t0) / 1e9;
        double rate = events / cpu;
        out.printf("  events scored per second per core: %,.0f (%,d events in %.2f s of thread CPU, %.2f s wall"
                + " = %,.0f/s; target >= 5,000,000) -> %s%n",
                rate, events, cpu, secs, events / secs, rate >= 5e6 ? "MET" : "NOT MET");

        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        ExtentHeatPredictor big = new ExtentHeatPredictor(1_000_000, extents);
        for (int i = 0; i < extents; i++) {
            big.record(i * 7L, i);
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        double[] scores = new double[big.tracked()];
        big.predictAll(extents, scores); // warm-up
        long p0 = System.nanoTime();
        long pc0 = cpuNanos();
        big.predictAll(extents, scores);
        double pass = (cpuNanos() - pc0) / 1e9;
        double passWall = (System.nanoTime() - p0) / 1e9;
        out.printf("  one prediction pass over %,d tracked extents: %.2f s of thread CPU, %.2f s wall (target < 2 s)"
                + " -> %s%n", big.tracked(), pass, passWall, pass < 2 ? "MET" : "NOT MET");
        double perExtent = (double) big.stateBytes() / big.tracked();
        out.printf("  bytes per tracked extent: %.1f by array sizes, %.1f by heap growth (target <= 48) -> %s%n",
                perExtent, (double) (after - before) / big.tracked(), perExtent <= 48 ? "MET" : "NOT MET");
        out.println("  (prediction output array of 8 bytes per extent is the caller's, not counted)");
    }

    /** CPU time of the current thread; wall time where the JVM cannot measure it. */
    private static long cpuNanos() {
        ThreadMXBean b = ManagementFactory.getThreadMXBean();
        return b.isCurrentThreadCpuTimeSupported() ? b.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static long[] syntheticKeys(int n, int universe) {
        long[] k = new long[n];
        long x = 12345;
        long seq = 0;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int r = (int) ((x >>> 1) % 100);
            if (r < 60) {
                k[i] = (x >>> 20) % (universe / 100); // hot 1%
            } else if (r < 80) {
                k[i] = universe + (seq++ % universe); // sequential run
            } else {
                k[i] = (x >>> 20) % universe;
            }
        }
        return k;
    }
}
