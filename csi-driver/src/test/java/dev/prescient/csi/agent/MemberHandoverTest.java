package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.control.Membership;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberHandoverTest {
    static final Membership.Remote R2 = new Membership.Remote("r2", "10.0.0.2:7001", true);
    static final Membership.Remote R3 = new Membership.Remote("r3", "10.0.0.1:7003", true);
    static final Membership.Remote R4 = new Membership.Remote("r4", "10.0.0.3:7004", false);

    static Membership switched(Membership.Remote... remotes) {
        return new Membership("vol", 1 << 20, "r1", true, List.of(remotes));
    }

    @Test
    void theRecordedReadSourceOfThisNodeInheritsEveryOtherMember() {
        var h = MemberHandover.plan(switched(R2, R3, R4), Optional.of("r3"), Set.of("r3")::contains).orElseThrow();
        assertThat(h.successor()).isEqualTo("r3");
        assertThat(h.members()).containsExactly(R2, R4);
    }

    @Test
    void aFrontEndThatStillHadItsOwnReplicaHandsNothingOver() {
        Membership own = new Membership("vol", 1 << 20, "r1", false, List.of(R2, R3));
        assertThat(MemberHandover.plan(own, Optional.of("r3"), Set.of("r3")::contains)).isEmpty();
        assertThat(MemberHandover.plan(null, Optional.of("r3"), Set.of("r3")::contains)).isEmpty();
    }

    @Test
    void aReadSourceOnAnotherNodeOrOutsideTheSetIsNotTakenHere() {
        assertThat(MemberHandover.plan(switched(R2, R3), Optional.of("r3"), Set.of("r2")::contains)).isEmpty();
        assertThat(MemberHandover.plan(switched(R2), Optional.of("r3"), Set.of("r3")::contains)).isEmpty();
    }

    @Test
    void aSetWithOnlyTheReadSourceLeftHasNothingToHandOver() {
        assertThat(MemberHandover.plan(switched(R3), Optional.of("r3"), Set.of("r3")::contains)).isEmpty();
    }

    @Test
    void withoutARecordTheOneInSyncMemberOfThisNodeIsTheReadSource() {
        var h = MemberHandover.plan(switched(R2, R3, R4), Optional.empty(), Set.of("r3", "r4")::contains).orElseThrow();
        assertThat(h.successor()).isEqualTo("r3");
        assertThat(h.members()).containsExactly(R2, R4);
        // Two in-sync candidates here: which one serves is unknown, so none is guessed.
        assertThat(MemberHandover.plan(switched(R2, R3), Optional.empty(), Set.of("r2", "r3")::contains)).isEmpty();
    }

    @Test
    void theInheritFileRoundTripsAndRejectsGarbage() throws IOException {
        String text = MemberHandover.format(List.of(R2, R4));
        assertThat(text).isEqualTo("remote r2 10.0.0.2:7001\nremote r4 10.0.0.3:7004\n");
        assertThat(MemberHandover.parse(text)).containsExactly(new Membership.Remote("r2", "10.0.0.2:7001", false),
                new Membership.Remote("r4", "10.0.0.3:7004", false));
        assertThat(MemberHandover.parse("\n")).isEmpty();
        assertThatThrownBy(() -> MemberHandover.parse("remote r2\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("remote r2");
        assertThatThrownBy(() -> MemberHandover.parse("member r2 h:1\n")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MemberHandover.parse("remote r2 noport\n")).isInstanceOf(IOException.class);
    }

    static Optional<MemberHandover.ReadSource> at(String id, String agent) {
        return Optional.of(new MemberHandover.ReadSource(id, agent));
    }

    @Test
    void aReadSourceOnAnotherNodeWhoseAgentTheSwitchNamedGetsTheOtherMembersThere() {
        var h = MemberHandover.planFrom(switched(R2, R3, R4), at("r3", "10.0.0.9:7443"), Set.<String>of()::contains)
                .orElseThrow();
        assertThat(h.successor()).isEqualTo("r3");
        assertThat(h.agent()).isEqualTo("10.0.0.9:7443");
        assertThat(h.members()).containsExactly(R2, R4);
    }

    @Test
    void aRemoteReadSourceWithoutAnAgentOutsideTheSetOrAloneIsNotHandedTo() {
        assertThat(MemberHandover.planFrom(switched(R2, R3), at("r3", ""), Set.<String>of()::contains)).isEmpty();
        assertThat(MemberHandover.planFrom(switched(R2), at("r3", "10.0.0.9:7443"), Set.<String>of()::contains))
                .isEmpty();
        assertThat(MemberHandover.planFrom(switched(R3), at("r3", "10.0.0.9:7443"), Set.<String>of()::contains))
                .isEmpty();
        Membership own = new Membership("vol", 1 << 20, "r1", false, List.of(R2, R3));
        assertThat(MemberHandover.planFrom(own, at("r3", "10.0.0.9:7443"), Set.<String>of()::contains)).isEmpty();
    }

    @Test
    void aReadSourceOfThisNodeIsHandedToHereEvenWhenTheSwitchNamedAnAgent() {
        // A same-node move whose caller named the node's own agent: the local engine takes the members.
        var h = MemberHandover.planFrom(switched(R2, R3), at("r3", "10.0.0.1:7443"), Set.of("r3")::contains)
                .orElseThrow();
        assertThat(h.agent()).isEmpty();
        assertThat(h.members()).containsExactly(R2);
    }

    @Test
    void theReadSourceRecordRoundTripsOldAndNewForms() throws IOException {
        assertThat(MemberHandover.ReadSource.parse("r3\n")).isEqualTo(new MemberHandover.ReadSource("r3", ""));
        var remote = new MemberHandover.ReadSource("rB", "10.0.0.9:7443");
        assertThat(remote.format()).isEqualTo("rB 10.0.0.9:7443\n");
        assertThat(MemberHandover.ReadSource.parse(remote.format())).isEqualTo(remote);
        assertThatThrownBy(() -> MemberHandover.ReadSource.parse("rB nohost")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MemberHandover.ReadSource.parse("  ")).isInstanceOf(IOException.class);
    }

    @Test
    void theHandOffRecordRoundTripsAndRejectsGarbage() throws IOException {
        var h = new MemberHandover("rB", "10.0.0.9:7443", List.of(R2, R4));
        String text = MemberHandover.formatHandOff(h);
        assertThat(text).isEqualTo("to rB 10.0.0.9:7443\nremote r2 10.0.0.2:7001\nremote r4 10.0.0.3:7004\n");
        var back = MemberHandover.parseHandOff(text);
        assertThat(back.successor()).isEqualTo("rB");
        assertThat(back.agent()).isEqualTo("10.0.0.9:7443");
        assertThat(back.members()).extracting(Membership.Remote::replicaId).containsExactly("r2", "r4");
        assertThatThrownBy(() -> MemberHandover.parseHandOff("remote r2 10.0.0.2:7001\n"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MemberHandover.formatHandOff(new MemberHandover("r3", List.of(R2))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
