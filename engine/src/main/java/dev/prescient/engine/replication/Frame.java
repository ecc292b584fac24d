package dev.prescient.engine.replication;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The wire format of the replication stream: every message is a fixed 44-byte header followed by
 * {@code payloadLength} bytes. The header carries its own CRC32C so that a damaged length can never
 * make the reader misframe the stream (damaged header: the connection is closed); the payload has
 * a separate CRC32C so that a damaged payload can be NACKed and resent while the stream stays in
 * step. All integers are big-endian.
 *
 * <pre>
 *  0 magic u32 "PRSR"     4 type u8     5 flags u8     6 reserved u16 (0)
 *  8 id u64 (request id; a response carries the id of its request)
 * 16 arg0 u64            24 arg1 u64
 * 32 payloadLength u32   36 payloadCrc32c u32          40 headerCrc32c u32 (over bytes 0..39)
 * </pre>
 */
public final class Frame {
    public static final int MAGIC = 0x50525352; // "PRSR"
    public static final int HEADER_SIZE = 44;
    public static final int PROTOCOL_VERSION = 1;
    /** Upper bound of one payload: big enough for a 16 MiB batch, small enough to bound memory. */
    public static final int MAX_PAYLOAD = 16 * 1024 * 1024 + 64 * 1024;
    /** Largest data transfer a single READ or WRITE request carries; larger I/O is split. */
    public static final int MAX_IO = 8 * 1024 * 1024;

    // Request types (client -> server).
    public static final byte HELLO = 1;
    public static final byte READ = 2;
    public static final byte WRITE = 3;
    public static final byte UNMAP = 4;
    public static final byte WRITE_ZEROES = 5;
    public static final byte FLUSH = 6;
    /** Dedup: (index, xxh3) pairs; the answer is a bitmap of the blocks the target needs. */
    public static final byte OFFER = 7;
    /** Bulk data: block indices plus (compressed) block contents. */
    public static final byte CHUNK = 8;
    // Response type (server -> client); flags hold the status.
    public static final byte RESPONSE = 64;

    /** Request flag: force unit access (durable before the answer). */
    public static final int FLAG_FUA = 1;

    // Response statuses.
    public static final int OK = 0;
    public static final int ERR_IO = 1;
    public static final int ERR_NO_SPACE = 2;
    public static final int ERR_CHECKSUM = 3;
    public static final int ERR_RANGE = 4;
    public static final int ERR_PROTOCOL = 5;
    public static final int ERR_NO_REPLICA = 6;

    public byte type;
    public int flags;
    public long id;
    public long arg0;
    public long arg1;
    public int payloadLength;
    public int payloadCrc;

    /** Writes this header into {@code out} at its position, computing the header CRC. */
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        b.putInt(MAGIC).put(type).put((byte) flags).putShort((short) 0)
                .putLong(id).putLong(arg0).putLong(arg1).putInt(payloadLength).putInt(payloadCrc);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(start).limit(start + 40));
        b.putInt((int) crc.getValue());
        out.position(start + HEADER_SIZE);
    }

    /**
     * Parses a header from exactly {@link #HEADER_SIZE} bytes at {@code in}'s position.
     *
     * @throws ReplicationException (PROTOCOL) on a bad magic, a header CRC mismatch, a non-zero
     *     reserved field or a payload longer than {@link #MAX_PAYLOAD}
     */
    public void decode(ByteBuffer in) throws ReplicationException {
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(start).limit(start + 40));
        int magic = b.getInt(start);
        if (magic != MAGIC) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                    "bad frame magic 0x" + Integer.toHexString(magic));
        }
        if (b.getInt(start + 40) != (int) crc.getValue()) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "frame header checksum mismatch");
        }
        type = b.get(start + 4);
        flags = b.get(start + 5) & 0xff;
        if (b.getShort(start + 6) != 0) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "reserved header field not zero");
        }
        id = b.getLong(start + 8);
        arg0 = b.getLong(start + 16);
        arg1 = b.getLong(start + 24);
        payloadLength = b.getInt(start + 32);
        payloadCrc = b.getInt(start + 36);
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                    "payload length " + Integer.toUnsignedString(payloadLength) + " out of bounds");
        }
        in.position(start + HEADER_SIZE);
    }

    /** CRC32C of the remaining bytes of {@code data}, leaving its position untouched. */
    public static int crc(ByteBuffer data) {
        CRC32C c = new CRC32C();
        c.update(data.duplicate());
        return (int) c.getValue();
    }

    public static int crc(ByteBuffer a, ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(a.duplicate());
        c.update(b.duplicate());
        return (int) c.getValue();
    }

    public Frame set(byte type, int flags, long id, long arg0, long arg1) {
        this.type = type;
        this.flags = flags;
        this.id = id;
        this.arg0 = arg0;
        this.arg1 = arg1;
        this.payloadLength = 0;
        this.payloadCrc = 0;
        return this;
    }

    static String typeName(byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case UNMAP -> "UNMAP";
            case WRITE_ZEROES -> "WRITE_ZEROES";
            case FLUSH -> "FLUSH";
            case OFFER -> "OFFER";
            case CHUNK -> "CHUNK";
            case RESPONSE -> "RESPONSE";
            default -> "type" + (type & 0xff);
        };
    }
}
