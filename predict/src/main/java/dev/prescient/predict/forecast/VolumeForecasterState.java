package dev.prescient.predict.forecast;

import static dev.prescient.predict.forecast.VolumeForecaster.BANDS;

import dev.prescient.predict.forecast.VolumeForecaster.Config;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The persisted form of a {@link VolumeForecaster}: configuration, models, selection errors and
 * the forecasts still waiting for their values, so a restored forecaster selects and calibrates
 * exactly as the original would. Corrupt input is refused with a {@link ModelStateException}.
 */
final class VolumeForecasterState {
    private VolumeForecasterState() {
    }

    static void write(VolumeForecaster v, DataOutput out) throws IOException {
        out.writeInt(v.config.season());
        out.writeInt(v.config.weekly());
        out.writeInt(v.config.horizon());
        out.writeInt(v.config.window());
        out.writeDouble(v.config.level());
        out.writeByte(v.intervalScale.ordinal());
        out.writeLong(v.steps);
        out.writeDouble(v.vol);
        out.writeByte(v.top);
        out.writeDouble(v.ownWeight);
        out.writeByte(v.models.length);
        for (int i = 0; i < v.models.length; i++) {
            out.writeByte(v.transforms[i].ordinal());
            ForecasterCodec.writeForecaster(v.models[i], out);
        }
        for (int k = 0; k < BANDS.length; k++) {
            for (int i = 0; i < v.models.length; i++) {
                out.writeDouble(v.errSum[k][i]);
                out.writeDouble(v.prior[k][i]);
            }
        }
        // The forecasts at each band's horizon not yet compared with a value (91 per model), so
        // a restored model re-selects exactly as the original would.
        for (int k = 0; k < BANDS.length && BANDS[k] <= v.config.horizon(); k++) {
            int h = BANDS[k];
            for (int j = 1; j <= h; j++) {
                int idx = (int) Math.floorMod(v.steps - j, (long) v.pending.length);
                for (int i = 0; i < v.models.length; i++) {
                    double[] p = v.modelPending[i][idx];
                    out.writeDouble(p == null || v.steps - j < -1 ? Double.NaN : p[h - 1]);
                }
            }
        }
        // The combined forecasts not yet compared with a value, for the intervals (triangular:
        // the path made j steps ago matters from j steps ahead on).
        for (int j = 1; j <= v.config.horizon(); j++) {
            int idx = (int) Math.floorMod(v.steps - j, (long) v.pending.length);
            boolean has = v.pending[idx] != null && v.steps - j >= -1;
            out.writeDouble(has ? v.pendingVol[idx] : Double.NaN);
            for (int h = j; h <= v.config.horizon(); h++) {
                out.writeDouble(has ? v.pending[idx][h - 1] : Double.NaN);
            }
        }
        v.calibrator.writeState(out);
    }

    private static Transform transform(int ordinal) throws ModelStateException {
        if (ordinal < 0 || ordinal >= Transform.values().length) {
            throw new ModelStateException("unknown transform " + ordinal);
        }
        return Transform.values()[ordinal];
    }

    static VolumeForecaster read(DataInput in) throws IOException {
        Config c;
        try {
            c = new Config(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readDouble());
        } catch (IllegalArgumentException e) {
            throw new ModelStateException("corrupt forecaster config");
        }
        if (c.horizon() > 100_000) {
            throw new ModelStateException("corrupt forecaster horizon " + c.horizon());
        }
        Transform scale = transform(in.readByte());
        long steps = in.readLong();
        double vol = in.readDouble();
        if (!(vol > 0) || Double.isInfinite(vol)) {
            throw new ModelStateException("corrupt forecaster volatility " + vol);
        }
        int top = in.readByte();
        double ownWeight = in.readDouble();
        if (top < 1 || !(ownWeight >= 0 && ownWeight <= 1)) {
            throw new ModelStateException("corrupt forecaster selection (top " + top + ", own weight " + ownWeight + ")");
        }
        int n = in.readByte();
        if (n < 1) {
            throw new ModelStateException("forecaster state without models");
        }
        Transform[] transforms = new Transform[n];
        Forecaster[] models = new Forecaster[n];
        for (int i = 0; i < n; i++) {
            transforms[i] = transform(in.readByte());
            models[i] = ForecasterCodec.readForecaster(in);
        }
        double[][] errSum = new double[BANDS.length][n];
        double[][] prior = new double[BANDS.length][n];
        for (int k = 0; k < BANDS.length; k++) {
            for (int i = 0; i < n; i++) {
                errSum[k][i] = in.readDouble();
                prior[k][i] = in.readDouble();
                if (!(errSum[k][i] >= 0) || Double.isInfinite(errSum[k][i]) || Double.isInfinite(prior[k][i])) {
                    throw new ModelStateException("corrupt selection error of model " + i);
                }
            }
        }
        double[][][] bandPending = new double[BANDS.length][][];
        for (int k = 0; k < BANDS.length && BANDS[k] <= c.horizon(); k++) {
            bandPending[k] = new double[BANDS[k]][n];
            for (int j = 0; j < BANDS[k]; j++) {
                for (int i = 0; i < n; i++) {
                    bandPending[k][j][i] = in.readDouble();
                }
            }
        }
        double[][] combined = new double[c.horizon()][];
        double[] combinedVol = new double[c.horizon()];
        for (int j = 1; j <= c.horizon(); j++) {
            combinedVol[j - 1] = in.readDouble();
            combined[j - 1] = new double[c.horizon()];
            Arrays.fill(combined[j - 1], Double.NaN);
            for (int h = j; h <= c.horizon(); h++) {
                combined[j - 1][h - 1] = in.readDouble();
            }
        }
        IntervalCalibrator cal = IntervalCalibrator.readState(in);
        if (cal.horizon() != c.horizon()) {
            throw new ModelStateException("calibrator horizon does not match config");
        }
        VolumeForecaster v = new VolumeForecaster(c, top, scale, transforms, models, errSum, prior, ownWeight, cal,
                vol, steps);
        for (int k = 0; k < BANDS.length && BANDS[k] <= c.horizon(); k++) {
            int h = BANDS[k];
            for (int j = 1; j <= h; j++) {
                int idx = (int) Math.floorMod(steps - j, (long) c.horizon());
                for (int i = 0; i < n; i++) {
                    if (v.modelPending[i][idx] == null) {
                        v.modelPending[i][idx] = new double[c.horizon()];
                        Arrays.fill(v.modelPending[i][idx], Double.NaN);
                    }
                    // The newest path was just recomputed from the restored models; keep it.
                    if (j > 1 || v.models[0].observed() == 0) {
                        v.modelPending[i][idx][h - 1] = bandPending[k][j - 1][i];
                    }
                }
            }
        }
        for (int j = 2; j <= c.horizon(); j++) {
            if (combinedVol[j - 1] > 0) {
                int idx = (int) Math.floorMod(steps - j, (long) c.horizon());
                v.pending[idx] = combined[j - 1];
                v.pendingVol[idx] = combinedVol[j - 1];
            }
        }
        return v;
    }
}
