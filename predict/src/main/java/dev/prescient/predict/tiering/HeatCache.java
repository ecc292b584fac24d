package dev.prescient.predict.tiering;

/**
 * Easy-Tier-style decayed heat in cache mode: every page carries an exponentially decayed access
 * count, the coldest cached page is evicted. Decay is uniform, so the order of cached pages never
 * changes without an access; keys are kept as log-heat at a landmark (log-sum-exp update),
 * which makes each access one heap update.
 */
public final class HeatCache implements CachePolicy {
    private final int capacity;
    private final double lambda;
    private final IndexedMinHeap heap;
    private double[] logHeat; // log(heat * e^{lambda t}) for every page ever seen
    private boolean[] seen;
    private int last;

    /** @param halfLife in requests */
    public HeatCache(int capacity, int universe, double halfLife) {
        this.capacity = capacity;
        this.lambda = Math.log(2) / halfLife;
        this.heap = new IndexedMinHeap(universe, capacity + 1);
        this.logHeat = new double[universe];
        this.seen = new boolean[universe];
    }

    @Override
    public String name() {
        return "EasyTier-heat";
    }

    @Override
    public boolean access(int id, int t) {
        last = t;
        double add = lambda * t;
        double lh = seen[id] ? logAddExp(logHeat[id], add) : add;
        seen[id] = true;
        logHeat[id] = lh;
        boolean hit = heap.contains(id);
        if (!hit && heap.size() >= capacity) {
            heap.poll();
        }
        heap.insertOrUpdate(id, lh);
        return hit;
    }

    static double logAddExp(double a, double b) {
        return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
    }

    /** Admits with the heat an access would give it, without recording that heat. */
    @Override
    public boolean prefetch(int id) {
        heap.ensureUniverse(id + 1);
        if (heap.contains(id)) {
            return false;
        }
        if (id >= seen.length) {
            int n = Math.max(id + 1, seen.length * 2);
            seen = java.util.Arrays.copyOf(seen, n);
            logHeat = java.util.Arrays.copyOf(logHeat, n);
        }
        double add = lambda * last;
        if (heap.size() >= capacity) {
            heap.poll();
        }
        heap.insertOrUpdate(id, seen[id] ? logAddExp(logHeat[id], add) : add);
        return true;
    }
}
