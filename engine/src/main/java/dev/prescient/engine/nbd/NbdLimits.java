package dev.prescient.engine.nbd;

/**
 * What one NBD server lets its clients hold, so that memory and threads are bounded by design
 * rather than by client behaviour. Defaults suit the node agent's engine JVM ({@code -Xmx192m}):
 * the buffer budget is half the JVM's memory limit, at most 256 MiB.
 *
 * @param maxConnections     connections served at once; more are refused (closed at once, logged)
 * @param bufferBytes        direct memory all connections' request buffers may hold together
 * @param connectionBytes    buffer bytes one connection may hold (its read-ahead buffer included)
 * @param allocWaitMillis    how long a request waits for buffer budget before it is answered ENOMEM
 * @param handshakeMillis    a connection must finish option haggling within this time
 * @param stallMillis        a request half received, or a reply half sent, with no progress for this
 *                           long closes the connection (a client that stops mid-request holds memory)
 * @param idleMillis         no request and no byte received for this long closes the connection;
 *                           0 = never (the default: an attached file system may be idle for hours,
 *                           and kernel and libnbd clients do not reconnect)
 */
public record NbdLimits(int maxConnections, long bufferBytes, long connectionBytes, long allocWaitMillis,
                        long handshakeMillis, long stallMillis, long idleMillis) {

    public NbdLimits {
        if (maxConnections < 1 || bufferBytes < BufferPool.PIECE || connectionBytes < 2L * BufferPool.PIECE
                || allocWaitMillis < 0 || handshakeMillis < 1 || stallMillis < 1 || idleMillis < 0) {
            throw new IllegalArgumentException("bad NBD limits: connections " + maxConnections + ", buffers "
                    + bufferBytes + ", per connection " + connectionBytes + ", timeouts " + allocWaitMillis + "/"
                    + handshakeMillis + "/" + stallMillis + "/" + idleMillis + " ms");
        }
    }

    /** Defaults, each overridable with a system property ({@code nbd.maxConnections}, ...). */
    public static NbdLimits defaults() {
        long half = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 2);
        return new NbdLimits(
                Integer.getInteger("nbd.maxConnections", 64),
                Long.getLong("nbd.bufferBytes", Math.max(16L << 20, half)),
                Long.getLong("nbd.connectionBytes", 8L << 20),
                Long.getLong("nbd.allocWaitMillis", 5_000),
                Long.getLong("nbd.handshakeMillis", 10_000),
                Long.getLong("nbd.stallMillis", 30_000),
                Long.getLong("nbd.idleMillis", 0));
    }
}
