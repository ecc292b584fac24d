package dev.prescient.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.store.LocalReplica;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrubberTest {
    @TempDir
    Path dir;

    @Test
    void mismatchIsFoundRepairedAndReported() throws Exception {
        long size = 8 << 20;
        LocalReplica a = LocalReplica.create(dir, "a", "v", size, 65536);
        LocalReplica b = LocalReplica.create(dir, "b", "v", size, 65536);
        try (ReplicaSet set = new ReplicaSet("v", size, 4096)) {
            set.addInSync("a", a, true);
            set.addInSync("b", b, false);
            byte[] d = new byte[1 << 20];
            new Random(1).nextBytes(d);
            set.write(2 << 20, ByteBuffer.wrap(d), true);
            // bit rot on b behind the engine's back
            b.write((2 << 20) + 777, ByteBuffer.wrap(new byte[]{(byte) ~d[777]}), true);
            Scrubber.Report r = new Scrubber(set, 1 << 20, 0).scrubOnce();
            assertThat(r.extentsCompared()).isEqualTo(1); // holes everywhere else are skipped
            assertThat(r.mismatches()).containsExactly(new Scrubber.Mismatch(2 << 20, 1 << 20, "b", true));
            ByteBuffer back = ByteBuffer.allocate(1 << 20);
            b.read(2 << 20, back);
            assertThat(back.array()).isEqualTo(d);
            assertThat(new Scrubber(set, 1 << 20, 0).scrubOnce().mismatches()).isEmpty();
        }
    }
}
