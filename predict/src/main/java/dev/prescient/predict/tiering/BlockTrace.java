package dev.prescient.predict.tiering;

import dev.prescient.predict.common.LongIntOpenMap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;

/**
 * A block read trace in the ARC paper's ".lis" format, expanded to page requests.
 *
 * <p>One request a line: {@code starting_block number_of_blocks ignore request_number}; the
 * request covers pages start .. start+n-1. Request order is the clock. Pages get dense ids in
 * order of first access so simulators can use plain arrays; {@link #page(int)} maps back.
 */
public final class BlockTrace {
    private final String name;
    private final int[] ids;
    private final long[] pageOfId;
    private final BitSet requestStart;
    private final int requests;
    private final LongIntOpenMap idOfPage;

    private BlockTrace(String name, int[] ids, long[] pageOfId, BitSet requestStart, int requests,
                       LongIntOpenMap idOfPage) {
        this.idOfPage = idOfPage;
        this.name = name;
        this.ids = ids;
        this.pageOfId = pageOfId;
        this.requestStart = requestStart;
        this.requests = requests;
    }

    /** Reads the whole file. */
    public static BlockTrace read(Path file) throws IOException {
        return read(file, Long.MAX_VALUE);
    }

    /** Reads at most {@code maxPages} page requests (a prefix, for tests). */
    public static BlockTrace read(Path file, long maxPages) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return parse(file.getFileName().toString(), in, maxPages);
        }
    }

    public static BlockTrace parse(String name, InputStream in, long maxPages) throws IOException {
        int[] ids = new int[1 << 16];
        int n = 0;
        BitSet starts = new BitSet();
        LongIntOpenMap map = new LongIntOpenMap(1 << 16);
        long[] fields = new long[4];
        int requests = 0;
        int lineNo = 0;
        while (n < maxPages) {
            int got = readLine(in, fields);
            if (got < 0) {
                break;
            }
            lineNo++;
            if (got == 0) {
                continue; // blank line
            }
            if (got < 2) {
                throw new TraceFormatException(name, lineNo, "expected 'start count ...', got " + got + " field(s)");
            }
            long start = fields[0];
            long count = fields[1];
            if (start < 0 || count <= 0 || count > 1 << 20) {
                throw new TraceFormatException(name, lineNo, "bad block range " + start + "+" + count);
            }
            requests++;
            starts.set(n);
            for (long p = start; p < start + count && n < maxPages; p++) {
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, ids.length * 2);
                }
                ids[n++] = map.intern(p);
            }
        }
        long[] pages = new long[map.size()];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = map.keyAt(i);
        }
        return new BlockTrace(name, Arrays.copyOf(ids, n), pages, starts, requests, map);
    }

    /** Parses up to 4 unsigned decimal fields; -1 at end of input, else the number of fields. */
    private static int readLine(InputStream in, long[] f) throws IOException {
        int c = in.read();
        if (c < 0) {
            return -1;
        }
        int nf = 0;
        boolean inNum = false;
        long v = 0;
        while (c >= 0 && c != '\n') {
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
                inNum = true;
            } else {
                if (inNum && nf < f.length) {
                    f[nf++] = v;
                }
                inNum = false;
                v = 0;
            }
            c = in.read();
        }
        if (inNum && nf < f.length) {
            f[nf++] = v;
        }
        return nf;
    }

    public String name() {
        return name;
    }

    /** Number of page requests. */
    public int length() {
        return ids.length;
    }

    public int requests() {
        return requests;
    }

    public int uniquePages() {
        return pageOfId.length;
    }

    /** Dense id of the i-th page request. */
    public int id(int i) {
        return ids[i];
    }

    public int[] ids() {
        return ids;
    }

    /** Original page (block) number of a dense id. */
    public long page(int id) {
        return pageOfId[id];
    }

    /** Dense id of a page, or -1 when the trace never reads it. */
    public int idOf(long page) {
        return idOfPage.get(page);
    }

    /** True when page request i is the first page of a trace request. */
    public boolean startsRequest(int i) {
        return requestStart.get(i);
    }

    /**
     * The trace in libCacheSim's unit: one object per request, keyed by its first block, sized
     * by its blocks times 512 bytes (an object's size is the one of its first request). Ids are
     * dense in order of first request.
     */
    public record RequestObjects(int[] ids, int[] sizeBytes, long uniqueBytes) {
        public int uniqueObjects() {
            return sizeBytes.length;
        }
    }

    public RequestObjects requestObjects() {
        int[] out = new int[requests];
        int[] sizes = new int[Math.max(1, requests)];
        LongIntOpenMap map = new LongIntOpenMap(1 << 16);
        int n = 0;
        long bytes = 0;
        for (int t = 0; t < ids.length; ) {
            int end = t + 1;
            while (end < ids.length && !requestStart.get(end)) {
                end++;
            }
            int before = map.size();
            int id = map.intern(pageOfId[ids[t]]);
            if (map.size() > before) {
                sizes[id] = (end - t) * 512;
                bytes += sizes[id];
            }
            out[n++] = id;
            t = end;
        }
        return new RequestObjects(java.util.Arrays.copyOf(out, n), java.util.Arrays.copyOf(sizes, map.size()), bytes);
    }
}
