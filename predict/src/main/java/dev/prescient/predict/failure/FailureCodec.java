package dev.prescient.predict.failure;

import dev.prescient.predict.common.ModelEnvelope;

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

    private static byte[] write(byte kind, ModelEnvelope.Writer w) {
        return ModelEnvelope.write(MAGIC, VERSION, kind, w);
    }

    private static <T> T read(byte[] bytes, byte kind, ModelEnvelope.Reader<T> r) throws FailureModelException {
        return ModelEnvelope.read(bytes, MAGIC, VERSION, kind, "failure-model", r, FailureModelException.class, FailureModelException::new);
    }
}
