package dev.prescient.csi.agent;

import java.util.List;

/** Reads the kernel's TCP socket tables (/proc/net/tcp and tcp6; see proc(5)). */
final class ProcNetTcp {
    private static final String ESTABLISHED = "01";

    private ProcNetTcp() {
    }

    /** Established connections whose local port is {@code port}; the header line is skipped. */
    static int established(List<String> lines, int port) {
        int n = 0;
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            // sl local_address rem_address st ...; addresses are HEXIP:HEXPORT
            if (f.length < 4 || !f[0].endsWith(":")) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            if (Integer.parseInt(f[1].substring(colon + 1), 16) == port && f[3].equals(ESTABLISHED)) {
                n++;
            }
        }
        return n;
    }
}
