package dev.prescient.engine.control;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.prescient.engine.ServerThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's control channel: a UNIX socket (mode 0600 by the umask of the agent that starts
 * the engine) taking one request per connection. The client sends one line, the server answers
 * with zero or more information lines and one final line, then closes:
 * <pre>
 * ATTACH &lt;replicaId&gt; &lt;host:port&gt; [existing=true]   add a remote member (WO, data dirty; all blocks when existing)
 * CATCHUP &lt;replicaId&gt; [bps=N]                      delta-sync rounds, then promote RW
 * SCRUB [bps=N]                                   compare the in-sync replicas once, repair from the read source
 * SWITCH &lt;newId&gt; [dropId...] [max-pause-ms=N]      make newId the read source, drop the others (no pause)
 * DETACH &lt;replicaId&gt;                               remove a remote member
 * READ &lt;replicaId&gt;                                 serve reads from that in-sync member; nobody is dropped
 * STATUS                                          MEMBER lines, then the volume
 *
 * PROGRESS done=&lt;bytes&gt; total=&lt;bytes&gt; sent=&lt;bytes&gt;   (while CATCHUP runs)
 * MEMBER id=.. local=.. mode=.. dirty-blocks=.. lag-bytes=.. endpoint=.. error=..   (STATUS)
 * OK key=value ...                                success
 * ERR &lt;Reason&gt; &lt;message&gt;                          failure; nothing was changed unless the message says so
 * </pre>
 * A client that closes its end while CATCHUP runs cancels it (the next progress line fails to
 * send; the member keeps its dirty blocks). A malformed line gets {@code ERR BadRequest ...} and
 * the connection is closed; a line must arrive within 10 seconds.
 */
public final class ControlServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final long LINE_TIMEOUT_MS = 10_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-timer");
        t.setDaemon(true);
        return t;
    });

    private final Path path;
    private final ServerSocketChannel listener;
    private final VolumeControl control;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    /** Requests served at once (a CATCHUP runs for as long as the copy takes). */
    static final int MAX_CLIENTS = 16;
    private final ThreadPoolExecutor threads = ServerThreads.perTask("control-conn", MAX_CLIENTS);
    private volatile boolean closed;

    public ControlServer(Path path, VolumeControl control) throws IOException {
        this.path = path;
        this.control = control;
        Files.deleteIfExists(path); // left behind by a killed engine
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(this::acceptLoop, "control-accept");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("control socket {}: accept failed: {}", path, e.toString());
                }
                continue;
            }
            clients.add(c);
            try {
                threads.execute(() -> serve(c));
            } catch (RejectedExecutionException e) {
                // The agent sends a handful of requests at a time; more at once is a runaway client.
                clients.remove(c);
                LOG.warn("control socket {}: {} requests running, refusing another", path, MAX_CLIENTS);
                try {
                    send(c, "ERR Busy " + MAX_CLIENTS + " control requests are running; retry later");
                } catch (IOException ignored) {
                    // the client left already
                }
                closeQuietly(c);
            }
        }
    }

    private void serve(SocketChannel c) {
        ScheduledFuture<?> timeout = TIMER.schedule(() -> closeQuietly(c), LINE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try (c) {
            String line;
            try {
                line = readLine(c);
            } finally {
                timeout.cancel(false);
            }
            if (line == null) {
                return; // closed or timed out before a full line: nothing to answer
            }
            String answer;
            try {
                ControlRequest req = ControlRequest.parse(line);
                LOG.info("control: {}", line);
                answer = "OK " + control.execute(req, l -> send(c, l));
            } catch (ControlException e) {
                answer = "ERR " + e.reason() + " " + oneLine(e.getMessage());
                LOG.info("control: {} -> {}", line.length() > 200 ? line.substring(0, 200) : line, answer);
            } catch (RuntimeException e) {
                answer = "ERR Internal " + oneLine(String.valueOf(e));
                LOG.warn("control: {} failed", line, e);
            }
            send(c, answer);
        } catch (IOException e) {
            LOG.debug("control client left: {}", e.toString());
        } finally {
            clients.remove(c);
        }
    }

    /** Reads up to a newline; a line too long or not ASCII is answered with an error line here. */
    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ControlRequest.MAX_LINE + 2);
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            int n;
            try {
                n = c.read(one);
            } catch (IOException e) {
                return null;
            }
            if (n < 0) {
                return null;
            }
            byte b = one.get(0);
            if (b == '\n') {
                String s = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (buf.position() > ControlRequest.MAX_LINE) {
                refuse(c, "ERR BadRequest request longer than " + ControlRequest.MAX_LINE + " bytes");
                return null;
            }
            if (b < 0) {
                refuse(c, "ERR BadRequest request is not ASCII");
                return null;
            }
            buf.put(b);
        }
    }

    /**
     * Answers a request that is refused before its end was read, then discards what the client
     * still sends (bounded): closing with unread input would reset the connection and the client
     * could lose the answer.
     */
    private static void refuse(SocketChannel c, String line) throws IOException {
        send(c, line);
        c.shutdownOutput();
        ByteBuffer sink = ByteBuffer.allocate(8192);
        for (long n = 0; n < (1 << 20); ) {
            int r = c.read(sink.clear());
            if (r < 0) {
                return;
            }
            n += r;
        }
    }

    private static void send(SocketChannel c, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (SocketChannel c : clients) {
            closeQuietly(c);
        }
        threads.shutdown();
        Files.deleteIfExists(path);
    }
}
