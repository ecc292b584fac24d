package dev.prescient.csi.keeper;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The keeper's wire format, one request and one reply per connection on its UNIX socket:
 * <pre>
 * request: int magic "PKP1" | int argc (1..256) | argc x UTF string | UTF log path | boolean append
 * reply:   long pid (&gt; 0)  |  long -1, UTF message
 * </pre>
 * Strings are {@link DataOutputStream#writeUTF} (at most 64 KiB each), so a request is bounded
 * before it is read; anything else is a protocol error that closes that connection only.
 */
final class KeeperProtocol {
    static final int MAGIC = 0x504b5031;
    static final int MAX_ARGS = 256;

    record Request(List<String> argv, Path log, boolean append) {
    }

    private KeeperProtocol() {
    }

    static void writeRequest(DataOutputStream out, Request r) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(r.argv().size());
        for (String a : r.argv()) {
            out.writeUTF(a);
        }
        out.writeUTF(r.log().toString());
        out.writeBoolean(r.append());
        out.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a keeper request (bad magic)");
        }
        int argc = in.readInt();
        if (argc < 1 || argc > MAX_ARGS) {
            throw new IOException("argument count " + argc + " outside 1.." + MAX_ARGS);
        }
        List<String> argv = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            argv.add(in.readUTF());
        }
        String log = in.readUTF();
        if (!log.startsWith("/") || log.indexOf('\0') >= 0) {
            throw new IOException("log must be an absolute path: " + log);
        }
        return new Request(List.copyOf(argv), Path.of(log), in.readBoolean());
    }
}
