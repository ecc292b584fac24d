package dev.prescient.predict.tiering;

/**
 * ARC, after N. Megiddo and D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
 * USENIX FAST 2003 (the algorithm of their Fig. 4): T1/T2 hold cached pages seen once / at least
 * twice recently, B1/B2 are ghost lists of their evictions, and p, the target size of T1, adapts
 * on ghost hits.
 */
public final class ArcCache implements CachePolicy {
    static final int T1 = 0;
    static final int T2 = 1;
    static final int B1 = 2;
    static final int B2 = 3;

    private final int c;
    private final IntLists l;
    private double p;

    public ArcCache(int capacity, int universe) {
        this.c = capacity;
        this.l = new IntLists(4, universe);
    }

    @Override
    public String name() {
        return "ARC";
    }

    /** True when the page is cached (T1 or T2). */
    public boolean resident(int id) {
        int w = l.listOf(id);
        return w == T1 || w == T2;
    }

    @Override
    public boolean access(int x, int t) {
        int w = l.listOf(x);
        if (w == T1 || w == T2) { // case I
            l.remove(x);
            l.pushHead(T2, x);
            return true;
        }
        if (w == B1) { // case II
            double d = l.size(B1) >= l.size(B2) ? 1 : (double) l.size(B2) / l.size(B1);
            p = Math.min(c, p + d);
            replace(false);
            l.remove(x);
            l.pushHead(T2, x);
            return false;
        }
        if (w == B2) { // case III
            double d = l.size(B2) >= l.size(B1) ? 1 : (double) l.size(B1) / l.size(B2);
            p = Math.max(0, p - d);
            replace(true);
            l.remove(x);
            l.pushHead(T2, x);
            return false;
        }
        // case IV: a miss in all four lists
        int l1 = l.size(T1) + l.size(B1);
        if (l1 == c) {
            if (l.size(T1) < c) {
                l.removeTail(B1);
                replace(false);
            } else {
                l.removeTail(T1);
            }
        } else {
            int total = l1 + l.size(T2) + l.size(B2);
            if (total >= c) {
                if (total == 2 * c) {
                    l.removeTail(B2);
                }
                replace(false);
            }
        }
        l.pushHead(T1, x);
        return false;
    }

    /**
     * Read-ahead: brings a page in as a case IV miss would, without counting a request. A page
     * already cached or remembered in a ghost list is left alone, so prefetching never disturbs
     * ARC's adaptation. Returns true when the page was inserted.
     */
    @Override
    public boolean prefetch(int x) {
        l.ensureUniverse(x + 1);
        if (l.listOf(x) != IntLists.NONE) {
            return false;
        }
        int l1 = l.size(T1) + l.size(B1);
        if (l1 == c) {
            if (l.size(T1) < c) {
                l.removeTail(B1);
                replace(false);
            } else {
                l.removeTail(T1);
            }
        } else {
            int total = l1 + l.size(T2) + l.size(B2);
            if (total >= c) {
                if (total == 2 * c) {
                    l.removeTail(B2);
                }
                replace(false);
            }
        }
        l.pushHead(T1, x);
        return true;
    }

    private void replace(boolean inB2) {
        int t1 = l.size(T1);
        if (t1 > 0 && (t1 > p || (inB2 && t1 == p))) {
            l.pushHead(B1, l.removeTail(T1));
        } else if (l.size(T2) > 0) {
            l.pushHead(B2, l.removeTail(T2));
        } else if (t1 > 0) {
            l.pushHead(B1, l.removeTail(T1));
        }
    }
}
