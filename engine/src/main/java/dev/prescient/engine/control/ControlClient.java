package dev.prescient.engine.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Sends one request to an engine's control socket and reads the answer (see {@link ControlServer}). */
public final class ControlClient {
    private ControlClient() {
    }

    /** By hand: {@code java -cp ... dev.prescient.engine.control.ControlClient SOCKET REQUEST...}; exit 1 on ERR. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ControlClient <control-socket> <request words...>");
            System.exit(2);
        }
        Answer a = call(Path.of(args[0]), String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)),
                System.out::println);
        System.out.println((a.ok() ? "OK " : "ERR ") + a.text());
        System.exit(a.ok() ? 0 : 1);
    }

    /** The final line split: {@code ok} and the rest ("key=value ..." or "Reason message"). */
    public record Answer(boolean ok, String text) {
        /** The value of {@code key=} in an OK answer, or null. */
        public String get(String key) {
            for (String t : text.split(" ")) {
                if (t.startsWith(key + "=")) {
                    return t.substring(key.length() + 1);
                }
            }
            return null;
        }

        public long number(String key) {
            String v = get(key);
            return v == null ? 0 : Long.parseLong(v);
        }

        /** The ERR reason word. */
        public String reason() {
            int sp = text.indexOf(' ');
            return sp < 0 ? text : text.substring(0, sp);
        }
    }

    /**
     * @param lines receives every line before the final one (PROGRESS, MEMBER); it may throw
     *              {@link java.util.concurrent.CancellationException} to stop: closing the
     *              connection cancels a running CATCHUP
     */
    public static Answer call(Path socket, String request, Consumer<String> lines) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            StringBuilder line = new StringBuilder();
            while (c.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char ch = (char) (buf.get() & 0xff);
                    if (ch != '\n') {
                        line.append(ch);
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    if (l.startsWith("OK")) {
                        return new Answer(true, l.length() > 3 ? l.substring(3) : "");
                    }
                    if (l.startsWith("ERR")) {
                        return new Answer(false, l.length() > 4 ? l.substring(4) : "");
                    }
                    lines.accept(l);
                }
            }
            throw new IOException("engine control " + socket + " closed without an answer to " + request);
        }
    }
}
