package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * y(t+h) = y(t+h-k*m), optionally plus the last season's growth once per season ahead. With
 * {@code m = 1} and no drift this is the naive (last value) forecast.
 */
public final class SeasonalNaive implements Forecaster {

    private final int season;
    private final boolean drift;
    /** The last {@code season + 1} observations in a ring; one extra for the drift estimate. */
    private final double[] ring;
    private long count;

    public SeasonalNaive(int season, boolean drift) {
        if (season < 1) {
            throw new IllegalArgumentException("season must be >= 1, got " + season);
        }
        this.season = season;
        this.drift = drift;
        this.ring = new double[season + 1];
        Arrays.fill(ring, Double.NaN);
    }

    public static SeasonalNaive naive() {
        return new SeasonalNaive(1, false);
    }

    public int season() {
        return season;
    }

    @Override
    public String name() {
        if (season == 1) {
            return drift ? "naive-drift" : "naive";
        }
        return (drift ? "snaive-drift-" : "snaive-") + season;
    }

    @Override
    public void observe(double y) {
        if (Double.isNaN(y)) {
            // Carry the same-season value forward so a gap does not erase the profile.
            y = at(season - 1);
        }
        ring[(int) (count % ring.length)] = y;
        count++;
    }

    /** The observation {@code back} steps before the last one (0 = last), NaN if unknown. */
    private double at(int back) {
        if (back >= count || back >= ring.length) {
            return Double.NaN;
        }
        return ring[(int) ((count - 1 - back) % ring.length)];
    }

    @Override
    public double[] forecast(int horizon) {
        double[] f = new double[horizon];
        if (count == 0) {
            Arrays.fill(f, Double.NaN);
            return f;
        }
        double growth = 0;
        if (drift && count > season) {
            // Growth over the last season, added once per season ahead.
            growth = at(0) - at(season);
        }
        for (int h = 1; h <= horizon; h++) {
            int back;
            if (count >= season) {
                // Same phase in the most recent complete season.
                back = Math.floorMod(-h, season);
            } else {
                back = 0;
            }
            double base = at(back);
            if (Double.isNaN(base)) {
                base = at(0);
            }
            f[h - 1] = base + growth * ((h + season - 1) / season);
        }
        return f;
    }

    @Override
    public long observed() {
        return count;
    }

    @Override
    public SeasonalNaive copy() {
        SeasonalNaive c = new SeasonalNaive(season, drift);
        System.arraycopy(ring, 0, c.ring, 0, ring.length);
        c.count = count;
        return c;
    }

    @Override
    public void writeState(DataOutput out) throws IOException {
        out.writeInt(season);
        out.writeBoolean(drift);
        out.writeLong(count);
        int n = (int) Math.min(count, ring.length);
        out.writeInt(n);
        for (int back = n - 1; back >= 0; back--) {
            out.writeDouble(at(back));
        }
    }

    static SeasonalNaive readState(DataInput in) throws IOException {
        int season = in.readInt();
        boolean drift = in.readBoolean();
        long count = in.readLong();
        int n = in.readInt();
        if (season < 1 || n < 0 || n > season + 1 || count < n) {
            throw new ModelStateException("corrupt seasonal-naive state");
        }
        SeasonalNaive s = new SeasonalNaive(season, drift);
        s.count = count - n;
        for (int i = 0; i < n; i++) {
            s.ring[(int) (s.count % s.ring.length)] = in.readDouble();
            s.count++;
        }
        return s;
    }
}
