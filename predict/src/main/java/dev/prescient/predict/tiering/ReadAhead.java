package dev.prescient.predict.tiering;

import dev.prescient.predict.common.LongIntOpenMap;

import java.util.Arrays;

/**
 * The same sequential read-ahead for any {@link CachePolicy}, so that cache-mode comparisons give
 * every policy the same advantage. Adaptive in the manner of SARC (Gill and Modha, USENIX 2005):
 * when a request starts where a recent request ended, the pages that would follow it (as many as
 * the request read) are brought in through {@link CachePolicy#prefetch} before the next request.
 * Read-ahead stops while fewer than 1 in 4 prefetched pages are hit before they leave the cache.
 *
 * <p>Only whole-request boundaries trigger read-ahead, so the pages of one multi-page request
 * never count as prefetch hits for each other. Every prefetched page is a slow-tier read:
 * {@link #prefetchedPages} counts them, so the cost of a prefetch hit is not hidden.
 */
public final class ReadAhead implements CachePolicy {
    private static final int RECENT_ENDS = 64;

    private final CachePolicy inner;
    private final BlockTrace trace;
    private final LongIntOpenMap phantoms = new LongIntOpenMap(1024);
    private final long[] recentEnds = new long[RECENT_ENDS];
    private int recentPos;
    private boolean[] prefetched;
    private double issued = 1;
    private double used = 1;
    private long prefetchedPages;
    private long prefetchHits;
    private long requestFirstPage;
    private int requestLength;

    public ReadAhead(CachePolicy inner, BlockTrace trace) {
        this.inner = inner;
        this.trace = trace;
        this.prefetched = new boolean[trace.uniquePages()];
        Arrays.fill(recentEnds, Long.MIN_VALUE);
    }

    @Override
    public String name() {
        return inner.name() + " + read-ahead";
    }

    /** Pages read from the slow tier by read-ahead (beyond the demand misses). */
    public long prefetchedPages() {
        return prefetchedPages;
    }

    /** Demand hits on pages that were in the cache only because of read-ahead. */
    public long prefetchHits() {
        return prefetchHits;
    }

    @Override
    public boolean access(int id, int t) {
        long page = trace.page(id);
        if (trace.startsRequest(t)) {
            requestFirstPage = page;
            requestLength = 0;
        }
        requestLength++;
        boolean hit = inner.access(id, t);
        if (id < prefetched.length && prefetched[id]) {
            prefetched[id] = false;
            if (hit) {
                used++;
                prefetchHits++;
            }
        }
        boolean lastOfRequest = t + 1 >= trace.length() || trace.startsRequest(t + 1);
        if (lastOfRequest) {
            endRequest(page);
        }
        return hit;
    }

    private void endRequest(long lastPage) {
        boolean sequential = false;
        for (long e : recentEnds) {
            if (e == requestFirstPage - 1) {
                sequential = true;
                break;
            }
        }
        recentEnds[recentPos] = lastPage;
        recentPos = (recentPos + 1) % RECENT_ENDS;
        // usefulness below 1 in 4 means read-ahead costs more cache than it saves
        if (!sequential || used / issued < 0.25 && issued > 64) {
            decayUsefulness();
            return;
        }
        for (int d = 1; d <= requestLength; d++) {
            int id = resolve(lastPage + d);
            if (inner.prefetch(id)) {
                if (id >= prefetched.length) {
                    prefetched = Arrays.copyOf(prefetched, Math.max(id + 1, prefetched.length * 2));
                }
                prefetched[id] = true;
                issued++;
                prefetchedPages++;
            }
        }
        decayUsefulness();
    }

    private void decayUsefulness() {
        // forget slowly so a workload that turns sequential again gets read-ahead back
        issued = issued * 0.999 + 0.001 * 4;
        used = used * 0.999 + 0.001 * 1.5;
    }

    private int resolve(long page) {
        int id = trace.idOf(page);
        return id >= 0 ? id : trace.uniquePages() + phantoms.intern(page);
    }
}
