package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.HeatHistory;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.VolumeView;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A volume's heat class from pass to pass: promoted promptly, demoted only after a whole cycle of cooling (longer
 * for a volume whose demotions keep being undone), and a class change not carried out dropped when the score is back
 * in the band of where the volume is. Pure: the history it needs comes in and goes out with each call.
 */
final class HeatClassifier {

    private final PlannerSettings settings;
    private final Duration day;

    /**
     * @param day the cycle heat follows (prescient.planner.day-length; local mode compresses it into a minute):
     *            a volume leaves its heat class for a colder one only after a whole cycle below it
     */
    HeatClassifier(PlannerSettings settings, Duration day) {
        this.settings = settings;
        this.day = day;
    }

    /** A pass's heat class for a volume, the heat history to carry to the next pass, and a note for the reason. */
    record HeatClass(HeatLevel level, HeatHistory history, String why) {
    }

    private HeatLevel rawClass(double score) {
        return score >= settings.hot().minScore() ? HeatLevel.Hot
                : score >= settings.warm().minScore() ? HeatLevel.Warm : HeatLevel.Cold;
    }

    /**
     * The class of a volume the planner has no class for yet (new, or its memory lost): the coldest class whose tier
     * holds the volume's primary, null when no class uses that tier (the score alone then decides). A new volume's
     * heat has had no time to build up: classified from its first near-zero score it was demoted at once and promoted
     * back seconds later when its heat arrived (issue 19). Starting from the class it already sits in, it leaves that
     * class for a colder one only after the same whole day of cooling as any volume, and is still promoted at once.
     * Node health does not depend on where this leaves the volume: the agents probe every tier (TierProbe).
     */
    HeatLevel placedClass(VolumeView v) {
        ReplicaView primary = v.primary();
        if (primary == null) {
            return null;
        }
        for (HeatLevel l : new HeatLevel[] {HeatLevel.Cold, HeatLevel.Warm, HeatLevel.Hot}) {
            if (settings.heatTier(l).tier().equals(primary.tier())) {
                return l;
            }
        }
        return null;
    }

    /**
     * A class change not carried out yet (the primary still sits on the tier of its old class, the move was deferred
     * behind another migration of the volume or a limit) is dropped when the score is back inside the band of the
     * class of the tier the primary is on. Local mode: orders-db's demotion to hdd was decided while its migration to
     * node-b ran; when that ended its score was back at 0.38 (warm floor 0.3), the stale demotion was carried out
     * anyway and the volume promoted back 29 s later.
     */
    HeatClass unlessBackInBand(VolumeView v, HeatClass hc, boolean busy) {
        HeatLevel placed = placedClass(v);
        if (busy || placed == null || placed == hc.level()) {
            return hc;
        }
        double m = settings.hysteresis();
        double floor = settings.heatTier(placed).minScore();
        double ceiling = placed == HeatLevel.Hot ? Double.POSITIVE_INFINITY
                : settings.heatTier(HeatLevel.values()[placed.ordinal() - 1]).minScore();
        if (v.heatScore() >= floor - m && v.heatScore() < ceiling + m) {
            return new HeatClass(placed, hc.history().notCooling(), String.format(Locale.ROOT,
                    "; the move to %s was not carried out and the score is back inside the band of %s (%.2f..%.2f)",
                    hc.level(), placed, floor - m, ceiling + m));
        }
        return hc;
    }

    /** Longest cooling a demotion can be made to wait: 16 days (16 minutes in local mode). */
    private static final int MAX_BACK_OFF = 4;

    private Duration dwell(int regretted) {
        return day.multipliedBy(1L << Math.min(regretted, MAX_BACK_OFF));
    }

    /**
     * Heat class with hysteresis, promoting promptly and demoting only after a whole day of cooling, longer for a
     * volume whose demotions keep being undone.
     *
     * <p>Going hotter needs the score to clear the new class's floor by the hysteresis margin, and then happens at
     * once: a volume that turned hot should be on fast media while it is hot. Going colder needs the score to stay
     * below the current class's floor minus the margin for a whole day (the cycle heat follows); the volume then goes
     * to the class of the highest score it had in that day. Why a day and not a longer cool-down or a margin: heat
     * follows the time of day, so a volume busy by day and quiet by night swings across a class boundary twice a
     * day by any margin the classes can afford, and every retier copies the whole volume. A volume that gets hot
     * again within a day of cooling down is one whose peak needs the faster tier; one more day on the faster tier
     * costs less than two copies a day. A daily average instead would delay the first promotion of a volume that
     * just turned hot. Heat that is not daily (bursty jobs, a noisy score near a floor) can still stay low for a day
     * and come back: a promotion within the cooling time after a demotion counts as a regretted demotion and doubles
     * the next cooling (up to 16 days), so such a volume settles on the faster tier after a few moves. A promotion
     * later than that (the demotion was right) starts the count over.
     */
    HeatClass classify(double score, HeatLevel current, HeatHistory history, Instant now) {
        HeatHistory h = history == null ? HeatHistory.NONE : history;
        HeatLevel raw = rawClass(score);
        double m = settings.hysteresis();
        if (current == null || raw == current) {
            return new HeatClass(raw, h.notCooling(), "");
        }
        if (raw.ordinal() < current.ordinal()) {
            // Hotter: the score must reach the new class's floor plus the margin, then it goes at once.
            if (score < settings.heatTier(raw).minScore() + m) {
                return new HeatClass(current, h.notCooling(), "");
            }
            boolean regret = h.demotedAt() != null && Duration.between(h.demotedAt(), now).compareTo(
                    dwell(h.regretted())) < 0;
            HeatHistory next = new HeatHistory(null, 0, h.demotedAt(), regret ? h.regretted() + 1 : 0);
            return new HeatClass(raw, next, regret ? String.format(Locale.ROOT, "; promoted back %s after its "
                    + "demotion: its next demotion waits %s of cooling", Duration.between(h.demotedAt(), now),
                    dwell(next.regretted())) : "");
        }
        double bar = settings.heatTier(current).minScore() - m;
        if (score >= bar) {
            return new HeatClass(current, h.notCooling(), "");
        }
        // Colder: the score must stay below the current class's floor minus the margin for the whole dwell.
        Instant since = h.coolingSince() == null ? now : h.coolingSince();
        double peak = h.coolingSince() == null ? score : Math.max(h.coolingPeak(), score);
        int regretted = h.regretted();
        Duration dwell = dwell(regretted);
        if (Duration.between(since, now).compareTo(dwell) >= 0) {
            HeatLevel to = rawClass(peak);
            return new HeatClass(to, new HeatHistory(null, 0, now, regretted), String.format(Locale.ROOT,
                    "; below %.2f (%s floor - hysteresis) since %s, %s, highest %.2f since: demoted from %s", bar,
                    current, since, dwell, peak, current));
        }
        return new HeatClass(current, new HeatHistory(since, peak, h.demotedAt(), h.regretted()),
                String.format(Locale.ROOT, "; kept %s: below %.2f (floor - hysteresis) only since %s (highest %.2f); "
                        + "demoted after %s below", current, bar, since, peak, dwell));
    }

}
