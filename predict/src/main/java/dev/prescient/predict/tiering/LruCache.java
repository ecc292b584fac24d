package dev.prescient.predict.tiering;

/** Least recently used. */
public final class LruCache implements CachePolicy {
    private final int capacity;
    private final IntLists lists;

    public LruCache(int capacity, int universe) {
        this.capacity = capacity;
        this.lists = new IntLists(1, universe);
    }

    @Override
    public String name() {
        return "LRU";
    }

    @Override
    public boolean access(int id, int t) {
        boolean hit = lists.listOf(id) == 0;
        if (hit) {
            lists.remove(id);
        } else if (lists.size(0) >= capacity) {
            lists.removeTail(0);
        }
        lists.pushHead(0, id);
        return hit;
    }
}
