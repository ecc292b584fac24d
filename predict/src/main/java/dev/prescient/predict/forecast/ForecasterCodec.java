package dev.prescient.predict.forecast;

import dev.prescient.predict.common.ModelEnvelope;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Versioned binary form of the forecasting models: magic, format version, kind tag, then the
 * model's own fields. Floats for seasonal profiles and stored errors keep a 48-step daily model
 * with a full calibration window near 60 KiB; parameters and filter state stay doubles.
 */
public final class ForecasterCodec {

    static final int MAGIC = 0x50524643; // "PRFC"
    static final int VERSION = 3; // 2: adaptive interval levels; 3: all candidates kept, online selection state

    private static final byte SEASONAL_NAIVE = 1;
    private static final byte HOLT_WINTERS = 2;
    private static final byte DRIFT = 3;
    private static final byte VOLUME = 10;
    private static final byte CAPACITY = 11;

    private ForecasterCodec() {
    }

    public static byte[] toBytes(VolumeForecaster v) {
        return write(VOLUME, out -> v.writeState(out));
    }

    public static VolumeForecaster volumeFromBytes(byte[] bytes) throws ModelStateException {
        return read(bytes, VOLUME, VolumeForecaster::readState);
    }

    public static byte[] toBytes(CapacityForecaster c) {
        return write(CAPACITY, out -> c.writeState(out));
    }

    public static CapacityForecaster capacityFromBytes(byte[] bytes) throws ModelStateException {
        return read(bytes, CAPACITY, CapacityForecaster::readState);
    }

    public static byte[] toBytes(Forecaster f) {
        return write((byte) 0, out -> writeForecaster(f, out));
    }

    public static Forecaster forecasterFromBytes(byte[] bytes) throws ModelStateException {
        return read(bytes, (byte) 0, ForecasterCodec::readForecaster);
    }

    static void writeForecaster(Forecaster f, DataOutput out) throws IOException {
        if (f instanceof SeasonalNaive) {
            out.writeByte(SEASONAL_NAIVE);
        } else if (f instanceof HoltWinters) {
            out.writeByte(HOLT_WINTERS);
        } else if (f instanceof Drift) {
            out.writeByte(DRIFT);
        } else {
            throw new IllegalArgumentException("no codec for " + f.getClass().getName());
        }
        f.writeState(out);
    }

    static Forecaster readForecaster(DataInput in) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case SEASONAL_NAIVE -> SeasonalNaive.readState(in);
            case HOLT_WINTERS -> HoltWinters.readState(in);
            case DRIFT -> Drift.readState(in);
            default -> throw new ModelStateException("unknown forecaster kind " + kind);
        };
    }

    private static byte[] write(byte kind, ModelEnvelope.Writer w) {
        return ModelEnvelope.write(MAGIC, VERSION, kind, w);
    }

    private static <T> T read(byte[] bytes, byte kind, ModelEnvelope.Reader<T> r) throws ModelStateException {
        return ModelEnvelope.read(bytes, MAGIC, VERSION, kind, "forecaster", r, ModelStateException.class, ModelStateException::new);
    }
}
