package dev.prescient.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InjectedFaultsTest {
    @TempDir
    Path dir;

    @Test
    void noFileMeansAHealthyMediumAndDataPassesThrough() throws Exception {
        try (ReplicaStore store = new ReplicaStore(Map.of("t", dir.resolve("t")))) {
            LocalReplica rep = store.create("r", "v", "t", 1 << 20);
            InjectedFaults f = new InjectedFaults(rep, dir.resolve("faults"));
            f.write(4096, ByteBuffer.wrap("hello".getBytes()), false);
            ByteBuffer back = ByteBuffer.allocate(5);
            f.read(4096, back);
            assertThat(new String(back.array())).isEqualTo("hello");
            assertThat(f.current()).isEqualTo(new InjectedFaults.Faults(0, 0));
        }
    }

    @Test
    void readsFailAtTheConfiguredShareAndWritesStillLand() throws Exception {
        Path file = dir.resolve("faults");
        Files.writeString(file, "read_error_permille=1000\n");
        try (ReplicaStore store = new ReplicaStore(Map.of("t", dir.resolve("t")))) {
            LocalReplica rep = store.create("r", "v", "t", 1 << 20);
            InjectedFaults f = new InjectedFaults(rep, file);
            f.write(0, ByteBuffer.wrap(new byte[]{1, 2, 3}), false);
            assertThatThrownBy(() -> f.read(0, ByteBuffer.allocate(3))).isInstanceOf(IOException.class)
                    .hasMessageContaining("injected read error");
            ByteBuffer direct = ByteBuffer.allocate(3);
            rep.read(0, direct);
            assertThat(direct.array()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void parseNamesTheBadKeyAndABadFileKeepsWhatWasInForce() throws Exception {
        Path file = dir.resolve("faults");
        Files.writeString(file, "latency_us=2500\nread_error_permille=5\n");
        assertThat(InjectedFaults.parse(file)).isEqualTo(new InjectedFaults.Faults(2500, 5));
        Files.writeString(file, "latency_us=soon\n");
        assertThatThrownBy(() -> InjectedFaults.parse(file)).hasMessageContaining("latency_us");
        Files.writeString(file, "read_error_permille=1001\n");
        assertThatThrownBy(() -> InjectedFaults.parse(file)).hasMessageContaining("0..1000");

        Files.writeString(file, "latency_us=2500\n");
        try (ReplicaStore store = new ReplicaStore(Map.of("t", dir.resolve("t")))) {
            InjectedFaults f = new InjectedFaults(store.create("r", "v", "t", 1 << 20), file);
            assertThat(f.current().latencyMicros()).isEqualTo(2500);
            long t0 = System.nanoTime();
            f.read(0, ByteBuffer.allocate(512));
            assertThat(System.nanoTime() - t0).as("at least the injected latency").isGreaterThanOrEqualTo(2_500_000);
        }
    }
}
