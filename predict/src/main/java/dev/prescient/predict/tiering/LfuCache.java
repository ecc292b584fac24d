package dev.prescient.predict.tiering;

/**
 * Least frequently used with in-cache counts (a page's count restarts when it is re-admitted),
 * ties broken by recency: the textbook LFU of the ARC paper's comparison.
 */
public final class LfuCache implements CachePolicy {
    private final int capacity;
    private final IndexedMinHeap heap;
    private int[] count;
    private int last;
    private final java.util.BitSet unread = new java.util.BitSet();

    public LfuCache(int capacity, int universe) {
        this.capacity = capacity;
        this.heap = new IndexedMinHeap(universe, capacity + 1);
        this.count = new int[universe];
    }

    @Override
    public String name() {
        return "LFU";
    }

    @Override
    public boolean access(int id, int t) {
        last = t;
        boolean hit = heap.contains(id);
        if (hit && unread.get(id)) {
            unread.clear(id);
        } else if (hit) {
            count[id]++;
        } else {
            if (heap.size() >= capacity) {
                heap.poll();
            }
            count[id] = 1;
            unread.clear(id);
        }
        // count dominates; the fraction orders equal counts by recency
        heap.insertOrUpdate(id, count[id] + t / 4294967296.0);
        return hit;
    }

    @Override
    public boolean prefetch(int id) {
        heap.ensureUniverse(id + 1);
        if (heap.contains(id)) {
            return false;
        }
        if (id >= count.length) {
            count = java.util.Arrays.copyOf(count, Math.max(id + 1, count.length * 2));
        }
        if (heap.size() >= capacity) {
            heap.poll();
        }
        // enters as a first-time miss would (count 1); its first demand hit is that access, not a second
        count[id] = 1;
        unread.set(id);
        heap.insertOrUpdate(id, 1 + last / 4294967296.0);
        return true;
    }
}
