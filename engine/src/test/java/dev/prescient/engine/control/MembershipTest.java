package dev.prescient.engine.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembershipTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsThroughItsFileAndReadsNothingWhenAbsent() throws Exception {
        Path f = dir.resolve("r.members");
        assertThat(Membership.read(f)).isNull();
        Membership m = new Membership("vol", 1 << 30, "rA", true, List.of(
                new Membership.Remote("rB", "10.0.0.2:7000", true), new Membership.Remote("rC", "[::1]:7001", false)));
        m.write(f);
        assertThat(Membership.read(f)).isEqualTo(m);
        assertThat(Files.exists(dir.resolve("r.members.tmp"))).isFalse();
    }

    @Test
    void refusesADamagedFile() throws Exception {
        Path f = dir.resolve("bad.members");
        Files.writeString(f, "volume vol 10\nlocal rA member\nremote rB\n");
        assertThatThrownBy(() -> Membership.read(f)).isInstanceOf(IOException.class).hasMessageContaining("malformed");
        Files.writeString(f, "remote rB h:1 in-sync\n");
        assertThatThrownBy(() -> Membership.read(f)).isInstanceOf(IOException.class).hasMessageContaining("no volume");
    }
}
