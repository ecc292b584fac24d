package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The drift method: last value plus the average step over the whole history,
 * {@code y(T) + h * (y(T) - y(1)) / (T - 1)}. A steadily filling volume is its natural case,
 * and unlike a damped trend it keeps growing at any horizon.
 */
public final class Drift implements Forecaster {

    private double first = Double.NaN;
    private double last = Double.NaN;
    private long firstAt;
    private long lastAt;
    private long count;

    @Override
    public String name() {
        return "drift";
    }

    @Override
    public void observe(double y) {
        if (!Double.isNaN(y)) {
            if (Double.isNaN(first)) {
                first = y;
                firstAt = count;
            }
            last = y;
            lastAt = count;
        }
        count++;
    }

    @Override
    public double[] forecast(int horizon) {
        double slope = lastAt > firstAt ? (last - first) / (lastAt - firstAt) : 0;
        double[] f = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            // Steps are counted from the last finite observation, so gaps do not shift the line.
            f[h - 1] = last + slope * (count - 1 - lastAt + h);
        }
        return f;
    }

    @Override
    public long observed() {
        return count;
    }

    @Override
    public Drift copy() {
        Drift d = new Drift();
        d.first = first;
        d.last = last;
        d.firstAt = firstAt;
        d.lastAt = lastAt;
        d.count = count;
        return d;
    }

    @Override
    public void writeState(DataOutput out) throws IOException {
        out.writeDouble(first);
        out.writeDouble(last);
        out.writeLong(firstAt);
        out.writeLong(lastAt);
        out.writeLong(count);
    }

    static Drift readState(DataInput in) throws IOException {
        Drift d = new Drift();
        d.first = in.readDouble();
        d.last = in.readDouble();
        d.firstAt = in.readLong();
        d.lastAt = in.readLong();
        d.count = in.readLong();
        if (d.count < 0 || d.firstAt > d.lastAt || d.lastAt > Math.max(0, d.count - 1)) {
            throw new ModelStateException("corrupt drift state");
        }
        return d;
    }
}
