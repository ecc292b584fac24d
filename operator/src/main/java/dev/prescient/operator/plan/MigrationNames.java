package dev.prescient.operator.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names the VolumeMigration of a planned action so that one decision is never created twice. A decision (volume,
 * kind, source and target) gets its name the first time it is made, from the time it was made; while it is pending
 * the same name is given again, so a pass that makes the decision again before the informer cache shows the
 * migration (or after a create that timed out on the client but happened) meets 409 AlreadyExists instead of
 * creating a duplicate. A name is forgotten when the cache shows its migration, or after {@code ttl}; a new leader
 * starts from a complete list, so it cannot miss one. A later decision of the same move gets a later time, so a name
 * (and the agent operation ids derived from it) is never reused for another migration, even after the old one was
 * deleted.
 */
public final class MigrationNames {

    private record Given(String name, Instant at, boolean created) {
    }

    private final Duration ttl;
    private final Map<String, Given> pending = new ConcurrentHashMap<>();

    public MigrationNames(Duration ttl) {
        this.ttl = ttl;
    }

    public static String decisionKey(PlannedAction a) {
        return a.volume() + "|" + a.kind() + "|" + a.fromNode() + "|" + a.fromTier() + "|" + a.toNode() + "|"
                + a.toTier();
    }

    /** The name for this decision: the one already given while it is pending, else a new one from {@code now}. */
    public String nameFor(PlannedAction a, Instant now) {
        return pending.compute(decisionKey(a), (k, g) -> g != null && now.isBefore(g.at().plus(ttl)) ? g
                : new Given(name(a, now), now, false)).name();
    }

    /** The create under the decision's name succeeded. */
    public void created(PlannedAction a) {
        pending.computeIfPresent(decisionKey(a), (k, g) -> new Given(g.name(), g.at(), true));
    }

    /**
     * Whether this decision's migration was created by this operator. If it is decided again while the cache does
     * not show it, the caller must look before creating: the cache may lag (then it exists), or someone deleted it
     * (then {@link #renew} gives a new name; the old one is never reused, its agent operation ids may still be known).
     */
    public boolean wasCreated(PlannedAction a) {
        Given g = pending.get(decisionKey(a));
        return g != null && g.created();
    }

    /** A new name for a decision whose migration was deleted before this operator saw it. */
    public String renew(PlannedAction a, Instant now) {
        Given g = pending.get(decisionKey(a));
        Instant at = g != null && !now.isAfter(g.at()) ? g.at().plusSeconds(1) : now;
        Given fresh = new Given(name(a, at), at, false);
        pending.put(decisionKey(a), fresh);
        return fresh.name();
    }

    /** volume-kind-time-target: the target's hash tells two decisions of one volume in the same second apart. */
    public static String name(PlannedAction a, Instant now) {
        String target = Integer.toHexString((a.toNode() + "/" + a.toTier() + "/" + a.fromNode() + "/" + a.fromTier())
                .hashCode() & 0xffff);
        String suffix = "-" + a.kind().name().toLowerCase(Locale.ROOT) + "-" + Long.toString(now.getEpochSecond(), 36)
                + "-" + target;
        String base = a.volume();
        if (base.length() + suffix.length() > 200) {
            base = base.substring(0, 200 - suffix.length());
        }
        return base + suffix;
    }

    /** Forgets the names the cache now shows (their decision is done) and those older than the ttl. */
    public void seen(Collection<String> existing, Instant now) {
        Set<String> names = new HashSet<>(existing);
        pending.values().removeIf(g -> names.contains(g.name()) || !now.isBefore(g.at().plus(ttl)));
    }

    public int pending() {
        return pending.size();
    }
}
