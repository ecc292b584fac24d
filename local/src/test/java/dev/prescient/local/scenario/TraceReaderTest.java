package dev.prescient.local.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prescient.local.scenario.TraceReader.Format;
import dev.prescient.local.scenario.TraceReader.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {
    static final Path DATA = Path.of(System.getProperty("prescient.root", "..")).resolve("../shared/data");

    @Test
    void parsesEveryFormat() throws Exception {
        assertThat(TraceReader.parse(Format.ARC, "110765 64 0 0")).contains(new Request(110765L * 512, 64 * 512, false));
        assertThat(TraceReader.parse(Format.MSR, "128166385295514663,hm,0,Write,9056014336,2048,2833"))
                .contains(new Request(9056014336L, 2048, true));
        assertThat(TraceReader.parse(Format.TENCENT, "1538323199,13896880,128,0,1063"))
                .contains(new Request(13896880L * 512, 128 * 512, false));
        assertThat(TraceReader.parse(Format.SYSTOR, "1456095145.133076000,0.000806000,R,0,899056122368,131072"))
                .contains(new Request(899056122368L, 131072, false));
        assertThat(TraceReader.parse(Format.SYSTOR, "Timestamp,Response,IOType,LUN,Offset,Size")).isEmpty();
        assertThatThrownBy(() -> TraceReader.parse(Format.MSR, "1,2"))
                .isInstanceOf(TraceReader.TraceFormatException.class);
    }

    @Test
    void wrapsAroundAtTheEnd(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("t.lis"), "1 1 0 0\n5 2 0 1\n");
        try (TraceReader r = new TraceReader(f, Format.ARC)) {
            assertThat(r.next().offset()).isEqualTo(512);
            assertThat(r.next().length()).isEqualTo(1024);
            assertThat(r.next().offset()).isEqualTo(512);
            assertThat(r.served()).isEqualTo(3);
        }
    }

    @Test
    void readsTheRealSamples() throws Exception {
        assumeTrue(Files.isDirectory(DATA), "../shared/data is absent: real-trace check skipped");
        try (TraceReader r = new TraceReader(DATA.resolve("snia_samples/msr-cambridge1-sample.csv"), Format.MSR)) {
            int writes = 0;
            for (int i = 0; i < 1000; i++) {
                writes += r.next().write() ? 1 : 0;
            }
            assertThat(writes).isBetween(1, 999);
        }
        try (TraceReader r = new TraceReader(DATA.resolve("arc_traces/OLTP.lis"), Format.ARC)) {
            assertThat(r.next()).isEqualTo(new Request(512, 512, false));
        }
    }
}
