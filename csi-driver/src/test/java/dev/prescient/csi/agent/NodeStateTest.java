package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.engine.io.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's per-replica records: atomic replacement, the old files migrated, unreadable records left alone. */
class NodeStateTest {
    static final NodeRecord.Member M2 = new NodeRecord.Member("r2", "10.0.0.2:7001");
    static final NodeRecord.Member M4 = new NodeRecord.Member("r4", "10.0.0.4:7001");

    @Test
    void everyFieldSurvivesAWriteAndARead(@TempDir Path dir) throws Exception {
        NodeState s = new NodeState(dir);
        NodeRecord r = NodeRecord.EMPTY.withPort(40123).withReplicationPort(40124).withMetricsPort(40125)
                .withFrontEnd(new NodeRecord.Peer("r9", "10.0.0.9:7443")).withFrontEndOnly(true)
                .withFilling("10.0.0.9:7443 r9").withReadSource(new NodeRecord.Peer("r3", ""))
                .withHandOff(new NodeRecord.HandOff("r5", "10.0.0.5:7443", List.of(M2)))
                .withHandedTo(new NodeRecord.Peer("r6", "10.0.0.6:7443")).withInherit(List.of(M2, M4));
        s.update("r1", x -> r);
        assertThat(new NodeState(dir).get("r1")).isEqualTo(r);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r1.state.json").toFile());
        assertThat(json.path("version").asInt()).isEqualTo(NodeRecord.CURRENT);
        assertThat(json.at("/frontEnd/agent").asText()).isEqualTo("10.0.0.9:7443");
        assertThat(json.at("/inherit/1/endpoint").asText()).isEqualTo("10.0.0.4:7001");

        s.update("r1", x -> NodeRecord.EMPTY);
        assertThat(dir.resolve("r1.state.json")).as("an emptied record is removed").doesNotExist();
        assertThat(s.find("r1")).isEmpty();
    }

    @Test
    void aCrashBetweenWriteAndRenameLeavesTheOldRecord(@TempDir Path dir) throws Exception {
        NodeState s = new NodeState(dir);
        s.update("r1", r -> r.withPort(40123).withReadSource(new NodeRecord.Peer("r2", "")));
        // What AtomicFiles leaves when the process dies after writing and syncing the new content, before the
        // rename: the whole new record beside the old one; and a torn one when it died while writing.
        Path tmp = AtomicFiles.tmpFor(dir.resolve("r1.state.json"));
        Files.writeString(tmp, "{\"version\":1,\"port\":40999}");
        NodeState after = new NodeState(dir);
        assertThat(after.get("r1").port()).isEqualTo(40123);
        assertThat(after.get("r1").readSource()).isEqualTo(new NodeRecord.Peer("r2", ""));
        assertThat(after.all()).containsOnlyKeys("r1");
        Files.writeString(tmp, "{\"version\":1,\"po");
        assertThat(new NodeState(dir).get("r1").port()).isEqualTo(40123);

        after.update("r1", r -> r.withReadSource(null));
        assertThat(after.get("r1")).isEqualTo(NodeRecord.EMPTY.withPort(40123));
        assertThat(tmp).as("the next write replaced the stale temp file").doesNotExist();
    }

