package dev.prescient.local.score;

/**
 * Whether predictive placement is ahead of, or not behind, a baseline in one scenario. Thresholds fixed before any
 * scorecard was run (issue 16): the machine is shared, so a difference smaller than the margins counts as a tie.
 *
 * <ul>
 *   <li>ahead: local-read share higher by at least {@link #SHARE_MARGIN}, p99 read latency at most
 *       {@link #AHEAD_P99} of the baseline's, and no more bytes moved than a baseline that moves data (static
 *       moves nothing by construction: against it the bytes are printed, not judged);</li>
 *   <li>not behind: local-read share at most {@link #SHARE_MARGIN} lower, p99 at most {@link #BEHIND_P99} of the
 *       baseline's, bytes at most {@link #BEHIND_BYTES} of a moving baseline's, and every copy verified.</li>
 * </ul>
 */
public final class Verdict {

    public static final double SHARE_MARGIN = 0.02;
    public static final double AHEAD_P99 = 0.95;
    public static final double BEHIND_P99 = 1.10;
    public static final double BEHIND_BYTES = 1.10;

    /** The figures judged. */
    public record Figures(double localShare, double p99Micros, long bytesMoved, boolean verified) {
        public static Figures of(RunResult r) {
            return new Figures(r.localShare(), r.p99Micros(), r.bytesMoved(), r.verified());
        }
    }

    private Verdict() {
    }

    /** @param movesData false for the static baseline (bytes are not compared) */
    public static boolean ahead(Figures p, Figures base, boolean movesData) {
        return p.verified() && p.localShare() >= base.localShare() + SHARE_MARGIN
                && p.p99Micros() <= base.p99Micros() * AHEAD_P99
                && (!movesData || p.bytesMoved() <= base.bytesMoved());
    }

    public static boolean notBehind(Figures p, Figures base, boolean movesData) {
        return p.verified() && p.localShare() >= base.localShare() - SHARE_MARGIN
                && p.p99Micros() <= base.p99Micros() * BEHIND_P99
                && (!movesData || p.bytesMoved() <= base.bytesMoved() * BEHIND_BYTES);
    }

    /** Why not ahead / behind, in words, for the note under the table. */
    public static String why(Figures p, Figures base, boolean movesData) {
        StringBuilder b = new StringBuilder();
        if (!p.verified()) {
            b.append("data not verified; ");
        }
        if (p.localShare() < base.localShare() + SHARE_MARGIN) {
            b.append(String.format(java.util.Locale.ROOT, "local share %.1f%% vs %.1f%%; ", 100 * p.localShare(),
                    100 * base.localShare()));
        }
        if (p.p99Micros() > base.p99Micros() * AHEAD_P99) {
            b.append(String.format(java.util.Locale.ROOT, "p99 %.2f ms vs %.2f ms; ", p.p99Micros() / 1000,
                    base.p99Micros() / 1000));
        }
        if (movesData && p.bytesMoved() > base.bytesMoved()) {
            b.append(String.format(java.util.Locale.ROOT, "moved %.1f MiB vs %.1f MiB; ", p.bytesMoved() / 1048576.0,
                    base.bytesMoved() / 1048576.0));
        }
        return b.length() == 0 ? "ahead" : b.substring(0, b.length() - 2);
    }
}
