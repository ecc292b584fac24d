package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.tls.TlsConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the replication transport by hand (and from process-level tests):
 *
 * <pre>
 * serve --tier NAME=DIR [--tier ...] --listen HOST:PORT [--create ID:TIER:SIZE_MIB ...]
 *       [--cert PEM --key PEM --ca PEM]
 *     serves the replicas of a ReplicaStore; prints "listening on HOST:PORT" once ready
 * push --connect HOST:PORT --replica ID --file PATH [--codec NONE|LZ4|ZSTD] [--no-dedup]
 *       [--cert PEM --key PEM --ca PEM]
 *     bulk-syncs a local file into a remote replica and prints what went over the wire
 * </pre>
 */
public final class ReplicationNode {
    private ReplicationNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        Map<String, List<String>> o = options(args);
        switch (args[0]) {
            case "serve" -> serve(o);
            case "push" -> push(o);
            default -> usage();
        }
    }

    private static void serve(Map<String, List<String>> o) throws Exception {
        Map<String, Path> tiers = new LinkedHashMap<>();
        for (String t : o.getOrDefault("tier", List.of())) {
            String[] kv = t.split("=", 2);
            tiers.put(kv[0], Path.of(kv[1]));
        }
        ReplicaStore store = new ReplicaStore(tiers);
        for (String c : o.getOrDefault("create", List.of())) {
            String[] p = c.split(":");
            try {
                store.create(p[0], p[0], p[1], Long.parseLong(p[2]) << 20).close();
            } catch (FileAlreadyExistsException e) {
                // restarted on the same directories: the replica is already there
            }
        }
        ReplicationServer server = new ReplicationServer(store, address(one(o, "listen")), tls(o));
        System.out.println("listening on " + server.address().getHostString() + ":" + server.port());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
                store.close();
            } catch (IOException e) {
                System.err.println("shutdown: " + e);
            }
        }));
        Thread.currentThread().join();
    }

    private static void push(Map<String, List<String>> o) throws Exception {
        ReplicationSettings s = ReplicationSettings.defaults()
                .withCompression(Compression.valueOf(o.containsKey("codec") ? one(o, "codec") : "LZ4"))
                .withDedup(!o.containsKey("no-dedup"));
        int bs = 4096;
        try (RemoteReplica r = RemoteReplica.connect(address(one(o, "connect")), one(o, "replica"), tls(o), s);
             FileChannel in = FileChannel.open(Path.of(one(o, "file")))) {
            long size = Math.min(in.size(), r.size());
            long t0 = System.nanoTime();
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            try (BlockSink sink = r.openSink(bs)) {
                for (long off = 0; off < size; off += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), size - off));
                    while (buf.hasRemaining() && in.read(buf, off + buf.position()) > 0) {
                        // fill
                    }
                    buf.flip();
                    for (int p = 0; p < buf.limit(); p += bs) {
                        sink.put((off + p) / bs, buf.duplicate().position(p).limit(Math.min(p + bs, buf.limit())));
                    }
                }
                sink.finish();
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("pushed %d bytes in %.2f s (%.0f MiB/s), %d bytes on the wire (%.3fx)%n",
                        size, sec, size / 1048576.0 / sec, sink.bytesTransferred(), (double) sink.bytesTransferred() / size);
            }
        }
    }

    private static TlsConfig tls(Map<String, List<String>> o) throws IOException {
        if (!o.containsKey("ca")) {
            return null;
        }
        return TlsConfig.fromPem(Path.of(one(o, "cert")), Path.of(one(o, "key")), Path.of(one(o, "ca")));
    }

    private static InetSocketAddress address(String hostPort) {
        int i = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
    }

    private static String one(Map<String, List<String>> o, String key) {
        List<String> v = o.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v.get(0);
    }

    private static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String k = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            o.computeIfAbsent(k, x -> new ArrayList<>()).add(flag ? "" : args[++i]);
        }
        return o;
    }

    private static void usage() {
        System.out.println("usage: serve --tier NAME=DIR --listen HOST:PORT [--create ID:TIER:SIZE_MIB] [--cert --key --ca]\n"
                + "       push --connect HOST:PORT --replica ID --file PATH [--codec NONE|LZ4|ZSTD] [--no-dedup] [--cert --key --ca]");
    }
}
