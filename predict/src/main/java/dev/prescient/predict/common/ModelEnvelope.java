package dev.prescient.predict.common;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * The envelope of a model's state as one byte array: magic, format version, model kind, body, and
 * nothing after it. Shared by the codecs so that every model state is checked the same way; each
 * codec keeps its own exception type and wording through {@code label} and {@code error}.
 */
public final class ModelEnvelope {

    private ModelEnvelope() {
    }

    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    public interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    public static byte[] write(int magic, int version, byte kind, Writer body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            out.writeShort(version);
            out.writeByte(kind);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a state written by {@link #write}; any mismatch or truncation becomes {@code error} of a
     * message naming {@code label} (e.g. "forecaster"); an exception of {@code type} thrown by the
     * body passes through unchanged.
     */
    public static <T, E extends Exception> T read(byte[] bytes, int magic, int version, byte kind, String label,
            Reader<T> body, Class<E> type, Function<String, E> error) throws E {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != magic) {
                throw error.apply("not a Prescient " + label + " state (bad magic)");
            }
            int v = in.readUnsignedShort();
            if (v != version) {
                throw error.apply("unsupported " + label + " state version " + v);
            }
            byte k = in.readByte();
            if (k != kind) {
                throw error.apply("state holds kind " + k + ", expected " + kind);
            }
            T t = body.read(in);
            if (in.available() > 0) {
                throw error.apply("trailing bytes after " + label + " state");
            }
            return t;
        } catch (IOException e) {
            if (type.isInstance(e)) {
                throw type.cast(e); // our own verdict, or the body's: keep it as it is
            }
            throw error.apply("truncated " + label + " state: " + e);
        }
    }
}
