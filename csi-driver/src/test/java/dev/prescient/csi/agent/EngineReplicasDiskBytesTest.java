package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineReplicasDiskBytesTest {
    @TempDir
    Path dir;

    @Test
    void aReplicaDeletedWhileListedOccupiesNothingInsteadOfFailingTheCall() throws Exception {
        Path img = dir.resolve("r.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(64L << 20); // sparse
            f.write(new byte[1 << 20]);
        }
        assertThat(EngineReplicas.diskBytes(img)).isBetween(1L << 20, 2L << 20);
        assertThat(EngineReplicas.diskBytes(dir.resolve("gone.img"))).isZero();
    }
}
