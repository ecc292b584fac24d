package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetTcpTest {
    static final List<String> TABLE = List.of(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            // listening socket on 0x8A5D = 35421: not a client
            "   0: 0100007F:8A5D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 98 1",
            // a client connected to 35421 (server side)
            "   1: 0100007F:8A5D 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 99 1",
            // the client's own end: remote port 35421, local port ephemeral: not counted
            "   2: 0100007F:C350 0100007F:8A5D 01 00000000:00000000 00:00000000 00000000     0        0 97 1",
            // a client that left: CLOSE_WAIT on the server side
            "   3: 0100007F:8A5D 0100007F:C351 08 00000000:00000000 00:00000000 00000000     0        0 96 1",
            // tcp6 form
            "   4: 0000000000000000FFFF00000100007F:8A5D 0000000000000000FFFF00000100007F:C352 01 0:0 0:0 0 0 0 95 1");

    @Test
    void countsOnlyEstablishedConnectionsToTheLocalPort() {
        assertThat(ProcNetTcp.established(TABLE, 35421)).isEqualTo(2);
        assertThat(ProcNetTcp.established(TABLE, 50000)).isEqualTo(1);
        assertThat(ProcNetTcp.established(TABLE, 1)).isZero();
    }
}
