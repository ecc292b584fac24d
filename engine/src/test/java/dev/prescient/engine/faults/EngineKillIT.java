package dev.prescient.engine.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.EngineMain;
import dev.prescient.engine.nbd.NbdClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a separate engine process during writes: after a restart every write acknowledged
 * with FUA, or followed by an acknowledged FLUSH, reads back (or a later write to the same block
 * does, which the client may also have sent before the kill).
 */
@Timeout(180)
class EngineKillIT {
    static final int BS = 4096;
    static final int BLOCKS = 2048;
    @TempDir
    Path dir;

    Process start(Path sock) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EngineMain.class.getName(),
                "--tier", "t=" + dir.resolve("tier"), "--replica", "r0:vol:t:64M", "--unix", sock.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            // skip logging until the engine says it serves
        }
        assertThat(line).as("engine start").isEqualTo("ready");
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (Exception ignored) {
                // the process died: expected here
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    static ByteBuffer content(long version) {
        ByteBuffer b = ByteBuffer.allocate(BS);
        Random r = new Random(version);
        while (b.hasRemaining()) {
            b.putLong(version ^ r.nextLong());
        }
        return b.flip();
    }

    @Test
    void acknowledgedDurableWritesSurviveKill9() throws Exception {
        Path sock = dir.resolve("engine.sock");
        for (int round = 0; round < 3; round++) {
            Process p = start(sock);
            // per block: the last version known durable, and versions sent after it (maybe landed)
            Map<Integer, Long> durable = new HashMap<>();
            Map<Integer, List<Long>> maybe = new HashMap<>();
            List<int[]> sinceFlush = new ArrayList<>();
            Random rnd = new Random(round);
            long version = round * 10_000_000L;
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800 + rnd.nextInt(400));
            long durableCount = 0;
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                while (true) {
                    if (System.nanoTime() > killAt) {
                        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                        p.waitFor();
                        break;
                    }
                    int blk = rnd.nextInt(BLOCKS);
                    long v = ++version;
                    boolean fua = rnd.nextInt(4) == 0;
                    maybe.computeIfAbsent(blk, k -> new ArrayList<>()).add(v);
                    int err;
                    try {
                        err = c.write((long) blk * BS, content(v), fua);
                    } catch (Exception e) {
                        break; // killed mid-request
                    }
                    assertThat(err).isZero();
                    if (fua) {
                        durable.put(blk, v);
                        maybe.get(blk).removeIf(x -> x <= v);
                        durableCount++;
                    } else {
                        sinceFlush.add(new int[]{blk});
                        maybe.get(blk).add(v); // duplicate marker is harmless
                    }
                    if (rnd.nextInt(16) == 0) {
                        int ferr;
                        try {
                            ferr = c.flush();
                        } catch (Exception e) {
                            break;
                        }
                        assertThat(ferr).isZero();
                        for (Map.Entry<Integer, List<Long>> e : maybe.entrySet()) {
                            if (!e.getValue().isEmpty()) {
                                long last = e.getValue().stream().mapToLong(Long::longValue).max().getAsLong();
                                durable.put(e.getKey(), last);
                                durableCount++;
                            }
                        }
                        maybe.clear();
                    }
                }
            }
            assertThat(durableCount).isPositive();
            Process again = start(sock);
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                for (Map.Entry<Integer, Long> e : durable.entrySet()) {
                    ByteBuffer got = c.read((long) e.getKey() * BS, BS);
                    List<Long> allowed = new ArrayList<>(maybe.getOrDefault(e.getKey(), List.of()));
                    allowed.add(e.getValue());
                    assertThat(allowed.stream().anyMatch(v -> content(v).equals(got)))
                            .as("block %d after kill round %d", e.getKey(), round).isTrue();
                }
            } finally {
                again.destroyForcibly();
                again.waitFor();
            }
        }
        assertThat(Files.exists(dir.resolve("tier").resolve("r0.meta"))).isTrue();
    }
}
