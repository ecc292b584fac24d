package dev.prescient.predict.tiering;

/** A fast tier admitting on every request (cache mode). Ids are dense page ids. */
public interface CachePolicy {
    String name();

    /** Serves a page request at time t (request index); true on a hit. */
    boolean access(int id, int t);

    /**
     * Read-ahead: brings a page in as a first-time miss would, without counting a request. A
     * page already cached, or remembered by the policy's history, is left alone so read-ahead
     * never disturbs the policy's own adaptation. True when the page was inserted (one slow-tier
     * read). Policies that cannot take read-ahead (the offline optimum) refuse.
     */
    default boolean prefetch(int id) {
        throw new UnsupportedOperationException(name() + " takes no read-ahead");
    }
}
