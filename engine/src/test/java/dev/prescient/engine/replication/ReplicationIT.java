package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.volume.ReplicaMode;
import dev.prescient.engine.volume.ReplicaSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replication transport over real loopback sockets into real replica files. */
class ReplicationIT {
    static final int BS = 4096;
    static final long SIZE = 16L << 20;

    @TempDir
    Path dir;
    ReplicaStore store;
    LocalReplica replica;
    ReplicationServer server;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        store = new ReplicaStore(Map.of("ssd", dir.resolve("ssd")));
        replica = store.create("r1", "vol1", "ssd", SIZE);
        server = new ReplicationServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        server.close();
        store.close();
    }

    RemoteReplica connect(InetSocketAddress a, ReplicationSettings s) throws IOException {
        RemoteReplica r = RemoteReplica.connect(a, "r1", null, s);
        toClose.add(r);
        return r;
    }

    RemoteReplica connect() throws IOException {
        return connect(server.address(), ReplicationSettings.defaults());
    }

    static ByteBuffer randomBytes(int n, long seed) {
        byte[] a = new byte[n];
        new Random(seed).nextBytes(a);
        return ByteBuffer.allocateDirect(n).put(a).flip();
    }

    static ByteBuffer readAll(BlockTarget t) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.size());
        t.read(0, b);
        return b.flip();
    }

    /** A source volume: text-like, random and zero regions, so every sink path runs. */
    static ByteBuffer mixedVolume(long size, long seed) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) size);
        Random r = new Random(seed);
        byte[] block = new byte[BS];
        for (int i = 0; i < size / BS; i++) {
            switch (i % 4) {
                case 0 -> r.nextBytes(block);
                case 1 -> java.util.Arrays.fill(block, (byte) 0);
                default -> {
                    for (int k = 0; k < BS; k++) {
                        block[k] = (byte) ('a' + (k * 7 + i) % 13);
                    }
                }
            }
            b.put(block);
        }
        return b.flip();
    }

    static void putAll(BlockSink sink, ByteBuffer src) throws IOException {
        for (long i = 0; i < src.capacity() / BS; i++) {
            sink.put(i, src.duplicate().position((int) (i * BS)).limit((int) ((i + 1) * BS)));
        }
    }

    @Test
    void readWriteUnmapZeroesFlushReachTheReplicaFile() throws Exception {
        RemoteReplica r = connect();
        assertThat(r.size()).isEqualTo(SIZE);
        ByteBuffer data = randomBytes(3 * BS + 100, 1);
        r.write(5 * BS + 7, data.duplicate(), true);
        ByteBuffer local = ByteBuffer.allocate(data.capacity());
        replica.read(5 * BS + 7, local);
        assertThat(local.flip()).isEqualTo(data);

        ByteBuffer back = ByteBuffer.allocateDirect(data.capacity());
        r.read(5 * BS + 7, back);
        assertThat(back.position()).isEqualTo(back.limit());
        assertThat(back.flip()).isEqualTo(data);

        r.writeZeroes(5 * BS + 7, 100, false);
        r.unmap(6 * BS, BS);
        r.flush();
        ByteBuffer z = ByteBuffer.allocate(BS);
        replica.read(6 * BS, z);
        assertThat(z.array()).containsOnly(0);
        ByteBuffer head = ByteBuffer.allocate(100);
        replica.read(5 * BS + 7, head);
        assertThat(head.array()).containsOnly(0);
    }

    @Test
    void ioLargerThanOneFrameIsSplitAndPipelined() throws Exception {
        RemoteReplica r = connect();
        ByteBuffer data = randomBytes(Frame.MAX_IO + Frame.MAX_IO / 2, 2);
        r.write(BS, data.duplicate(), false);
        ByteBuffer back = ByteBuffer.allocateDirect(data.capacity());
        r.read(BS, back);
        assertThat(back.flip()).isEqualTo(data);
    }

    @Test
    void outOfRangeAndUnknownReplicaAreTypedErrors() throws Exception {
        RemoteReplica r = connect();
        assertThatThrownBy(() -> r.write(SIZE - 10, ByteBuffer.allocate(20), false))
                .isInstanceOf(OutOfRangeException.class);
        assertThatThrownBy(() -> r.read(-1, ByteBuffer.allocate(1))).isInstanceOf(OutOfRangeException.class);
        // The connection is still usable after a refused request.
        r.write(0, ByteBuffer.wrap(new byte[] {1}), false);
        assertThatThrownBy(() -> RemoteReplica.connect(server.address(), "nope", null, ReplicationSettings.defaults()))
                .isInstanceOf(ReplicationException.class)
                .satisfies(e -> assertThat(((ReplicationException) e).reason())
                        .isEqualTo(ReplicationException.Reason.NO_SUCH_REPLICA));
    }

    @Test
    void concurrentCallersShareOnePipelinedConnection() throws Exception {
        RemoteReplica r = connect();
        int threads = 8;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    Random rnd = new Random(id);
                    ByteBuffer buf = ByteBuffer.allocateDirect(BS);
                    ByteBuffer back = ByteBuffer.allocateDirect(BS);
                    for (int i = 0; i < perThread; i++) {
                        long block = id + (long) threads * rnd.nextInt((int) (SIZE / BS / threads));
                        buf.clear();
                        while (buf.hasRemaining()) {
                            buf.putLong(block * 31 + i);
                        }
                        buf.flip();
                        r.write(block * BS, buf.duplicate(), i % 10 == 0);
                        back.clear();
                        r.read(block * BS, back);
                        assertThat(back.flip()).isEqualTo(buf);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Large writes run on the member's workers while the connection reads on; overlapping ones
     * must still land in the order they were sent, and a FLUSH or READ must see every write sent
     * before it. Sent back to back from one thread (so the wire order is known), then compared with
     * the same writes applied in order to a plain buffer.
     */
    @Test
    void pipelinedLargeWritesLandAsIfAppliedInOrder() throws Exception {
        RemoteReplica r = connect();
        ByteBuffer expected = ByteBuffer.allocate((int) SIZE);
        Random rnd = new Random(11);
        for (int round = 0; round < 20; round++) {
            List<BlockTarget.PendingWrite> sent = new ArrayList<>();
            List<ByteBuffer> keep = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // Sizes on both sides of the pipelining threshold; offsets in a 2 MiB window, so they overlap.
                int len = i % 4 == 3 ? 4096 : (64 + rnd.nextInt(961)) * 1024;
                long off = (long) rnd.nextInt((2 << 20) / BS) * BS;
                ByteBuffer data = randomBytes(len, round * 100L + i);
                keep.add(data);
                BlockTarget.PendingWrite p = r.startWrite(off, data.duplicate(), i == 5);
                assertThat(p).isNotNull();
                sent.add(p);
                expected.put((int) off, data.duplicate(), 0, len);
            }
            r.flush(); // sent after all twelve, answered only after all of them ran
            for (BlockTarget.PendingWrite p : sent) {
                p.await();
            }
            ByteBuffer back = ByteBuffer.allocateDirect(2 << 20);
            r.read(0, back);
            assertThat(back.flip()).as("round " + round).isEqualTo(expected.duplicate().limit(2 << 20));
            assertThat(keep).hasSize(12);
        }
        ByteBuffer file = ByteBuffer.allocate(2 << 20);
        replica.read(0, file);
        assertThat(file.flip()).isEqualTo(expected.duplicate().limit(2 << 20));
        assertThat(server.pipelinedWrites()).as("writes that ran on a worker").isPositive();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void sinkCopiesAVolumeSkippingZeroesAndCompressing(Compression codec) throws Exception {
        RemoteReplica r = connect(server.address(), ReplicationSettings.defaults().withCompression(codec).withDedup(false));
        ByteBuffer src = mixedVolume(SIZE, 3);
        long zeroBlocks = SIZE / BS / 4;
        RemoteBlockSink sink = (RemoteBlockSink) r.openSink(BS);
        putAll(sink, src);
        sink.finish();
        assertThat(readAll(replica)).isEqualTo(src);
        assertThat(sink.zeroBlocks()).isEqualTo(zeroBlocks);
        assertThat(sink.rawBytesSent()).isEqualTo(SIZE - zeroBlocks * BS);
        if (codec == Compression.NONE) {
            assertThat(sink.bytesTransferred()).isBetween(SIZE - zeroBlocks * BS, (long) ((SIZE - zeroBlocks * BS) * 1.01));
        } else {
            // Half the volume is repetitive text: the wire carries well under the raw data.
            assertThat(sink.bytesTransferred()).isLessThan((long) ((SIZE - zeroBlocks * BS) * 0.6));
            assertThat(sink.chunksNotCompressed()).isZero();
        }
    }

    @Test
    void dedupSendsOnlyBlocksTheTargetLacks() throws Exception {
        RemoteReplica r = connect(server.address(), ReplicationSettings.defaults().withCompression(Compression.NONE));
        ByteBuffer src = randomBytes((int) SIZE, 4);
        // The target already holds the first half.
        replica.write(0, src.duplicate().limit((int) SIZE / 2), false);
        RemoteBlockSink sink = (RemoteBlockSink) r.openSink(BS);
        putAll(sink, src);
        sink.finish();
        assertThat(readAll(replica)).isEqualTo(src);
        assertThat(sink.blocksDeduplicated()).isEqualTo(SIZE / BS / 2);
        assertThat(sink.rawBytesSent()).isEqualTo(SIZE / 2);
        // Offers cost 16 bytes per block, data only where needed.
        assertThat(sink.bytesTransferred()).isLessThan(SIZE / 2 + SIZE / BS * 16 + SIZE / 100);

        // A second identical sync moves no block data at all.
        RemoteBlockSink again = (RemoteBlockSink) r.openSink(BS);
        putAll(again, src);
        again.finish();
        assertThat(again.rawBytesSent()).isZero();
        assertThat(again.bytesTransferred()).isLessThan(SIZE / BS * 16 + SIZE / 100);
    }

    @Test
    void oddSizesPartialBatchesAndASmallWindowAllArrive() throws Exception {
        long odd = 5L * 1024 * 1024 + 1000;
        LocalReplica target = store.create("odd", "vol2", "ssd", odd);
        ByteBuffer src = randomBytes((int) odd, 14);
        // Some blocks already match (dedup), some are zero, the last block is short.
        target.write(0, src.duplicate().limit(64 * BS), false);
        src.put(100 * BS, new byte[10 * BS]);
        for (ReplicationSettings s : List.of(ReplicationSettings.defaults(),
                ReplicationSettings.defaults().withBatch(16 * 1024, 2).withCompression(Compression.ZSTD))) {
            try (RemoteReplica r = RemoteReplica.connect(server.address(), "odd", null, s)) {
                // A small read first leaves the server's scratch buffer with a short limit.
                r.read(0, ByteBuffer.allocate(100));
                RemoteBlockSink sink = (RemoteBlockSink) r.openSink(BS);
                long blocks = (odd + BS - 1) / BS;
                for (long i = 0; i < blocks; i++) {
                    int from = (int) (i * BS);
                    sink.put(i, src.duplicate().position(from).limit((int) Math.min(from + BS, odd)));
                }
                sink.finish();
                assertThat(readAll(target)).isEqualTo(src);
                assertThat(sink.zeroBlocks()).isEqualTo(10);
                assertThat(sink.blocksDeduplicated()).isGreaterThanOrEqualTo(64);
                if (s.batchBytes() >= 1 << 20) {
                    // Random data: the probe says it does not compress, so whole chunks are not tried.
                    assertThat(sink.chunksNotCompressed()).isPositive();
                }
            }
        }
        assertThatThrownBy(() -> {
            try (RemoteReplica r = RemoteReplica.connect(server.address(), "odd", null, ReplicationSettings.defaults())) {
                r.openSink(BS).put((odd - 1) / BS, ByteBuffer.allocate(BS));
            }
        }).isInstanceOf(IllegalArgumentException.class);
        target.close();
    }

    @Test
    void flippedBytesInAChunkAreDetectedResentAndNeverWritten() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address())) {
            RemoteReplica r = connect(proxy.address(), ReplicationSettings.defaults().withDedup(false)
                    .withCompression(Compression.LZ4));
            ByteBuffer src = mixedVolume(SIZE, 5);
            proxy.corrupt(Frame.CHUNK, 3);
            RemoteBlockSink sink = (RemoteBlockSink) r.openSink(BS);
            putAll(sink, src);
            sink.finish();
            assertThat(proxy.corrupted()).isEqualTo(3);
            assertThat(server.checksumNacks()).isEqualTo(3);
            assertThat(sink.resends()).isEqualTo(3);
            assertThat(readAll(replica)).isEqualTo(src);
        }
    }

    @Test
    void flippedBytesInAWriteOrOfferAreResentToo() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address())) {
            RemoteReplica r = connect(proxy.address(), ReplicationSettings.defaults());
            ByteBuffer data = randomBytes(64 * 1024, 6);
            proxy.corrupt(Frame.WRITE, 2);
            r.write(BS, data.duplicate(), true);
            assertThat(proxy.corrupted()).isEqualTo(2);
            ByteBuffer back = ByteBuffer.allocate(data.capacity());
            replica.read(BS, back);
            assertThat(back.flip()).isEqualTo(data);

            ByteBuffer src = randomBytes((int) SIZE, 7);
            proxy.corrupt(Frame.OFFER, 2);
            BlockSink sink = r.openSink(BS);
            putAll(sink, src);
            sink.finish();
            assertThat(proxy.corrupted()).isEqualTo(4);
            assertThat(readAll(replica)).isEqualTo(src);
        }
    }

    @Test
    void aCheckedSumThatKeepsFailingGivesUpWithAChecksumError() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address())) {
            RemoteReplica r = connect(proxy.address(), ReplicationSettings.defaults());
            ByteBuffer before = readAll(replica);
            proxy.corrupt(Frame.WRITE, 100);
            assertThatThrownBy(() -> r.write(0, randomBytes(BS, 8), false))
                    .isInstanceOf(ReplicationException.class)
                    .satisfies(e -> assertThat(((ReplicationException) e).reason())
                            .isEqualTo(ReplicationException.Reason.CHECKSUM));
            assertThat(readAll(replica)).isEqualTo(before);
        }
    }

    @Test
    void aConnectionCutMidStreamFailsPromptlyWithoutPartialGarbageAndReconnectCatchesUp() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address())) {
            RemoteReplica r = connect(proxy.address(), ReplicationSettings.defaults().withDedup(false)
                    .withCompression(Compression.NONE).withTimeout(Duration.ofSeconds(5)));
            ByteBuffer old = randomBytes((int) SIZE, 9);
            replica.write(0, old.duplicate(), false);
            ByteBuffer src = randomBytes((int) SIZE, 10);
            proxy.cutAfter(SIZE / 2 + 12345);
            BlockSink sink = r.openSink(BS);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> {
                putAll(sink, src);
                sink.finish();
            }).isInstanceOf(IOException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
            assertThat(r.isConnected()).isFalse();
            assertThatThrownBy(() -> r.flush()).isInstanceOf(ReplicationException.class);

            // Every block is the old or the new contents: a partial frame was never applied.
            Thread.sleep(200);
            ByteBuffer now = readAll(replica);
            int updated = 0;
            for (int i = 0; i < SIZE / BS; i++) {
                ByteBuffer b = now.slice(i * BS, BS);
                if (b.equals(src.slice(i * BS, BS))) {
                    updated++;
                } else {
                    assertThat(b).as("block %d", i).isEqualTo(old.slice(i * BS, BS));
                }
            }
            assertThat(updated).isBetween(1, (int) (SIZE / BS) - 1);

            proxy.heal();
            r.reconnect();
            assertThat(r.isConnected()).isTrue();
            BlockSink again = r.openSink(BS);
            putAll(again, src);
            again.finish();
            assertThat(readAll(replica)).isEqualTo(src);
        }
    }

    @Test
    void aReplicaSetWriteIsAnsweredByTheReaderThatGetsTheRemoteAnswer() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address());
             ReplicaSet set = new ReplicaSet("vol1", SIZE, BS)) {
            LocalReplica local = store.create("l0", "vol1", "ssd", SIZE);
            set.addInSync("l0", local, true);
            set.addInSync("r1", connect(proxy.address(), ReplicationSettings.defaults()), false);
            ByteBuffer data = randomBytes(2 * BS, 12);
            CountDownLatch answered = new CountDownLatch(1);
            AtomicReference<String> by = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            proxy.freeze();
            set.writeAsync(3 * BS, data.duplicate(), true, f -> {
                failure.set(f);
                by.set(Thread.currentThread().getName());
                answered.countDown();
            });
            // Back at once with the local part written; nobody sleeps waiting for the remote's answer.
            ByteBuffer back = ByteBuffer.allocate(data.capacity());
            local.read(3 * BS, back);
            assertThat(back.flip()).isEqualTo(data);
            assertThat(answered.await(300, TimeUnit.MILLISECONDS)).as("not answered before the remote has it").isFalse();
            proxy.heal();
            assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isNull();
            assertThat(by.get()).as("answered by the thread that read the remote's answer").isEqualTo("repl-reader-r1");
            back.clear();
            replica.read(3 * BS, back);
            assertThat(back.flip()).as("the remote has it when the write is answered").isEqualTo(data);

            // A remote that dies after the request went out: the write is answered from the local replica, once,
            // and the remote is ERR with the range dirty, as for a synchronous write.
            CountDownLatch second = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            proxy.freeze();
            set.writeAsync(8 * BS, randomBytes(BS, 13), false, f -> {
                failure.set(f);
                calls.incrementAndGet();
                second.countDown();
            });
            proxy.cutAll();
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isNull();
            assertThat(set.member("r1").mode()).isEqualTo(ReplicaMode.ERR);
            assertThat(set.member("r1").dirtyBlocks()).isPositive();
            Thread.sleep(100);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void withTheSwitchAnNbdWriteOnTwoReplicasIsAnsweredOnlyOnceTheRemoteHasIt() throws Exception {
        System.setProperty("prescient.nbd.replyFromMember", "true");
        Path sock = dir.resolve("nbd.sock");
        try (FaultProxy proxy = new FaultProxy(server.address());
             ReplicaSet set = new ReplicaSet("vol1", SIZE, BS)) {
            set.addInSync("l0", store.create("l0", "vol1", "ssd", SIZE), true);
            set.addInSync("r1", connect(proxy.address(), ReplicationSettings.defaults()), false);
            dev.prescient.engine.nbd.NbdServer nbd = new dev.prescient.engine.nbd.NbdServer(4);
            toClose.add(nbd::close);
            nbd.addExport(dev.prescient.engine.nbd.NbdExport.of("vol1", set));
            nbd.listenUnix(sock);
            try (dev.prescient.engine.nbd.NbdClient c = dev.prescient.engine.nbd.NbdClient.connect(sock, "vol1")) {
                ByteBuffer data = randomBytes(BS, 14);
                proxy.freeze();
                ExecutorService one = Executors.newSingleThreadExecutor();
                try {
                    Future<Integer> answer = one.submit(() -> c.write(5 * BS, data.duplicate(), true));
                    Thread.sleep(300);
                    assertThat(answer.isDone()).as("no reply while the remote has not got the write").isFalse();
                    proxy.heal();
                    assertThat(answer.get(10, TimeUnit.SECONDS)).isZero();
                } finally {
                    one.shutdownNow();
                }
                ByteBuffer back = ByteBuffer.allocate(BS);
                replica.read(5 * BS, back);
                assertThat(back.flip()).isEqualTo(data);
                // A run of writes through the same path, then a FLUSH that covers them.
                for (int i = 0; i < 64; i++) {
                    assertThat(c.write((16 + i) * (long) BS, randomBytes(BS, 100 + i), false)).isZero();
                }
                assertThat(c.flush()).isZero();
                back.clear();
                replica.read(79L * BS, back);
                assertThat(back.flip()).isEqualTo(randomBytes(BS, 163));
            }
        } finally {
            System.clearProperty("prescient.nbd.replyFromMember");
        }
    }

    @Test
    void aHungPeerTimesOutInsteadOfHanging() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.address())) {
            RemoteReplica r = connect(proxy.address(), ReplicationSettings.defaults().withTimeout(Duration.ofMillis(800)));
            r.write(0, randomBytes(BS, 11), false);
            proxy.freeze();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    r.write(0, randomBytes(1 << 20, i), false);
                }
            }).isInstanceOf(ReplicationException.class)
                    .satisfies(e -> assertThat(((ReplicationException) e).reason())
                            .isIn(ReplicationException.Reason.TIMEOUT, ReplicationException.Reason.CONNECTION_LOST));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
        }
    }

    @Test
    void malformedFramesCloseOnlyThatConnectionAndChangeNothing() throws Exception {
        RemoteReplica healthy = connect();
        healthy.write(0, randomBytes((int) SIZE, 12), true);
        ByteBuffer before = readAll(replica);

        Frame hello = new Frame().set(Frame.HELLO, 0, 1, Frame.PROTOCOL_VERSION, 0);
        byte[] rid = "r1".getBytes();
        hello.payloadLength = rid.length;
        hello.payloadCrc = Frame.crc(ByteBuffer.wrap(rid));
        List<byte[]> attacks = new ArrayList<>();
        attacks.add("GET / HTTP/1.1\r\nHost: replica\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n".getBytes());
        byte[] noise = new byte[4096];
        new Random(13).nextBytes(noise);
        attacks.add(noise);
        // A write before HELLO.
        attacks.add(frame(new Frame().set(Frame.WRITE, 0, 1, 0, 0), new byte[16]));
        // A valid HELLO, then an oversized length with a correct header checksum.
        Frame big = new Frame().set(Frame.WRITE, 0, 2, 0, 0);
        big.payloadLength = Frame.MAX_PAYLOAD + 1;
        attacks.add(concat(frame(hello, rid), header(big)));
        // A valid HELLO, then an unknown frame type.
        attacks.add(concat(frame(hello, rid), frame(new Frame().set((byte) 42, 0, 2, 0, 0), new byte[8])));
        // A valid HELLO, then a CHUNK whose block count lies about its length.
        byte[] lying = ByteBuffer.allocate(12).putInt(1_000_000).putLong(0).array();
        attacks.add(concat(frame(hello, rid), frame(new Frame().set(Frame.CHUNK, 0, 2, BS, BS), lying)));
        // A valid HELLO, then a CHUNK with garbage where LZ4 data should be.
        byte[] badLz4 = ByteBuffer.allocate(12 + 100).putInt(1).putLong(3).put(noise, 0, 100).array();
        attacks.add(concat(frame(hello, rid), frame(new Frame().set(Frame.CHUNK, Compression.LZ4.id(), 2, BS, BS), badLz4)));
        // A valid HELLO, then a write whose header is damaged.
        byte[] w = frame(new Frame().set(Frame.WRITE, 0, 2, 0, 0), new byte[BS]);
        w[20] ^= 1;
        attacks.add(concat(frame(hello, rid), w));

        long closesBefore = server.protocolCloses();
        for (byte[] attack : attacks) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(attack);
                out.flush();
                InputStream in = s.getInputStream();
                // The server answers at most the HELLO, then closes: we reach end of stream.
                byte[] buf = new byte[4096];
                while (in.read(buf) >= 0) {
                    // drain
                }
            }
        }
        assertThat(server.protocolCloses() - closesBefore).isEqualTo(attacks.size());
        healthy.flush();
        assertThat(healthy.isConnected()).isTrue();
        assertThat(readAll(replica)).isEqualTo(before);
        assertThat(readAll(healthy)).isEqualTo(before);
    }

    static byte[] header(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(Frame.HEADER_SIZE);
        f.encode(b);
        return b.array();
    }

    static byte[] frame(Frame f, byte[] payload) {
        f.payloadLength = payload.length;
        f.payloadCrc = Frame.crc(ByteBuffer.wrap(payload));
        return concat(header(f), payload);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
