package dev.prescient.predict.tiering;

/**
 * The cache mode Prescient shipped with: ARC for demand requests plus {@link ReadAhead}. It holds
 * no model of its own; the fair cache-mode tables give every policy the same read-ahead, where
 * this is the row "ARC + read-ahead".
 */
public final class PrescientCache implements CachePolicy {
    private final ReadAhead readAhead;

    public PrescientCache(int capacity, BlockTrace trace) {
        this.readAhead = new ReadAhead(new ArcCache(capacity, trace.uniquePages()), trace);
    }

    @Override
    public String name() {
        return "Prescient";
    }

    @Override
    public boolean access(int id, int t) {
        return readAhead.access(id, t);
    }
}
