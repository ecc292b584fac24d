package dev.prescient.predict.affinity;

/**
 * Weights of the affinity score, mirroring the MirrorPolicy's affinity weights, plus the decay
 * settings. Plain record so the operator maps the policy onto it and tests build it directly.
 *
 * @param frequency weight of the decayed access count
 * @param recency weight of the time since the last access
 * @param sourceNode weight of the node's share of the subject's traffic ((subject, node) scores)
 * @param application weight of the application's share of the subject's traffic ((subject, app) scores)
 * @param dataType weight of the importance of the data types accessed
 * @param timeOfDay weight of how busy the pair usually is at this hour and weekday
 * @param halfLifeMillis decay half-life of counts and recency
 * @param referenceCount decayed count at which the frequency component reaches 1 - 1/e; a
 *                       fixed scale, so scores mean the same for every volume
 * @param profileHalfLifeMillis half-life of the hour/weekday profile (weeks, typically)
 */
public record AffinityWeights(double frequency, double recency, double sourceNode, double application,
                              double dataType, double timeOfDay, double halfLifeMillis,
                              double referenceCount, double profileHalfLifeMillis) {

    public static final double HOUR = 3_600_000d;

    public AffinityWeights {
        double[] w = {frequency, recency, sourceNode, application, dataType, timeOfDay};
        for (double v : w) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("weights must be finite and >= 0: " + java.util.Arrays.toString(w));
            }
        }
        if (frequency + recency + dataType + timeOfDay + Math.max(sourceNode, application) <= 0) {
            throw new IllegalArgumentException("at least one weight must be positive");
        }
        if (!(halfLifeMillis > 0) || !(referenceCount > 0) || !(profileHalfLifeMillis > 0)) {
            throw new IllegalArgumentException("half-lives and reference count must be positive");
        }
    }

    /** Policy weights with the default decay settings: 1 h half-life, reference 10, 4-week profile. */
    public static AffinityWeights of(double frequency, double recency, double sourceNode, double application,
                                     double dataType, double timeOfDay) {
        return new AffinityWeights(frequency, recency, sourceNode, application, dataType, timeOfDay,
                HOUR, 10, 28 * 24 * HOUR);
    }

    public AffinityWeights withHalfLife(double millis) {
        return new AffinityWeights(frequency, recency, sourceNode, application, dataType, timeOfDay,
                millis, referenceCount, profileHalfLifeMillis);
    }
}
