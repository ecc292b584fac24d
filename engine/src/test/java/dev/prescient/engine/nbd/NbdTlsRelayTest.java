package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The relay's export name rewrite, byte by byte (the tools' view is in {@link NbdTlsRelayIT}). */
class NbdTlsRelayTest {
    static final byte[] EXPORT = "r1@node:n2".getBytes(StandardCharsets.UTF_8);

    static byte[] go(String name, short... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(6 + n.length + 2 * infos.length).putInt(n.length).put(n).putShort((short) infos.length);
        for (short i : infos) {
            b.putShort(i);
        }
        return b.array();
    }

    @Test
    void anEmptyNameInGoAndInfoBecomesTheExportAndTheInformationRequestsStay() {
        assertThat(NbdTlsRelay.withExportName(OPT_GO, go(""), EXPORT)).isEqualTo(go("r1@node:n2"));
        assertThat(NbdTlsRelay.withExportName(OPT_INFO, go("", (short) 0, (short) 3), EXPORT))
                .isEqualTo(go("r1@node:n2", (short) 0, (short) 3));
    }

    @Test
    void aNameTheClientGaveIsKept() {
        assertThat(NbdTlsRelay.withExportName(OPT_GO, go("other"), EXPORT)).isEqualTo(go("other"));
        byte[] named = "other".getBytes(StandardCharsets.UTF_8);
        assertThat(NbdTlsRelay.withExportName(OPT_EXPORT_NAME, named, EXPORT)).isEqualTo(named);
    }

    @Test
    void exportNameWithNoNameBecomesTheExport() {
        assertThat(NbdTlsRelay.withExportName(OPT_EXPORT_NAME, new byte[0], EXPORT)).isEqualTo(EXPORT);
    }

    @Test
    void malformedDataPassesForTheServerToRefuse() {
        byte[] shortGo = {0, 0, 0, 0};
        assertThat(NbdTlsRelay.withExportName(OPT_GO, shortGo, EXPORT)).isSameAs(shortGo);
    }
}
