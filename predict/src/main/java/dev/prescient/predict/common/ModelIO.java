package dev.prescient.predict.common;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Header of every serialised model: a 4-byte magic naming the model and a format version. */
public final class ModelIO {
    private ModelIO() {
    }

    public static void writeHeader(DataOutputStream out, int magic, int version) throws IOException {
        out.writeInt(magic);
        out.writeShort(version);
    }

    /** Reads and checks the header; returns the version (1..maxVersion). */
    public static int readHeader(DataInputStream in, int magic, int maxVersion) throws IOException {
        int m = in.readInt();
        if (m != magic) {
            throw new ModelFormatException(ModelFormatException.Reason.BAD_MAGIC,
                    String.format("expected magic %08x, found %08x", magic, m));
        }
        int v = in.readUnsignedShort();
        if (v < 1 || v > maxVersion) {
            throw new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_VERSION,
                    "version " + v + " (this build reads up to " + maxVersion + ")");
        }
        return v;
    }

    public static int checkedCount(int n, int max, String what) throws ModelFormatException {
        if (n < 0 || n > max) {
            throw new ModelFormatException(ModelFormatException.Reason.CORRUPT, what + " count " + n);
        }
        return n;
    }
}
