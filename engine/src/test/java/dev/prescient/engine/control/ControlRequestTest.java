package dev.prescient.engine.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlRequestTest {

    @Test
    void parsesEachCommandWithItsArgumentsAndOptions() throws Exception {
        ControlRequest a = ControlRequest.parse("ATTACH rB 10.0.0.2:7000 existing=true");
        assertThat(a.command()).isEqualTo(ControlRequest.Command.ATTACH);
        assertThat(a.args()).containsExactly("rB", "10.0.0.2:7000");
        assertThat(a.flag("existing")).isTrue();

        ControlRequest c = ControlRequest.parse("CATCHUP rB bps=1048576");
        assertThat(c.replicaId(0)).isEqualTo("rB");
        assertThat(c.number("bps", 0)).isEqualTo(1048576);
        assertThat(ControlRequest.parse("CATCHUP rB").number("bps", 7)).isEqualTo(7);

        ControlRequest s = ControlRequest.parse("SWITCH rB rA rC max-pause-ms=250");
        assertThat(s.args()).containsExactly("rB", "rA", "rC");
        assertThat(s.number("max-pause-ms", 0)).isEqualTo(250);

        assertThat(ControlRequest.parse("  STATUS  ").command()).isEqualTo(ControlRequest.Command.STATUS);
        assertThat(ControlRequest.parse("SCRUB bps=0").number("bps", 5)).isZero();
        assertThat(ControlRequest.parse("DETACH r-1.x_2").args()).isEqualTo(List.of("r-1.x_2"));
        assertThat(ControlRequest.parse("ATTACH rB [::1]:7000").args().get(1)).isEqualTo("[::1]:7000");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "status", "FROB x", "STATUS extra", "ATTACH rB", "ATTACH rB host", "ATTACH rB host:99999",
        "ATTACH rB host:70 existing=maybe", "ATTACH ../etc host:70", "ATTACH rB host:70 colour=red",
        "CATCHUP", "CATCHUP rB bps=fast", "CATCHUP rB bps=-5", "CATCHUP rB bps=1 bps=2", "SCRUB rA",
        "SWITCH", "SWITCH rB rB", "SWITCH rB max-pause-ms=1 rA", "SWITCH rB max-pause-ms=0", "DETACH a b",
        "STATUS\u0000", "STATUS \u00e9", "SWITCH rB rA max-pause-ms=99999999999999999999"})
    void refusesMalformedRequestsWithBadRequest(String line) {
        assertThatThrownBy(() -> ControlRequest.parse(line)).isInstanceOfSatisfying(ControlException.class,
                e -> assertThat(e.reason()).isEqualTo("BadRequest"));
    }

    @Test
    void refusesOverlongLines() {
        assertThatThrownBy(() -> ControlRequest.parse("DETACH " + "r".repeat(ControlRequest.MAX_LINE)))
                .isInstanceOf(ControlException.class).hasMessageContaining("longer than");
    }

    @Test
    void answerFieldsAreReadByKey() {
        ControlClient.Answer a = new ControlClient.Answer(true, "pause-us=42 read-source=rB dropped=rA");
        assertThat(a.number("pause-us")).isEqualTo(42);
        assertThat(a.get("dropped")).isEqualTo("rA");
        assertThat(a.get("missing")).isNull();
        assertThat(new ControlClient.Answer(false, "PauseExceeded took too long").reason()).isEqualTo("PauseExceeded");
    }
}
