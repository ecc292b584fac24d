package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetUnixTest {
    static final String BOUND = "/var/lib/prescient/run/engine/.r1.nbd.sock.bind/s";

    @Test
    void countsTheListenersAcceptedConnectionsOnly() {
        List<String> table = List.of(
                "Num       RefCount Protocol Flags    Type St Inode Path",
                // the listener: unconnected, accepting
                "0000000000000000: 00000002 00000000 00010000 0001 01 41001 " + BOUND,
                // two accepted connections carry the listener's name
                "0000000000000000: 00000003 00000000 00000000 0001 03 41002 " + BOUND,
                "0000000000000000: 00000003 00000000 00000000 0001 03 41003 " + BOUND,
                // the clients' ends are unnamed
                "0000000000000000: 00000003 00000000 00000000 0001 03 41004",
                // another engine's connection
                "0000000000000000: 00000003 00000000 00000000 0001 03 41005 /var/lib/prescient/run/engine/.r2.nbd.sock.bind/s",
                // a connection being set up
                "0000000000000000: 00000002 00000000 00000000 0001 02 41006 " + BOUND);
        assertThat(ProcNetUnix.connected(table, BOUND)).isEqualTo(2);
        assertThat(ProcNetUnix.connected(table.subList(0, 2), BOUND)).isZero();
    }
}
