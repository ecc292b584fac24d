package dev.prescient.predict.tiering;

/** A fast tier admitting on every request (cache mode). Ids are dense page ids. */
public interface CachePolicy {
    String name();

    /** Serves a page request at time t (request index); true on a hit. */
    boolean access(int id, int t);
}
