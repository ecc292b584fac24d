package dev.prescient.engine.replication;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a replication client and server that understands the frame header, for
 * fault injection: flip a byte in the payload of the next N frames of a type, cut the connection
 * after some bytes (in the middle of a frame), or freeze (stop forwarding, keep the sockets open:
 * a peer that hangs). Plain TCP only.
 */
final class FaultProxy implements Closeable {
    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger corruptLeft = new AtomicInteger();
    private final AtomicInteger corrupted = new AtomicInteger();
    private volatile byte corruptType;
    private final AtomicLong cutAfter = new AtomicLong(-1);
    private final AtomicLong forwarded = new AtomicLong();
    private volatile boolean frozen;
    private volatile boolean closed;

    FaultProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Flips one payload byte of each of the next {@code count} client frames of {@code type}. */
    void corrupt(byte type, int count) {
        corruptType = type;
        corruptLeft.set(count);
    }

    /** Frames damaged so far. */
    int corrupted() {
        return corrupted.get();
    }

    /** Cuts every connection once {@code bytes} more client bytes have been forwarded (mid-frame). */
    void cutAfter(long bytes) {
        cutAfter.set(forwarded.get() + bytes);
    }

    void freeze() {
        frozen = true;
    }

    /** Back to a healthy proxy for new connections. */
    void heal() {
        frozen = false;
        cutAfter.set(-1);
        corruptLeft.set(0);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(upstream, 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                start(() -> clientToServer(client, server));
                start(() -> copy(server, client));
            } catch (IOException e) {
                // listener closed
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void clientToServer(Socket client, Socket server) {
        byte[] header = new byte[Frame.HEADER_SIZE];
        try (DataInputStream in = new DataInputStream(client.getInputStream())) {
            OutputStream out = server.getOutputStream();
            while (true) {
                in.readFully(header);
                int len = ByteBuffer.wrap(header).getInt(32);
                if (len < 0 || len > Frame.MAX_PAYLOAD) {
                    throw new IOException("proxy cannot frame");
                }
                byte[] frame = new byte[Frame.HEADER_SIZE + len];
                System.arraycopy(header, 0, frame, 0, header.length);
                in.readFully(frame, Frame.HEADER_SIZE, len);
                if (len > 0 && header[4] == corruptType && corruptLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    frame[Frame.HEADER_SIZE + len / 2] ^= 0x5a;
                    corrupted.incrementAndGet();
                }
                waitWhileFrozen();
                long cut = cutAfter.get();
                long before = forwarded.get();
                if (cut >= 0 && before + frame.length > cut) {
                    int part = (int) Math.max(0, cut - before);
                    out.write(frame, 0, part);
                    out.flush();
                    forwarded.addAndGet(part);
                    cutAll();
                    return;
                }
                out.write(frame);
                out.flush();
                forwarded.addAndGet(frame.length);
            }
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                waitWhileFrozen();
                out.write(buf, 0, n);
                out.flush();
            }
            throw new EOFException();
        } catch (IOException | InterruptedException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void waitWhileFrozen() throws InterruptedException {
        while (frozen && !closed) {
            Thread.sleep(10);
        }
    }

    /** Abruptly closes every proxied connection. */
    void cutAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cutAll();
    }
}
