package dev.prescient.predict.forecast;

import java.io.DataOutput;
import java.io.IOException;

/**
 * A point forecaster over a regularly sampled series. It is primed once from history and then
 * learns online: every {@link #observe} moves its state forward by one step.
 */
public interface Forecaster {

    /** Short name for tables and logs, e.g. {@code hw-damped-48}. */
    String name();

    /** Consumes the next observation. NaN is treated as a missing value: the state only ages. */
    void observe(double y);

    /** Point forecasts for steps 1..horizon ahead of the last observation. */
    double[] forecast(int horizon);

    /** Number of observations consumed so far. */
    long observed();

    /** A deep copy, so that candidates can be evaluated without disturbing the original. */
    Forecaster copy();

    /** Writes the state (parameters and filter state) for {@link ForecasterCodec}. */
    void writeState(DataOutput out) throws IOException;
}
