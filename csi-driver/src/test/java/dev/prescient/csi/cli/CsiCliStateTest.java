package dev.prescient.csi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.csi.agent.NodeRecord;
import dev.prescient.csi.agent.NodeState;
import dev.prescient.engine.io.AtomicFiles;
import dev.prescient.engine.store.ReplicaStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** csi-cli state: a node's replicas, run records and staged volumes from its files, as a table and as JSON. */
class CsiCliStateTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... argv) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return CsiCli.run(argv, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void printsEveryRecordOfANodeByVolume(@TempDir Path state) throws Exception {
        // A replica in the node's default tier layout, its engine's records, a front-end whose replica lives
        // elsewhere (known here only by its members record), and a staged volume.
        try (ReplicaStore store = new ReplicaStore(Map.of("default", state.resolve("tiers/default")))) {
            store.create("vol1-r0", "vol1", "default", 16 << 20).close();
        }
        Path run = Files.createDirectories(state.resolve("run/engine"));
        AtomicFiles.write(run.resolve("vol1-r0.pid"), ProcessHandle.current().pid() + "\n");
        AtomicFiles.write(run.resolve("vol1-r0.port"), "40123\n");
        AtomicFiles.write(run.resolve("vol1-r0.frontend"), "10.0.0.2:7443 vol1-r9");
        AtomicFiles.write(run.resolve("vol1-r0.log"), "engine output\n");
        AtomicFiles.write(run.resolve("vol2-r1.members"), "volume vol2 1048576\nlocal vol2-r1 dropped\n");
        AtomicFiles.write(run.resolve("vol2-r1.read-source"), "vol2-r2 10.0.0.3:7443");
        Files.writeString(run.resolve("vol2-r1.read-source.tmp"), "torn");
        Path staged = Files.createDirectories(state.resolve("staged"));
        Files.writeString(staged.resolve("vol1.properties"), "volumeId=vol1\ndevice=/dev/loop7\nmethod=nbdfuse\n"
                + "fsType=ext4\nstagingPath=/var/lib/kubelet/plugins/x/vol1\n");

        assertThat(run("state", "--state-dir", state.toString())).as(err.toString()).isZero();
        String table = out.toString();
        assertThat(table).contains("VOLUME", "REPLICA", "RECORDS");
        assertThat(table.lines().filter(l -> l.startsWith("vol1 ")).findFirst().orElseThrow())
                .contains("vol1-r0", "default", "16Mi", "running", "port=40123", "frontend=10.0.0.2:7443 vol1-r9",
                        "pid=" + ProcessHandle.current().pid())
                .doesNotContain("engine output");
        assertThat(table.lines().filter(l -> l.startsWith("vol2 ")).findFirst().orElseThrow())
                .contains("vol2-r1", "read-source=vol2-r2 10.0.0.3:7443", "members=volume vol2 1048576; local vol2-r1 dropped")
                .doesNotContain("torn");
        assertThat(table).contains("STAGED VOLUME", "/dev/loop7", "nbdfuse");

        assertThat(run("state", "--state-dir", state.toString(), "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        JsonNode r0 = json.at("/volumes/vol1/0");
        assertThat(r0.path("id").asText()).isEqualTo("vol1-r0");
        assertThat(r0.path("sizeBytes").asLong()).isEqualTo(16 << 20);
        assertThat(r0.path("engineRunning").asBoolean()).isTrue();
        assertThat(r0.at("/records/frontend").asText()).isEqualTo("10.0.0.2:7443 vol1-r9");
        assertThat(json.at("/volumes/vol2/0/records/read-source").asText()).isEqualTo("vol2-r2 10.0.0.3:7443");
        assertThat(json.at("/staged/0/device").asText()).isEqualTo("/dev/loop7");
    }

    @Test
    void printsTheAgentsRecordsAndAnUnreadableOneAsSuch(@TempDir Path state) throws Exception {
        Path run = Files.createDirectories(state.resolve("run/engine"));
        NodeState s = new NodeState(run);
        s.update("vol1-r0", r -> r.withPort(40123).withFrontEnd(new NodeRecord.Peer("vol1-r9", "10.0.0.2:7443")));
        s.update("vol2-r1", r -> r.withReadSource(new NodeRecord.Peer("vol2-r2", "10.0.0.3:7443"))
                .withHandOff(new NodeRecord.HandOff("vol2-r2", "10.0.0.3:7443",
                        List.of(new NodeRecord.Member("vol2-r5", "10.0.0.5:7001")))));
        AtomicFiles.write(run.resolve("vol2-r1.members"), "volume vol2 1048576\nlocal vol2-r1 dropped\n");
        Files.writeString(run.resolve("vol3-r1.state.json"), "{\"version\":7}");
        AtomicFiles.write(run.resolve("vol3-r1.members"), "volume vol3 1048576\nlocal vol3-r1 member\n");

        assertThat(run("state", "--state-dir", state.toString())).as(err.toString()).isZero();
        String table = out.toString();
        assertThat(table.lines().filter(l -> l.contains("vol1-r0")).findFirst().orElseThrow())
                .contains("port=40123", "frontend=10.0.0.2:7443 vol1-r9");
        assertThat(table.lines().filter(l -> l.startsWith("vol2 ")).findFirst().orElseThrow())
                .contains("read-source=vol2-r2 10.0.0.3:7443", "hand-off=to vol2-r2 10.0.0.3:7443; remote vol2-r5");
        assertThat(table.lines().filter(l -> l.startsWith("vol3 ")).findFirst().orElseThrow())
                .contains("state=(unreadable:", "format version 7");
        assertThat(run.resolve("vol3-r1.state.json")).as("the report only reads").hasContent("{\"version\":7}");

        assertThat(run("state", "--state-dir", state.toString(), "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.at("/volumes/?/0/records/frontend").asText()).isEqualTo("10.0.0.2:7443 vol1-r9");
        assertThat(json.at("/volumes/vol2/0/records/read-source").asText()).isEqualTo("vol2-r2 10.0.0.3:7443");
    }

    @Test
    void aMissingStateDirectoryIsAUsageError(@TempDir Path dir) {
        assertThat(run("state", "--state-dir", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no state directory");
    }
}
