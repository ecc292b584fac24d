package dev.prescient.engine.replication;

import dev.prescient.engine.BlockTarget;

import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.tls.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection of the replication stream: requests from any thread are written under a
 * lock and answered out of band by a reader thread that matches answers to requests by id, so any
 * number of requests can be in flight. The reader never writes (a reader blocked on a full send
 * buffer would deadlock both ends); resends happen on the caller's thread.
 *
 * <p>Once anything goes wrong with the stream itself (EOF, protocol error, a request older than
 * the timeout) the connection is dead: every waiting call fails with {@link ReplicationException}
 * at once and later calls fail immediately. A watchdog closes the socket on timeout, which also
 * unblocks a writer stuck on a peer that stopped reading.
 */
final class ClientConnection implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "repl-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** A request and, once answered, its outcome. */
    static final class Call {
        final byte type;
        final int flags;
        final long arg0;
        final long arg1;
        final ByteBuffer payload;
        /** Where an OK answer's payload goes (READ data, OFFER bitmap); null if none expected. */
        final ByteBuffer dst;
        final CompletableFuture<Call> done = new CompletableFuture<>();
        volatile long sentAt;
        int status;
        long resultArg;
        String message;

        Call(byte type, int flags, long arg0, long arg1, ByteBuffer payload, ByteBuffer dst) {
            this.type = type;
            this.flags = flags;
            this.arg0 = arg0;
            this.arg1 = arg1;
            this.payload = payload;
            this.dst = dst;
        }

        Call copy() {
            return new Call(type, flags, arg0, arg1, payload, dst);
        }

        boolean isDone() {
            return done.isDone();
        }
    }

    private final String name;
    private final Socket socket;
    private final Wire wire;
    private final long timeoutNanos;
    private final int maxRetries;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Frame sendFrame = new Frame();
    private final ByteBuffer sendHeader = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
    private final Map<Long, Call> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final Thread reader;
    private final ScheduledFuture<?> watchdog;
    private volatile ReplicationException failure;
    private volatile boolean closing;
    private final long size;

    private ClientConnection(String name, Socket socket, long timeoutNanos, int maxRetries) throws IOException {
        this.name = name;
        this.maxRetries = maxRetries;
        this.socket = socket;
        this.wire = Wire.of(socket);
        this.timeoutNanos = timeoutNanos;
        // The watchdog exists before the reader runs: a reader failing at once cancels it.
        long period = Math.max(50, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 10);
        this.watchdog = WATCHDOG.scheduleAtFixedRate(this::checkTimeouts, period, period, TimeUnit.MILLISECONDS);
        this.reader = new Thread(this::readLoop, "repl-reader-" + name);
        reader.setDaemon(true);
        reader.start();
        long s;
        try {
            byte[] rid = name.getBytes(StandardCharsets.UTF_8);
            Call hello = call(new Call(Frame.HELLO, 0, Frame.PROTOCOL_VERSION, 0, ByteBuffer.wrap(rid), null));
            s = hello.resultArg;
        } catch (IOException e) {
            close();
            throw e;
        }
        this.size = s;
    }

    /** Connects, attaches to replica {@code replicaId} of the remote node and learns its size. */
    static ClientConnection open(InetSocketAddress address, String replicaId, TlsConfig tls, ReplicationSettings settings)
            throws IOException {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
        Socket s = tls == null ? SocketChannel.open().socket() : new Socket();
        try {
            s.connect(address, timeoutMs);
            // Requests are written whole and answered at once: Nagle would only delay the tail segment.
            s.setTcpNoDelay(true);
            if (tls != null) {
                // The handshake is bounded by the socket timeout; after it the watchdog takes over.
                s.setSoTimeout(timeoutMs);
                Socket t = tls.clientSocket(s, address.getHostString(), address.getPort());
                t.setSoTimeout(0);
                s = t;
            }
        } catch (IOException e) {
            s.close();
            throw new ReplicationException(ReplicationException.Reason.CONNECTION_LOST,
                    "cannot connect to " + address + " for replica " + replicaId, e);
        }
        return new ClientConnection(replicaId, s, settings.timeout().toNanos(), settings.maxRetries());
    }

    long size() {
        return size;
    }

    boolean isBroken() {
        return failure != null;
    }

    /** Header and payload bytes written to the wire. */
    long bytesSent() {
        return bytesSent.get();
    }

    /** Sends a request without waiting for its answer. */
    Call send(Call c) throws IOException {
        ReplicationException f = failure;
        if (f != null) {
            throw dead(f);
        }
        long id = ids.incrementAndGet();
        c.sentAt = System.nanoTime();
        pending.put(id, c);
        if (failure != null) {
            pending.remove(id);
            throw dead(failure);
        }
        int plen = c.payload == null ? 0 : c.payload.remaining();
        // Checksummed before taking the lock, so concurrent senders overlap this work.
        int crc = plen > 0 ? Frame.crc(c.payload) : 0;
        sendLock.lock();
        try {
            sendFrame.set(c.type, c.flags, id, c.arg0, c.arg1);
            sendFrame.payloadLength = plen;
            sendFrame.payloadCrc = crc;
            sendHeader.clear();
            sendFrame.encode(sendHeader);
            sendHeader.flip();
            wire.write(sendHeader, plen > 0 ? c.payload : null);
            wire.flush();
            bytesSent.addAndGet(Frame.HEADER_SIZE + plen);
        } catch (IOException e) {
            fail(new ReplicationException(ReplicationException.Reason.CONNECTION_LOST, "send to " + name + " failed", e));
            throw dead(failure);
        } finally {
            sendLock.unlock();
        }
        return c;
    }

    /** Waits for the answer of a sent call; the caller checks its status. */
    Call await(Call c) throws IOException {
        try {
            // The watchdog fails the connection on timeout; this bound is only a second line.
            return c.done.get(timeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            throw t instanceof ReplicationException r ? dead(r) : new IOException(t);
        } catch (TimeoutException e) {
            fail(new ReplicationException(ReplicationException.Reason.TIMEOUT, "no answer from " + name));
            throw dead(failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for " + name);
        }
    }

    /**
     * Sends, waits, resends while the payload (ours or the answer's) fails its checksum, and maps
     * a non-OK status to an exception.
     */
    Call call(Call c) throws IOException {
        return complete(await(send(c)), maxRetries);
    }

    /**
     * Calls {@code done} once the answer of a sent call is in, as {@code complete(await(c), retries)} would end:
     * with null or what it would have thrown. A final answer is settled on the thread that completes the call (the
     * reader, which thus hands nothing to another thread); a checksum NACK, whose resend is a send, and a failure go
     * through {@code blocking}, so the reader never sends.
     */
    void whenAnswered(Call c, int retries, Executor blocking, BlockTarget.WriteDone done) {
        c.done.whenComplete((answered, failure) -> {
            if (failure == null && answered.status != Frame.ERR_CHECKSUM) {
                IOException err = null;
                try {
                    check(answered);
                } catch (IOException e) {
                    err = e;
                }
                done.done(err);
                return;
            }
            Runnable settle = () -> {
                Throwable err = null;
                try {
                    complete(await(c), retries);
                } catch (IOException | RuntimeException e) {
                    err = e;
                }
                done.done(err);
            };
            try {
                blocking.execute(settle);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                settle.run(); // the volume is closing: settled here rather than never
            }
        });
    }

    /** Resends {@code c} as long as it was NACKed for a checksum, up to {@code retries} times. */
    Call complete(Call c, int retries) throws IOException {
        int attempts = 0;
        while (c.status == Frame.ERR_CHECKSUM && attempts++ < retries) {
            LOG.info("replica {}: {} failed its checksum, resending ({}/{})", name, Frame.typeName(c.type), attempts, retries);
            c = await(send(c.copy()));
        }
        check(c);
        return c;
    }

    /** Throws the exception an answer's status stands for. */
    void check(Call c) throws IOException {
        switch (c.status) {
            case Frame.OK -> {
            }
            case Frame.ERR_NO_SPACE -> throw new NoSpaceException("replica " + name + ": " + c.message, null);
            case Frame.ERR_RANGE -> throw new OutOfRangeException(c.arg0,
                    c.payload != null && c.type == Frame.WRITE ? c.payload.remaining() : c.arg1, size);
            case Frame.ERR_CHECKSUM -> throw new ReplicationException(ReplicationException.Reason.CHECKSUM,
                    "replica " + name + ": " + Frame.typeName(c.type) + " kept failing its checksum");
            case Frame.ERR_NO_REPLICA -> throw new ReplicationException(ReplicationException.Reason.NO_SUCH_REPLICA,
                    "remote node has no replica " + name);
            case Frame.ERR_PROTOCOL -> throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                    "replica " + name + ": " + c.message);
            default -> throw new ReplicationException(ReplicationException.Reason.REMOTE_IO,
                    "replica " + name + ": " + Frame.typeName(c.type) + ": " + c.message);
        }
    }

    private ReplicationException dead(ReplicationException cause) {
        return new ReplicationException(cause.reason(), "replica " + name + ": connection is down", cause);
    }

    private void readLoop() {
        Frame f = new Frame();
        ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
        ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (true) {
                header.clear();
                wire.readFully(header);
                header.flip();
                f.decode(header);
                if (f.type != Frame.RESPONSE) {
                    throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                            "server sent " + Frame.typeName(f.type));
                }
                Call c = pending.remove(f.id);
                int len = f.payloadLength;
                boolean intoDst = c != null && c.dst != null && f.flags == Frame.OK && len == c.dst.remaining();
                int crc;
                String message = null;
                if (intoDst) {
                    ByteBuffer d = c.dst.duplicate();
                    d.limit(d.position() + len);
                    wire.readFully(d);
                    d.flip().position(c.dst.position());
                    crc = Frame.crc(d);
                } else {
                    java.util.zip.CRC32C crc32c = new java.util.zip.CRC32C();
                    StringBuilder text = new StringBuilder();
                    int left = len;
                    while (left > 0) {
                        scratch.clear().limit(Math.min(left, scratch.capacity()));
                        wire.readFully(scratch);
                        scratch.flip();
                        crc32c.update(scratch.duplicate());
                        if (text.length() < 4096) {
                            byte[] b = new byte[scratch.remaining()];
                            scratch.get(b);
                            text.append(new String(b, StandardCharsets.UTF_8));
                        }
                        left -= scratch.limit();
                    }
                    crc = (int) crc32c.getValue();
                    message = text.toString();
                }
                if (c == null) {
                    continue;
                }
                if (crc != f.payloadCrc) {
                    c.status = Frame.ERR_CHECKSUM;
                } else if (f.flags == Frame.OK && c.dst != null && !intoDst) {
                    c.status = Frame.ERR_PROTOCOL;
                    c.message = "answer of " + len + " bytes where " + c.dst.remaining() + " were asked for";
                } else {
                    c.status = f.flags;
                    c.resultArg = f.arg0;
                    c.message = message;
                }
                c.done.complete(c);
            }
        } catch (ReplicationException e) {
            fail(e);
        } catch (IOException e) {
            fail(new ReplicationException(ReplicationException.Reason.CONNECTION_LOST, "connection to " + name + " lost", e));
        } catch (RuntimeException e) {
            fail(new ReplicationException(ReplicationException.Reason.PROTOCOL, "reader of " + name + " failed", e));
        }
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        for (Call c : pending.values()) {
            if (now - c.sentAt > timeoutNanos) {
                fail(new ReplicationException(ReplicationException.Reason.TIMEOUT,
                        Frame.typeName(c.type) + " to " + name + " unanswered for "
                                + TimeUnit.NANOSECONDS.toMillis(now - c.sentAt) + " ms"));
                return;
            }
        }
    }

    /** Declares the connection dead: fails every waiting call and closes the socket. */
    private void fail(ReplicationException e) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
        }
        if (!closing) {
            LOG.warn("replica {}: replication connection failed: {}", name, e.getMessage());
        }
        ScheduledFuture<?> w = watchdog; // null if the watchdog fires before the constructor finished
        if (w != null) {
            w.cancel(false);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
        for (Long id : pending.keySet()) {
            Call c = pending.remove(id);
            if (c != null) {
                c.done.completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        fail(new ReplicationException(ReplicationException.Reason.CONNECTION_LOST, "closed"));
    }
}