    @Test
    void anOldFormatDirectoryIsMigratedOnceAndTheEnginesFilesAreLeft(@TempDir Path dir) throws Exception {
        // A run directory as agents before the records left it: one file per kind, in their formats.
        Files.writeString(dir.resolve("r1.port"), "40123\n");
        Files.writeString(dir.resolve("r1.rport"), "40124\n");
        Files.writeString(dir.resolve("r1.frontend"), "10.0.0.9:7443 r9");
        Files.writeString(dir.resolve("r1.filling"), "10.0.0.9:7443 r9");
        Files.writeString(dir.resolve("r0.frontend-only"), "");
        Files.writeString(dir.resolve("r0.read-source"), "r5 10.0.0.5:7443\n");
        Files.writeString(dir.resolve("r0.hand-off"), "to r5 10.0.0.5:7443\nremote r2 10.0.0.2:7001\n");
        Files.writeString(dir.resolve("r7.handed-to"), "r3\n");
        Files.writeString(dir.resolve("r3.inherit"), "remote r2 10.0.0.2:7001\nremote r4 10.0.0.4:7001\n");
        // The engine's own files: not the agent's to move.
        Files.writeString(dir.resolve("r1.pid"), "4242\n");
        Files.writeString(dir.resolve("r1.members"), "volume v 1048576\nlocal r1 member\n");
        Files.writeString(dir.resolve("r1.log"), "engine output\n");

        NodeState s = new NodeState(dir);
        assertThat(s.get("r1")).isEqualTo(NodeRecord.EMPTY.withPort(40123).withReplicationPort(40124)
                .withFrontEnd(new NodeRecord.Peer("r9", "10.0.0.9:7443")).withFilling("10.0.0.9:7443 r9"));
        assertThat(s.get("r0")).isEqualTo(NodeRecord.EMPTY.withFrontEndOnly(true)
                .withReadSource(new NodeRecord.Peer("r5", "10.0.0.5:7443"))
                .withHandOff(new NodeRecord.HandOff("r5", "10.0.0.5:7443", List.of(M2))));
        assertThat(s.get("r7").handedTo()).isEqualTo(new NodeRecord.Peer("r3", ""));
        assertThat(s.get("r3").inherit()).containsExactly(M2, M4);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).containsExactly(
                    "r0.state.json", "r1.log", "r1.members", "r1.pid", "r1.state.json", "r3.state.json",
                    "r7.state.json");
        }
        assertThat(s.ids(r -> r.frontEndOnly() != null)).containsExactly("r0");
    }

    @Test
    void aMigrationInterruptedAfterTheRecordWasWrittenIsRepeatedWithTheSameResult(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("r1.port"), "40123\n");
        Files.writeString(dir.resolve("r1.frontend"), "10.0.0.9:7443 r9");
        new NodeState(dir);
        NodeRecord migrated = new NodeState(dir).get("r1");
        // The crash came before the old files were removed: they are back beside the record.
        Files.writeString(dir.resolve("r1.port"), "40123\n");
        Files.writeString(dir.resolve("r1.frontend"), "10.0.0.9:7443 r9");
        assertThat(new NodeState(dir).get("r1")).isEqualTo(migrated);
        assertThat(dir.resolve("r1.port")).doesNotExist();
        assertThat(dir.resolve("r1.frontend")).doesNotExist();
    }

    @Test
    void anOldFileThatDoesNotParseStaysAndTheRestIsMigrated(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("r1.port"), "40123\n");
        Files.writeString(dir.resolve("r1.frontend"), "no-agent-here");
        Files.writeString(dir.resolve("r2.inherit"), "member r2\n");
        NodeState s = new NodeState(dir);
        assertThat(s.get("r1")).isEqualTo(NodeRecord.EMPTY.withPort(40123));
        assertThat(dir.resolve("r1.frontend")).as("kept for a person to look at").hasContent("no-agent-here");
        assertThat(dir.resolve("r2.inherit")).exists();
        assertThat(s.find("r2")).isEmpty();
    }

    @Test
    void aCorruptRecordIsRefusedNamedAndNeverOverwrittenWhileTheOthersWork(@TempDir Path dir) throws Exception {
        NodeState s = new NodeState(dir);
        s.update("r1", r -> r.withPort(40001));
        s.update("r2", r -> r.withPort(40002));
        Path bad = dir.resolve("r2.state.json");
        Files.writeString(bad, "{\"version\":1,\"port\":");

        assertThatThrownBy(() -> s.get("r2")).isInstanceOf(NodeState.RecordException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> s.update("r2", r -> r.withPort(40003)))
                .isInstanceOf(NodeState.RecordException.class);
        assertThat(bad).as("left for repair, not replaced").hasContent("{\"version\":1,\"port\":");
        assertThat(s.all()).containsOnlyKeys("r1");
        assertThat(s.ids(r -> r.port() != null)).containsExactly("r1");
        assertThat(s.update("r1", r -> r.withReplicationPort(41001)).port()).isEqualTo(40001);

        Files.writeString(bad, "{\"port\":40002}");
        assertThatThrownBy(() -> s.get("r2")).hasMessageContaining("no integer \"version\"");
        Files.writeString(bad, "{\"version\":1,\"port\":40002,\"colour\":\"red\"}");
        assertThatThrownBy(() -> s.get("r2")).isInstanceOf(NodeState.RecordException.class)
                .hasMessageContaining("colour");
        Files.writeString(bad, "{\"version\":1,\"frontEnd\":{\"agent\":\"10.0.0.9:7443\"}}");
        assertThatThrownBy(() -> s.get("r2")).isInstanceOf(NodeState.RecordException.class)
                .hasMessageContaining("replica id");
    }

    @Test
    void aRecordOfANewerVersionIsRefusedClearly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r1.state.json");
        Files.writeString(f, "{\"version\":2,\"port\":40123,\"somethingNew\":true}");
        NodeState s = new NodeState(dir);
        assertThatThrownBy(() -> s.get("r1")).isInstanceOf(NodeState.RecordException.class)
                .hasMessageContaining("format version 2").hasMessageContaining("newer than this agent's 1");
        assertThatThrownBy(() -> s.update("r1", r -> NodeRecord.EMPTY)).isInstanceOf(NodeState.RecordException.class);
        assertThat(f).as("the newer agent's record is kept").hasContent("{\"version\":2,\"port\":40123,"
                + "\"somethingNew\":true}");
        // An old file of that id is not folded into a record this agent cannot read.
        Files.writeString(dir.resolve("r1.rport"), "40124\n");
        new NodeState(dir);
        assertThat(dir.resolve("r1.rport")).exists();
    }

    @Test
    void anExportKeepsThePortAnOlderAgentRecorded(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("r1.port"), "40123\n");
        EngineExports exports = new EngineExports(run, "127.0.0.1", Map.of("default", dir.resolve("tier")), 1000);
        assertThat(exports.uriIfKnown("r1")).isEqualTo(Optional.of("nbd://127.0.0.1:40123"));
        assertThat(exports.port("r1")).isEqualTo(40123);
        String endpoint = exports.replicationEndpoint("r1");
        assertThat(exports.replicationEndpoint("r1")).as("kept").isEqualTo(endpoint);
        assertThat(run.resolve("r1.port")).doesNotExist();
        exports.forget("r1");
        assertThat(exports.uriIfKnown("r1")).isEmpty();
        assertThat(run.resolve("r1.state.json")).doesNotExist();
    }
}
