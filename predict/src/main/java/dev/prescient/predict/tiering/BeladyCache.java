package dev.prescient.predict.tiering;

/** Belady's MIN: evict the cached page whose next use is farthest in the future (offline optimum). */
public final class BeladyCache implements CachePolicy {
    private final int capacity;
    private final int[] nextUse;
    private final IndexedMinHeap heap;

    /** @param ids the whole request sequence, known in advance */
    public BeladyCache(int capacity, int universe, int[] ids) {
        this.capacity = capacity;
        this.nextUse = new int[ids.length];
        int[] last = new int[universe];
        java.util.Arrays.fill(last, Integer.MAX_VALUE);
        for (int i = ids.length - 1; i >= 0; i--) {
            nextUse[i] = last[ids[i]];
            last[ids[i]] = i;
        }
        this.heap = new IndexedMinHeap(universe, capacity + 1);
    }

    @Override
    public String name() {
        return "Belady";
    }

    @Override
    public boolean access(int id, int t) {
        boolean hit = heap.contains(id);
        int nu = nextUse[t];
        if (!hit) {
            if (nu == Integer.MAX_VALUE) {
                return false; // never used again: bypass, which MIN allows
            }
            if (heap.size() >= capacity) {
                if (-heap.key(heap.peek()) <= nu) {
                    return false; // the newcomer is needed later than every cached page
                }
                heap.poll();
            }
        }
        if (nu == Integer.MAX_VALUE) {
            heap.remove(id);
        } else {
            heap.insertOrUpdate(id, -nu); // min-heap on -nextUse = farthest first
        }
        return hit;
    }
}
