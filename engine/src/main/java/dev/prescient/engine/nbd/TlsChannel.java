package dev.prescient.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS over a blocking {@link SocketChannel}, as the NBD connection's byte stream after STARTTLS. Reads and
 * writes may run at the same time on different threads (the engine allows wrap and unwrap to run
 * concurrently); several readers or several writers are serialised here, as the connection does anyway.
 *
 * <p>A write encrypts up to {@link #RECORDS} TLS records (16 KiB of plaintext each), sends them in one
 * system call and returns, so the caller's loop sees progress as the client takes data (the stall
 * watchdog relies on it). A read takes as much ciphertext as the socket has, up to as many records.
 */
final class TlsChannel implements ByteChannel, GatheringByteChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ByteBuffer[] EMPTY_ARRAY = {EMPTY};
    /** Records per socket read or write: fewer system calls for large requests and replies. */
    static final int RECORDS = 4;

    private final SocketChannel ch;
    private final SSLEngine engine;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    /** Ciphertext received and not yet decrypted; kept flipped (ready to read) between calls. */
    private ByteBuffer netIn;
    /** Plaintext decrypted and not yet returned; kept flipped between calls. */
    private final ByteBuffer appIn;
    /** Ciphertext being sent. */
    private final ByteBuffer netOut;
    /** Largest TLS record on the wire. */
    private final int packet;

    private TlsChannel(SocketChannel ch, SSLEngine engine) {
        this.ch = ch;
        this.engine = engine;
        this.packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(RECORDS * packet).flip();
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocateDirect(RECORDS * packet);
    }

    /**
     * Runs the server side of the handshake on {@code ch} (blocking) and returns the encrypted channel. A
     * failed handshake (no or a foreign client certificate, not TLS at all) throws after a best-effort alert
     * to the client; the caller closes the socket.
     */
    static TlsChannel serverHandshake(SocketChannel ch, SSLEngine engine) throws IOException {
        TlsChannel t = new TlsChannel(ch, engine);
        engine.setUseClientMode(false);
        try {
            engine.beginHandshake();
            t.handshake();
        } catch (SSLException e) {
            t.sendAlert();
            throw e;
        }
        return t;
    }

    private void handshake() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (unwrapInto(appIn) < 0) {
                        throw new SSLHandshakeException("client closed the connection during the TLS handshake");
                    }
                }
                case NEED_WRAP -> wrapAndSend(EMPTY_ARRAY);
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /** After a failed handshake the engine holds an alert saying why; send it if the socket takes it. */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                netOut.clear();
                engine.wrap(EMPTY, netOut);
                netOut.flip();
                while (netOut.hasRemaining()) {
                    ch.write(netOut);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the alert is a courtesy; the connection is closed either way
        }
    }

    /**
     * Decrypts one record from the socket into {@code dst} (flipped on return), reading ciphertext as
     * needed. Returns the plaintext bytes produced (0 for a record that carried none, such as a
     * post-handshake message), or -1 at the end of the stream.
     */
    private int unwrapInto(ByteBuffer dst) throws IOException {
        while (true) {
            dst.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, dst);
            } finally {
                dst.flip();
            }
            switch (r.getStatus()) {
                case OK -> {
                    afterUnwrap(r);
                    if (r.bytesProduced() > 0 || r.bytesConsumed() > 0) {
                        return r.bytesProduced();
                    }
                    if (readNet() < 0) {
                        return -1;
                    }
                }
                case BUFFER_UNDERFLOW -> {
                    if (readNet() < 0) {
                        return -1;
                    }
                }
                case BUFFER_OVERFLOW -> throw new SSLException("TLS record larger than the application buffer");
                case CLOSED -> {
                    return -1;
                }
            }
        }
    }

    /** TLS 1.3 post-handshake messages (KeyUpdate) may ask for an answer or for delegated work. */
    private void afterUnwrap(SSLEngineResult r) throws IOException {
        SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP && engine.getSession().isValid()) {
            synchronized (writeLock) {
                while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    wrapAndSend(EMPTY_ARRAY);
                }
            }
        }
    }

    /** Reads more ciphertext; grows the buffer if a record does not fit. -1 at the end of the stream. */
    private int readNet() throws IOException {
        if (netIn.limit() == netIn.capacity() && netIn.position() == 0) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(netIn.capacity() * 2);
            bigger.put(netIn).flip();
            netIn = bigger;
        }
        netIn.compact();
        try {
            return ch.read(netIn);
        } finally {
            netIn.flip();
        }
    }

    /**
     * Encrypts what up to {@link #RECORDS} records take from {@code srcs} (one record for a handshake
     * message) and sends them whole; returns the plaintext consumed.
     */
    private int wrapAndSend(ByteBuffer[] srcs) throws IOException {
        netOut.clear();
        int consumed = 0;
        SSLEngineResult r;
        do {
            r = engine.wrap(srcs, netOut);
            consumed += r.bytesConsumed();
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
            }
        } while (r.getStatus() == SSLEngineResult.Status.OK && netOut.remaining() >= packet && hasRemaining(srcs)
                && r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING);
        netOut.flip();
        while (netOut.hasRemaining()) {
            ch.write(netOut);
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("TLS session closed");
        }
        if (r.getStatus() != SSLEngineResult.Status.OK) {
            throw new SSLException("cannot encrypt: " + r.getStatus());
        }
        return consumed;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (readLock) {
            while (true) {
                if (appIn.hasRemaining()) {
                    int n = Math.min(appIn.remaining(), dst.remaining());
                    int lim = appIn.limit();
                    appIn.limit(appIn.position() + n);
                    dst.put(appIn);
                    appIn.limit(lim);
                    return n;
                }
                if (!dst.hasRemaining()) {
                    return 0;
                }
                if (unwrapInto(appIn) < 0) {
                    if (engine.isInboundDone() || !ch.isOpen()) {
                        return -1;
                    }
                    throw new EOFException("TLS stream ended without close_notify");
                }
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ByteBuffer[] s = offset == 0 && length == srcs.length ? srcs : Arrays.copyOfRange(srcs, offset,
                offset + length);
        synchronized (writeLock) {
            long n = 0;
            // Empty buffers first in the array produce no record: loop until one carries data.
            while (n == 0 && hasRemaining(s)) {
                n = wrapAndSend(s);
            }
            return n;
        }
    }

    private static boolean hasRemaining(ByteBuffer[] bs) {
        for (ByteBuffer b : bs) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isOpen() {
        return ch.isOpen();
    }

    /** Closes the socket; no close_notify (NBD ends with DISC, and libnbd drops the session the same way). */
    @Override
    public void close() throws IOException {
        ch.close();
    }
}
