package dev.prescient.predict.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HarnessTest {
    @Test
    void optionsDefaultToAllSectionsAndTheSharedData(@TempDir Path repo) throws IOException {
        Files.createFile(repo.resolve("mvnw"));
        Files.createDirectories(repo.resolve("predict/src"));
        Harness.Options o = Harness.parse(new String[0], repo.resolve("predict/src"));
        assertThat(o.section()).isEqualTo("all");
        assertThat(o.data()).isEqualTo(repo.resolve("../shared/data").normalize());
        assertThat(o.traces()).isEmpty();
    }

    @Test
    void optionsAreParsedAndValidated(@TempDir Path dir) {
        Harness.Options o = Harness.parse(new String[] {"--data", "/x", "--section", "tiering", "--trace", "/a.lis",
                "--trace", "/b.lis", "--epochs", "50", "--budget", "0.2"}, dir);
        assertThat(o.data()).isEqualTo(Path.of("/x"));
        assertThat(o.traces()).containsExactly(Path.of("/a.lis"), Path.of("/b.lis"));
        assertThat(o.settings().epochs()).isEqualTo(50);
        assertThatThrownBy(() -> Harness.parse(new String[] {"--section", "nope"}, dir)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Harness.parse(new String[] {"--data"}, dir)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Harness.parse(new String[] {"--epochs", "1"}, dir)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absentDataIsSkippedWithAMessage(@TempDir Path empty) throws Exception {
        String out = run(new String[] {"--data", empty.toString(), "--section", "tiering"}, empty);
        assertThat(out).contains("skipped").contains("OLTP.lis").contains("P3.lis");
    }

    @Test
    void tieringRunsOnAnyTraceOfTheSameFormat(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 20_000; i++) {
            sb.append(r.nextInt(10) < 7 ? r.nextInt(300) : 10_000 + i).append(" 1 0 ").append(i).append('\n');
        }
        Path f = dir.resolve("mine.lis");
        Files.writeString(f, sb);
        String out = run(new String[] {"--section", "tiering", "--trace", f.toString()}, dir);
        assertThat(out).contains("trace mine.lis").contains("cache mode").contains("tiering mode")
                .contains("gap closed between LRU and oracle").contains("Belady").contains("Oracle (next epoch)");
    }

    @Test
    void costSectionPrintsItsFigures() {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        CostSection.run(new PrintStream(bo, true, StandardCharsets.UTF_8), 200_000, 500_000);
        String out = bo.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("events scored per second per core").contains("tracked extents")
                .contains("bytes per tracked extent");
    }

    static String run(String[] args, Path cwd) throws Exception {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        Harness.run(Harness.parse(args, cwd), new PrintStream(bo, true, StandardCharsets.UTF_8));
        return bo.toString(StandardCharsets.UTF_8);
    }
}
