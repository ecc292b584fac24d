package dev.prescient.local.decide;

import dev.prescient.api.v1alpha1.migration.MigrationReason;

/** One replica-set change the decider wants, with the reason that justifies it in words. */
public record Action(Kind kind, String volume, String fromNode, String fromTier, String toNode, String toTier,
        MigrationReason reason, String explanation) {

    public enum Kind {
        /** Add a mirror on the node predicted to read next; the primary stays. */
        PRE_STAGE,
        /** Make an in-sync mirror the primary (consumer-side redirection, with a measured pause). */
        SWITCH_OVER,
        /** Add a replica elsewhere, switch to it, drop the source. */
        MIGRATE
    }
}
