package dev.prescient.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path f = dir.resolve("r1.frontend");
        AtomicFiles.write(f, "a 1\n");
        AtomicFiles.write(f, "b 2\n");
        assertThat(Files.readString(f)).isEqualTo("b 2\n");
        assertThat(AtomicFiles.tmpFor(f)).doesNotExist();
    }

    @Test
    void aCrashBetweenWriteAndRenameLeavesTheOldContentAndTheNextWriteWins() throws Exception {
        Path f = dir.resolve("r1.read-source");
        AtomicFiles.write(f, "old\n");
        // What a crash after the temporary file was written (longer than the new content) leaves behind.
        Files.writeString(AtomicFiles.tmpFor(f), "half-written and longer than what comes next");
        assertThat(Files.readString(f)).isEqualTo("old\n");
        AtomicFiles.write(f, "new\n");
        assertThat(Files.readString(f)).isEqualTo("new\n");
        assertThat(AtomicFiles.tmpFor(f)).doesNotExist();
    }

    @Test
    void writesProperties() throws Exception {
        Path f = dir.resolve("v.properties");
        Properties p = new Properties();
        p.setProperty("device", "/dev/loop7");
        AtomicFiles.write(f, p, null);
        Properties back = new Properties();
        try (var in = Files.newInputStream(f)) {
            back.load(in);
        }
        assertThat(back.getProperty("device")).isEqualTo("/dev/loop7");
    }
}
