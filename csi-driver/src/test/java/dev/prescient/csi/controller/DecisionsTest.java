package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The controller's pure decisions: sizing, placement, StorageClass parameters. */
class DecisionsTest {
    static final long MIB = 1L << 20;
    final VolumeSizing sizing = new VolumeSizing(1L << 40);

    @ParameterizedTest(name = "required={0} limit={1} -> {2}")
    @CsvSource({
        "0, 0, 1073741824",
        "1, 0, 1048576",
        "1048576, 0, 1048576",
        "1048577, 0, 2097152",
        "0, 4194304, 4194304",
        "1000, 5000, 4096",
        "1073741824, 1073741824, 1073741824"})
    void sizes(long required, long limit, long expected) {
        assertThat(sizing.decide(required, limit)).isEqualTo(expected);
    }

    static Status.Code codeOf(Runnable r) {
        try {
            r.run();
            return Status.Code.OK;
        } catch (CsiException e) {
            return e.code();
        }
    }

    @Test
    void sizingErrors() {
        assertThat(codeOf(() -> sizing.decide(-1, 0))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> sizing.decide(10, 5))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> sizing.decide((1L << 40) + 1, 0))).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(codeOf(() -> sizing.decide(100, 200))).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(VolumeSizing.satisfies(MIB, MIB, 0)).isTrue();
        assertThat(VolumeSizing.satisfies(2 * MIB, MIB, MIB)).isFalse();
    }

    final List<Placement.Candidate> nodes = List.of(new Placement.Candidate("a", "z1", 10 * MIB),
            new Placement.Candidate("b", "z1", 50 * MIB), new Placement.Candidate("c", "z2", 30 * MIB));

    @Test
    void placementPrefersPreferredThenFreeSpace() {
        assertThat(Placement.rank(nodes, List.of(), List.of(), MIB)).extracting(Placement.Candidate::nodeId)
                .containsExactly("b", "c", "a");
        assertThat(Placement.rank(nodes, List.of(), List.of(Map.of(Placement.ZONE_KEY, "z2")), MIB))
                .extracting(Placement.Candidate::nodeId).containsExactly("c", "b", "a");
        assertThat(Placement.rank(nodes, List.of(Map.of(Placement.ZONE_KEY, "z1")),
                List.of(Map.of(Placement.NODE_KEY, "a")), MIB)).extracting(Placement.Candidate::nodeId)
                .containsExactly("a", "b");
        assertThat(Placement.rank(nodes, List.of(), List.of(), 20 * MIB)).extracting(Placement.Candidate::nodeId)
                .containsExactly("b", "c");
    }

    @Test
    void placementWithNoEligibleNodeIsResourceExhausted() {
        assertThat(codeOf(() -> Placement.rank(nodes, List.of(Map.of(Placement.ZONE_KEY, "z9")), List.of(), MIB)))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(codeOf(() -> Placement.rank(nodes, List.of(), List.of(), 60 * MIB)))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        // A segment with a key we do not know matches nobody.
        assertThat(codeOf(() -> Placement.rank(nodes, List.of(Map.of("rack", "r1")), List.of(), MIB)))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void storageClassParameters() {
        assertThat(StorageParams.parse(Map.of())).isEqualTo(new StorageParams("", "default", 1));
        assertThat(StorageParams.parse(Map.of("mirrorPolicy", "hot", "tier", "nvme", "replicas", "3",
                "csi.storage.k8s.io/pvc/name", "data"))).isEqualTo(new StorageParams("hot", "nvme", 3));
        for (var bad : List.of(Map.of("replicas", "0"), Map.of("replicas", "6"), Map.of("replicas", "two"),
                Map.of("tierr", "nvme"))) {
            assertThatThrownBy(() -> StorageParams.parse(bad)).as(bad.toString()).isInstanceOf(CsiException.class)
                    .extracting(e -> ((CsiException) e).code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void volumeIdsFollowFromNames() {
        assertThat(ControllerService.volumeIdFor("a")).isEqualTo(ControllerService.volumeIdFor("a"))
                .isNotEqualTo(ControllerService.volumeIdFor("b")).startsWith("pv-");
        assertThat(ControllerService.snapshotIdFor("a")).startsWith("snap-");
    }

    @Test
    void agentListParses() {
        assertThat(StaticNodeAgents.parse("n1=10.0.0.1:7443@z1, n2=[::1]:7443@z2")).containsExactly(
                new NodeAgents.AgentNode("n1", "z1", "10.0.0.1:7443"), new NodeAgents.AgentNode("n2", "z2", "[::1]:7443"));
        assertThatThrownBy(() -> StaticNodeAgents.parse("n1:7443")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownTierIsInvalidAndNamesTheTiersThatExist() {
        assertThatThrownBy(() -> Placement.requireKnownTier("gold", java.util.Set.of("nvme", "hdd", "ssd")))
                .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessage("StorageClass parameter tier 'gold' is not a tier of any node; the tiers that exist: hdd, nvme, ssd");
        Placement.requireKnownTier("hdd", java.util.Set.of("nvme", "hdd"));
        // No node answered: nothing is known about tiers, placement reports the lack of nodes instead.
        Placement.requireKnownTier("gold", java.util.Set.of());
    }
}
