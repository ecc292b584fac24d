package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Which replica a publish hands out, and the list pages of ListVolumes / ListSnapshots. */
class PrimaryReplicaTest {
    static final VolumeRecord V = new VolumeRecord("pv-1", "pvc-1", 1L << 30, Map.of(), "", "", "node-a", "zone-1",
            "default", 1, "", "Ready", Set.of(), Set.of());

    static Replica r(String id, String node, ReplicaState s) {
        return Replica.newBuilder().setReplicaId(id).setNodeId(node).setVolumeId("pv-1").setState(s).build();
    }

    static final Replica R0 = r("pv-1-r0", "node-a", ReplicaState.REPLICA_STATE_SYNCING);
    static final Replica FAST = r("pv-1-fast", "node-a", ReplicaState.REPLICA_STATE_HEALTHY);
    static final Replica B = r("pv-1-b", "node-b", ReplicaState.REPLICA_STATE_HEALTHY);
    static final Replica C = r("pv-1-c", "node-c", ReplicaState.REPLICA_STATE_HEALTHY);

    final AtomicInteger asked = new AtomicInteger();

    Supplier<List<Replica>> everywhere(Replica... rs) {
        return () -> {
            asked.incrementAndGet();
            return List.of(rs);
        };
    }

    @Test
    void theCreatedReplicaWinsWhateverItsStateAndNoOtherNodeIsAsked() {
        assertThat(PrimaryReplica.choose(V, List.of(FAST, R0), everywhere(B))).isEqualTo(R0);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aMovedVolumeGoesToItsOneHealthyReplicaOnTheNodeElseAnywhere() {
        Replica syncing = r("pv-1-mid", "node-a", ReplicaState.REPLICA_STATE_SYNCING);
        assertThat(PrimaryReplica.choose(V, List.of(syncing, FAST), everywhere(B))).isEqualTo(FAST);
        assertThat(asked).hasValue(0);
        assertThat(PrimaryReplica.choose(V, List.of(syncing), everywhere(syncing, B))).isEqualTo(B);
        assertThat(asked).hasValue(1);
    }

    @Test
    void noneOrSeveralCandidatesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> PrimaryReplica.choose(V, List.of(), everywhere()))
                .isInstanceOfSatisfying(CsiException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.reason()).isEqualTo("ReplicaMissing");
                }).hasMessageContaining("no healthy replica");
        assertThatThrownBy(() -> PrimaryReplica.choose(V, List.of(), everywhere(B, C)))
                .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.reason()).isEqualTo("ReplicaAmbiguous"))
                .hasMessageContaining("pv-1-b@node-b").hasMessageContaining("pv-1-c@node-c");
    }

    @Test
    void pagesResumeAfterTheTokenAndRefuseAForeignOne() {
        List<String> ids = List.of("pv-a", "pv-b", "pv-c");
        Page<String> first = Page.of(ids, s -> s, "", 2);
        assertThat(first.items()).containsExactly("pv-a", "pv-b");
        assertThat(first.nextToken()).isEqualTo("pv-b");
        Page<String> rest = Page.of(ids, s -> s, first.nextToken(), 2);
        assertThat(rest.items()).containsExactly("pv-c");
        assertThat(rest.nextToken()).isEmpty();
        assertThat(Page.of(List.of("pv-a", "pv-c"), s -> s, "pv-b", 0).items()).as("the token's entry was deleted")
                .containsExactly("pv-c");
        assertThatThrownBy(() -> Page.of(ids, s -> s, "xyz", 1))
                .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
        assertThatThrownBy(() -> Page.of(ids, s -> s, "", -1)).isInstanceOf(CsiException.class)
                .hasMessageContaining("max_entries");
    }
}
