package dev.prescient.local.score;

import dev.prescient.engine.io.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/** One scenario run's figures for the scorecard, as written by {@code ./prescient local --result FILE}. */
public record RunResult(String scenario, String mode, int repeat, long reads, double localShare, double p50Micros,
                        double p99Micros, long bytesMoved, int moves, int leadCount, double leadMedianSeconds,
                        double leadMinSeconds, int leadUnmatched, double failingDiskSeconds, int sloWindows,
                        int sloWindowsMissed, double sloMissMinutes, int copies, int copiesOk, long ioErrors,
                        String loadBefore, String loadAfter) {

    public boolean verified() {
        return copies > 0 && copies == copiesOk && ioErrors == 0;
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("scenario", scenario);
        p.setProperty("mode", mode);
        p.setProperty("repeat", Integer.toString(repeat));
        p.setProperty("reads", Long.toString(reads));
        p.setProperty("localShare", d(localShare));
        p.setProperty("p50Micros", d(p50Micros));
        p.setProperty("p99Micros", d(p99Micros));
        p.setProperty("bytesMoved", Long.toString(bytesMoved));
        p.setProperty("moves", Integer.toString(moves));
        p.setProperty("leadCount", Integer.toString(leadCount));
        p.setProperty("leadMedianSeconds", d(leadMedianSeconds));
        p.setProperty("leadMinSeconds", d(leadMinSeconds));
        p.setProperty("leadUnmatched", Integer.toString(leadUnmatched));
        p.setProperty("failingDiskSeconds", d(failingDiskSeconds));
        p.setProperty("sloWindows", Integer.toString(sloWindows));
        p.setProperty("sloWindowsMissed", Integer.toString(sloWindowsMissed));
        p.setProperty("sloMissMinutes", d(sloMissMinutes));
        p.setProperty("copies", Integer.toString(copies));
        p.setProperty("copiesOk", Integer.toString(copiesOk));
        p.setProperty("ioErrors", Long.toString(ioErrors));
        p.setProperty("loadBefore", loadBefore);
        p.setProperty("loadAfter", loadAfter);
        AtomicFiles.write(file, p, "prescient scenario run");
    }

    public static RunResult read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new RunResult(p.getProperty("scenario"), p.getProperty("mode"), i(p, "repeat"), l(p, "reads"),
                f(p, "localShare"), f(p, "p50Micros"), f(p, "p99Micros"), l(p, "bytesMoved"), i(p, "moves"),
                i(p, "leadCount"), f(p, "leadMedianSeconds"), f(p, "leadMinSeconds"), i(p, "leadUnmatched"),
                f(p, "failingDiskSeconds"), i(p, "sloWindows"), i(p, "sloWindowsMissed"), f(p, "sloMissMinutes"),
                i(p, "copies"), i(p, "copiesOk"), l(p, "ioErrors"), p.getProperty("loadBefore", ""),
                p.getProperty("loadAfter", ""));
    }

    /** The 1/5/15-minute load average from /proc/loadavg ("?" where there is none). */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String d(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static double f(Properties p, String k) {
        return Double.parseDouble(p.getProperty(k, "NaN"));
    }

    private static int i(Properties p, String k) {
        return Integer.parseInt(p.getProperty(k, "0"));
    }

    private static long l(Properties p, String k) {
        return Long.parseLong(p.getProperty(k, "0"));
    }
}
