package dev.prescient.engine.heat;

import java.util.Map;

/**
 * A compact, serialisable picture of a volume's heat: only extents with heat are listed.
 *
 * @param extents        indexes of extents with heat (ascending)
 * @param readHeat       decayed read operations per listed extent
 * @param writeHeat      decayed write operations per listed extent
 * @param consumers      decayed operations and bytes per consumer identity
 * @param latencyBuckets per {@link IoOp} ordinal, 32 log2 buckets: bucket i counts latencies in
 *                       [2^i, 2^(i+1)) microseconds (bucket 0 includes below 1 us)
 * @param errors         count per NBD errno
 */
public record HeatSnapshot(long takenAtMillis, int extentSize, double halfLifeSeconds, int[] extents,
                           float[] readHeat, float[] writeHeat, Map<String, ConsumerHeat> consumers,
                           long[][] latencyBuckets, Map<Integer, Long> errors) {

    /** Decayed read and write operations and bytes of one consumer. */
    public record ConsumerHeat(double reads, double writes, double bytes) {
        public double ops() {
            return reads + writes;
        }
    }
}
