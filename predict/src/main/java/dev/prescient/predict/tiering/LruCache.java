package dev.prescient.predict.tiering;

/**
 * Least recently used. Sizes are optional: with {@code size == null} every page is one unit,
 * otherwise capacity is in the units of {@code size} (bytes in libCacheSim's mode).
 */
public final class LruCache implements CachePolicy {
    private final long capacity;
    private final int[] size;
    private final IntLists lists;
    private long used;

    public LruCache(int capacity, int universe) {
        this(capacity, universe, null);
    }

    public LruCache(long capacity, int universe, int[] size) {
        this.capacity = capacity;
        this.size = size;
        this.lists = new IntLists(1, universe);
    }

    @Override
    public String name() {
        return "LRU";
    }

    private long sizeOf(int id) {
        return size == null ? 1 : size[id];
    }

    @Override
    public boolean access(int id, int t) {
        boolean hit = lists.listOf(id) == 0;
        if (hit) {
            lists.remove(id);
            lists.pushHead(0, id);
        } else {
            insert(id);
        }
        return hit;
    }

    private boolean insert(int id) {
        long sz = sizeOf(id);
        if (sz > capacity) {
            return false;
        }
        while (used + sz > capacity) {
            used -= sizeOf(lists.removeTail(0));
        }
        lists.pushHead(0, id);
        used += sz;
        return true;
    }

    @Override
    public boolean prefetch(int id) {
        return lists.listOf(id) != 0 && insert(id);
    }
}
