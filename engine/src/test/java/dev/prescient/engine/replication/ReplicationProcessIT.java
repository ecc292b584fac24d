package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replica's node is a real process that gets kill -9'd while a client writes to it. */
class ReplicationProcessIT {
    static final int BS = 4096;

    @TempDir
    Path dir;
    Process node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    Process startNode(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("node-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ReplicationNode.class.getName(), "serve", "--tier", "ssd=" + dir.resolve("ssd"),
                "--listen", "127.0.0.1:" + port, "--create", "r1:ssd:32"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("listening on")) {
            assertThat(p.isAlive()).as("node exited: %s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("node did not start").isLessThan(deadline);
            Thread.sleep(50);
        }
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void killMinus9MidStreamFailsCallsPromptlyAndAReconnectCatchesUp() throws Exception {
        int port = freePort();
        node = startNode(port);
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        RemoteReplica r = RemoteReplica.connect(addr, "r1", null,
                ReplicationSettings.defaults().withTimeout(Duration.ofSeconds(5)));
        long size = r.size();
        ByteBuffer block = ByteBuffer.allocateDirect(BS);
        AtomicLong acked = new AtomicLong(-1);
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            try {
                for (long i = 0; ; i = (i + 1) % (size / BS)) {
                    block.clear();
                    while (block.hasRemaining()) {
                        block.putLong(i + 1);
                    }
                    r.write(i * BS, block.flip(), true);
                    acked.set(i);
                }
            } catch (Throwable t) {
                return t;
            }
        });
        while (acked.get() < 200) {
            Thread.sleep(10);
        }
        node.destroyForcibly();
        long killedAt = System.nanoTime();
        Throwable failure = writer.get(10, TimeUnit.SECONDS);
        long failedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(failure).isInstanceOf(IOException.class);
        assertThat(failedAfterMs).isLessThan(2000);
        assertThat(r.isConnected()).isFalse();
        assertThatThrownBy(() -> r.read(0, ByteBuffer.allocate(BS))).isInstanceOf(ReplicationException.class);
        node.waitFor(10, TimeUnit.SECONDS);
        long lastAcked = acked.get();

        node = startNode(port);
        r.reconnect();
        // Every write acknowledged with FUA survived the kill.
        ByteBuffer back = ByteBuffer.allocate(BS);
        for (long i = 0; i <= Math.min(lastAcked, size / BS - 1); i++) {
            back.clear();
            r.read(i * BS, back);
            assertThat(back.getLong(0)).as("block %d", i).isEqualTo(i + 1);
            assertThat(back.getLong(BS - 8)).isEqualTo(i + 1);
        }
        // Catch-up after the outage by bulk sync, then the replica holds the new contents.
        ByteBuffer src = ReplicationIT.randomBytes((int) size, 31);
        BlockSink sink = r.openSink(BS);
        for (long i = 0; i < size / BS; i++) {
            sink.put(i, src.duplicate().position((int) (i * BS)).limit((int) ((i + 1) * BS)));
        }
        sink.finish();
        ByteBuffer all = ByteBuffer.allocateDirect((int) size);
        r.read(0, all);
        assertThat(all.flip()).isEqualTo(src);
        r.close();
    }
}
