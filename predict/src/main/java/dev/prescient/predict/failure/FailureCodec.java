package dev.prescient.predict.failure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned binary form of the failure models: magic, version, kind, fields. The tree model
 * stores raw thresholds and float leaves, so a 5-bag, 150-tree, depth-3 predictor is ~100 KiB.
 */
public final class FailureCodec {

    static final int MAGIC = 0x50524650; // "PRFP"
    static final int VERSION = 1;
    private static final byte PREDICTOR = 1;
    private static final byte THRESHOLD = 2;
    private static final byte HEALTH = 3;

    private FailureCodec() {
    }

    public static byte[] toBytes(FailurePredictor p) {
        return write(PREDICTOR, out -> {
            p.schema().writeState(out);
            GradientBoostedTrees.Params pa = p.params();
            out.writeInt(pa.rounds());
            out.writeInt(pa.depth());
            out.writeDouble(pa.learningRate());
            out.writeDouble(pa.lambda());
            out.writeDouble(pa.minChildHessian());
            out.writeInt(pa.bins());
            out.writeDouble(pa.rowSample());
            out.writeLong(p.updates());
            out.writeInt(p.bags().size());
            for (GradientBoostedTrees t : p.bags()) {
                t.writeState(out);
            }
        });
    }

    public static FailurePredictor predictorFromBytes(byte[] bytes) throws FailureModelException {
        return read(bytes, PREDICTOR, in -> {
            FeatureSchema schema = FeatureSchema.readState(in);
            GradientBoostedTrees.Params pa;
            try {
                pa = new GradientBoostedTrees.Params(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readInt(), in.readDouble());
            } catch (IllegalArgumentException e) {
                throw new FailureModelException("corrupt boosting parameters");
            }
            long updates = in.readLong();
            int n = in.readInt();
            if (n < 1 || n > 1000) {
                throw new FailureModelException("corrupt bag count " + n);
            }
            List<GradientBoostedTrees> bags = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                GradientBoostedTrees t = GradientBoostedTrees.readState(in);
                if (t.features() != schema.size()) {
                    throw new FailureModelException("tree model does not match the feature schema");
                }
                bags.add(t);
            }
            return new FailurePredictor(schema, pa, bags, updates);
        });
    }

    public static byte[] toBytes(AdaptiveThreshold t) {
        return write(THRESHOLD, t::writeState);
    }

    public static AdaptiveThreshold thresholdFromBytes(byte[] bytes) throws FailureModelException {
        return read(bytes, THRESHOLD, AdaptiveThreshold::readState);
    }

    public static byte[] toBytes(HealthSignalTracker t) {
        return write(HEALTH, t::writeState);
    }

    public static HealthSignalTracker healthFromBytes(byte[] bytes) throws FailureModelException {
        return read(bytes, HEALTH, HealthSignalTracker::readState);
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(byte kind, Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeByte(kind);
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, byte kind, Reader<T> r) throws FailureModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new FailureModelException("not a Prescient failure-model state (bad magic)");
            }
            int version = in.readUnsignedShort();
            if (version != VERSION) {
                throw new FailureModelException("unsupported failure-model state version " + version);
            }
            byte k = in.readByte();
            if (k != kind) {
                throw new FailureModelException("state holds kind " + k + ", expected " + kind);
            }
            T t = r.read(in);
            if (in.available() > 0) {
                throw new FailureModelException("trailing bytes after failure-model state");
            }
            return t;
        } catch (FailureModelException e) {
            throw e;
        } catch (IOException e) {
            throw new FailureModelException("truncated failure-model state: " + e);
        }
    }
}
