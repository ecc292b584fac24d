package dev.prescient.csi.agent;

import java.util.List;

/** Reads the kernel's UNIX socket table (/proc/net/unix; see proc(5)). */
final class ProcNetUnix {
    private static final String CONNECTED = "03";

    private ProcNetUnix() {
    }

    /**
     * Connected sockets named {@code path}: a listener's accepted connections carry the name it was
     * bound with; the listener itself is unconnected and clients' own ends are unnamed.
     */
    static int connected(List<String> lines, String path) {
        int n = 0;
        for (String line : lines) {
            // Num RefCount Protocol Flags Type St Inode Path
            String[] f = line.strip().split("\\s+");
            if (f.length >= 8 && f[0].endsWith(":") && f[5].equals(CONNECTED) && f[7].equals(path)) {
                n++;
            }
        }
        return n;
    }
}
