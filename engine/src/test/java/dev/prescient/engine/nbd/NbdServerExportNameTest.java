package dev.prescient.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.heat.HeatTracker;
import dev.prescient.engine.heat.IoOp;
import dev.prescient.engine.store.LocalReplica;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NbdServerExportNameTest {
    @TempDir
    Path dir;

    @Test
    void aConsumerSuffixSelectsTheExportAndAttributesItsIo() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r0", "v", 1 << 20, 65536);
             NbdServer server = new NbdServer(1)) {
            HeatTracker heat = new HeatTracker(1 << 20, 1 << 16, 30);
            server.addExport(NbdExport.of("r0", r).withListener("engine-main", heat));

            NbdExport plain = server.export("r0");
            NbdExport tagged = server.export("r0@node:node-b");
            assertThat(plain.consumer()).isEqualTo("engine-main");
            assertThat(tagged.consumer()).isEqualTo("node:node-b");
            assertThat(tagged.target()).isSameAs(plain.target());
            assertThat(tagged.listener()).as("same heat tracker: the volume's heat is one").isSameAs(heat);

            tagged.listener().onIo(tagged.consumer(), IoOp.READ, 0, 4096, 1000, 0);
            assertThat(heat.snapshot().consumers().get("node:node-b").reads()).isEqualTo(1);

            assertThat(server.export("@node:node-c").consumer()).as("the only export, named by its consumer alone")
                    .isEqualTo("node:node-c");
            assertThat(server.export("other@node:node-b")).as("unknown export stays unknown").isNull();
            assertThat(server.export("r0@")).as("an empty consumer is not a name").isNull();
        }
    }
}
