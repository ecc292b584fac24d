package dev.prescient.predict.failure;

import java.util.List;

/**
 * Backblaze's published rule of thumb: a drive is at risk when any raw SMART 5, 187, 188, 197 or
 * 198 is above zero. It needs raw counters; on files with only normalised values the rule is
 * undefined, and {@link #normalisedProxy} is the closest reading (any of those attributes below
 * the vendor's fresh value of 100), clearly a proxy and labelled as one.
 */
public final class BackblazeRule {

    private final int[] rawCritical;
    private final int[] normalisedCritical;

    public BackblazeRule(List<String> columns) {
        this.rawCritical = indices(columns, true);
        this.normalisedCritical = indices(columns, false);
    }

    private static int[] indices(List<String> columns, boolean raw) {
        return java.util.stream.IntStream.range(0, columns.size())
                .filter(i -> (raw ? FeatureSchema.raw(columns.get(i)) : columns.get(i).endsWith("_normalized"))
                        && FeatureSchema.CRITICAL.contains(FeatureSchema.id(columns.get(i))))
                .toArray();
    }

    /** True when the rule can be evaluated: at least one of its raw columns exists. */
    public boolean defined() {
        return rawCritical.length > 0;
    }

    /** Raw columns the rule can use in this file, e.g. only 5 and 197 for HGST drives. */
    public int rawColumns() {
        return rawCritical.length;
    }

    /** The rule on one row; missing raw values count as zero (nothing reported). */
    public boolean flags(double[] row) {
        for (int i : rawCritical) {
            if (row[i] > 0) {
                return true;
            }
        }
        return false;
    }

    public boolean proxyDefined() {
        return normalisedCritical.length > 0;
    }

    public boolean normalisedProxy(double[] row) {
        for (int i : normalisedCritical) {
            if (row[i] < 100) {
                return true;
            }
        }
        return false;
    }
}
