package dev.prescient.operator.telemetry;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compact history of where each volume is read from: per (volume, node) an hour-of-day profile of the node's
 * share of the volume's accesses, smoothed exponentially (24 floats per pair). Forecasting the share at a
 * future time reads the slot of that hour: a seasonal forecast that sees a daily hot spot coming.
 */
public final class AffinityProfiles {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AffinityProfiles.class);

    private static final int SLOTS = 24;
    private static final float EMPTY = -1f;

    private final double alpha;
    private final long dayMillis;
    private final Map<String, float[]> profiles = new ConcurrentHashMap<>();

    public AffinityProfiles(double alpha) {
        this(alpha, java.time.Duration.ofDays(1));
    }

    /**
     * @param day the length of the cycle the profile learns: a real day in a cluster; local mode and tests
     *            compress it into minutes so that a daily pattern shows within a run
     */
    public AffinityProfiles(double alpha, java.time.Duration day) {
        if (day.toMillis() < SLOTS) {
            throw new IllegalArgumentException("day length " + day + " is too short for " + SLOTS + " slots");
        }
        this.alpha = alpha;
        this.dayMillis = day.toMillis();
    }

    /** The cycle the profiles learn (prescient.planner.day-length). */
    public java.time.Duration day() {
        return java.time.Duration.ofMillis(dayMillis);
    }

    private static String key(String volume, String node) {
        return volume + "|" + node;
    }

    private int slot(Instant t) {
        // With a 24 h day this is the UTC hour of day.
        return (int) (Math.floorMod(t.toEpochMilli(), dayMillis) * SLOTS / dayMillis);
    }

    /** Records the node's share (0..1) of the volume's accesses observed at {@code at}. */
    public void observe(String volume, String node, double share, Instant at) {
        float[] p = profiles.computeIfAbsent(key(volume, node), k -> {
            float[] f = new float[SLOTS];
            java.util.Arrays.fill(f, EMPTY);
            return f;
        });
        int s = slot(at);
        p[s] = p[s] == EMPTY ? (float) share : (float) (alpha * share + (1 - alpha) * p[s]);
    }

    /** Forecast share at {@code at}; {@code fallback} when that hour was never observed. */
    public double forecast(String volume, String node, Instant at, double fallback) {
        float[] p = profiles.get(key(volume, node));
        if (p == null || p[slot(at)] == EMPTY) {
            return fallback;
        }
        return p[slot(at)];
    }

    /**
     * Forecast share at {@code at}, made at {@code now}. Where the profile has that time of day, its value. Where it
     * has not (the first day of a volume or a reader), the only forecast is persistence, and a share is taken to
     * persist over the lead time only as far as it has already held for as long: the lowest of {@code shareNow} and
     * the shares the profile recorded over the last {@code at - now} (a slot never recorded counts as 0). Taking the
     * share now as the forecast made the predictive planner act on the access observed now with no evidence that it
     * lasts: with a reader changing node every 10 s it moved the primary three times in a minute, more than the
     * reactive baseline.
     */
    public double forecast(String volume, String node, Instant now, Instant at, double shareNow) {
        float[] p = profiles.get(key(volume, node));
        if (p != null && p[slot(at)] != EMPTY) {
            return p[slot(at)];
        }
        long lead = Math.max(0, at.toEpochMilli() - now.toEpochMilli());
        long slotMillis = dayMillis / SLOTS;
        double held = shareNow;
        for (long back = 0; back <= lead && held > 0; back += slotMillis) {
            int s = slot(now.minusMillis(back));
            held = Math.min(held, p == null || p[s] == EMPTY ? 0 : p[s]);
        }
        return held;
    }

    /** Nodes that have a profile for the volume. */
    public Map<String, float[]> forVolume(String volume) {
        Map<String, float[]> out = new HashMap<>();
        String prefix = volume + "|";
        profiles.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    public int size() {
        return profiles.size();
    }

    /** One string per pair: base64 of 24 floats, for a ConfigMap. */
    public Map<String, String> export() {
        Map<String, String> out = new HashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        profiles.forEach((k, v) -> {
            ByteBuffer b = ByteBuffer.allocate(SLOTS * 4);
            for (float f : v) {
                b.putFloat(f);
            }
            out.put(k, b64.encodeToString(b.array()));
        });
        return out;
    }

    public int restore(Map<String, String> state) {
        int n = 0;
        for (Map.Entry<String, String> e : state.entrySet()) {
            try {
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(e.getValue()));
                if (b.remaining() != SLOTS * 4 || !e.getKey().contains("|")) {
                    continue;
                }
                float[] f = new float[SLOTS];
                for (int i = 0; i < SLOTS; i++) {
                    f[i] = b.getFloat();
                }
                profiles.put(e.getKey(), f);
                n++;
            } catch (IllegalArgumentException ex) {
                // Skip a corrupt entry; the profile relearns.
                LOG.warnf("affinity profiles: state entry %s unreadable, that profile relearns: %s", e.getKey(), ex);
            }
        }
        return n;
    }
}
