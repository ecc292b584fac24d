package dev.prescient.engine.replication;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.nio.ByteBuffer;

/**
 * Codec of a CHUNK payload. The codec id travels in the frame flags, so a receiver decodes what
 * it is sent whatever its own setting. All methods work on direct buffers without copying to heap.
 */
public enum Compression {
    NONE(0),
    LZ4(1),
    ZSTD(2);

    /** Zstd level 1: the fast end; higher levels cost CPU the 2-core nodes do not have. */
    private static final int ZSTD_LEVEL = 1;
    private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();
    private static final LZ4Compressor LZ4_COMPRESSOR = LZ4_FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4_FACTORY.safeDecompressor();

    private final int id;

    Compression(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static Compression byId(int id) throws ReplicationException {
        for (Compression c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "unknown codec " + id);
    }

    /** Space {@link #compress} may need for {@code length} input bytes. */
    public int maxCompressedLength(int length) {
        return switch (this) {
            case NONE -> length;
            case LZ4 -> LZ4_COMPRESSOR.maxCompressedLength(length);
            case ZSTD -> (int) Zstd.compressBound(length);
        };
    }

    /**
     * Compresses src[srcOff, srcOff+len) into dst at dstOff.
     *
     * @return the compressed length, or -1 when the codec is NONE or the result would not be
     *     smaller (the caller then sends the raw bytes)
     */
    public int compress(ByteBuffer src, int srcOff, int len, ByteBuffer dst, int dstOff) {
        int room = dst.capacity() - dstOff;
        int n;
        switch (this) {
            case NONE -> {
                return -1;
            }
            case LZ4 -> n = LZ4_COMPRESSOR.compress(src, srcOff, len, dst, dstOff, room);
            case ZSTD -> {
                long r = Zstd.compressDirectByteBuffer(dst, dstOff, room, src, srcOff, len, ZSTD_LEVEL);
                if (Zstd.isError(r)) {
                    return -1;
                }
                n = (int) r;
            }
            default -> throw new IllegalStateException();
        }
        return n < len ? n : -1;
    }

    /**
     * Decompresses exactly {@code rawLen} bytes.
     *
     * @throws ReplicationException (PROTOCOL) if the input does not decode to exactly rawLen bytes
     */
    public void decompress(ByteBuffer src, int srcOff, int len, ByteBuffer dst, int dstOff, int rawLen)
            throws ReplicationException {
        int n;
        try {
            switch (this) {
                case NONE -> {
                    if (len != rawLen) {
                        throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "raw length mismatch");
                    }
                    dst.put(dstOff, src, srcOff, len);
                    n = len;
                }
                case LZ4 -> n = LZ4_DECOMPRESSOR.decompress(src, srcOff, len, dst, dstOff, rawLen);
                case ZSTD -> {
                    long r = Zstd.decompressDirectByteBuffer(dst, dstOff, rawLen, src, srcOff, len);
                    if (Zstd.isError(r)) {
                        throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                                "zstd: " + Zstd.getErrorName(r));
                    }
                    n = (int) r;
                }
                default -> throw new IllegalStateException();
            }
        } catch (RuntimeException e) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "corrupt " + this + " data", e);
        }
        if (n != rawLen) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                    this + " decoded " + n + " bytes, expected " + rawLen);
        }
    }
}
