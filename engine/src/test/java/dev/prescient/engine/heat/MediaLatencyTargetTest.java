package dev.prescient.engine.heat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.store.InjectedFaults;
import dev.prescient.engine.store.LocalReplica;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaLatencyTargetTest {
    @TempDir
    Path dir;

    @Test
    void smallRequestsAndErrorsAreTimedBulkTransfersAreNot() throws Exception {
        Files.writeString(dir.resolve("faults"), "read_error_permille=1000\n");
        try (LocalReplica rep = LocalReplica.create(dir, "r", "v", 8 << 20, 65536)) {
            HeatTracker h = new HeatTracker(8 << 20, 1 << 20, 30);
            MediaLatencyTarget t = new MediaLatencyTarget(rep, h);
            t.write(0, ByteBuffer.allocate(4096), false);
            t.write(1 << 20, ByteBuffer.allocate(1 << 20), false); // a bulk copy's chunk: not a health sample
            t.read(0, ByteBuffer.allocate(4096));
            t.flush();
            MediaLatencyTarget failing = new MediaLatencyTarget(new InjectedFaults(rep, dir.resolve("faults")), h);
            Assertions.assertThatThrownBy(() -> failing.read(0, ByteBuffer.allocate(4096)))
                    .isInstanceOf(IOException.class);
            HeatSnapshot s = h.snapshot();
            assertThat(Arrays.stream(s.latencyBuckets()[IoOp.WRITE.ordinal()]).sum()).isEqualTo(1);
            assertThat(Arrays.stream(s.latencyBuckets()[IoOp.READ.ordinal()]).sum()).isEqualTo(2);
            assertThat(Arrays.stream(s.latencyBuckets()[IoOp.FLUSH.ordinal()]).sum()).isEqualTo(1);
            assertThat(s.errors()).containsEntry(5, 1L);
            assertThat(s.extents()).as("media timing is not heat").isEmpty();
        }
    }
}
