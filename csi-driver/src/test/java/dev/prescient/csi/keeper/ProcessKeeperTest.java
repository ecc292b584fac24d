package dev.prescient.csi.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keeper's socket: what it starts, what it refuses, and that bad bytes cost only their own connection. */
class ProcessKeeperTest {
    @TempDir
    Path dir;
    Path socket;
    ProcessKeeper keeper;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("keeper/keeper.sock");
        keeper = new ProcessKeeper(socket, Set.of("sleep")).start();
    }

    @AfterEach
    void stop() throws IOException {
        keeper.stopChildren(5_000);
        keeper.close();
    }

    @Test
    void startsAnAllowedProgramDetachedAndOnlyTheOwnerMayConnect() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        long pid = new KeeperClient(socket, 5_000).start(List.of("sleep", "30"), dir.resolve("sleep.log"), false);
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        assertThat(h.parent().map(ProcessHandle::pid)).as("the keeper's child, not ours").contains(ProcessHandle.current().pid());
        assertThat(h.isAlive()).isTrue();
        assertThat(keeper.children()).isEqualTo(1);
        keeper.stopChildren(5_000);
        assertThat(h.isAlive()).as("SIGTERM to the children at the keeper's end").isFalse();
    }

    @Test
    void aProgramOutsideTheListIsRefusedWithItsName() {
        assertThatThrownBy(() -> new KeeperClient(socket, 5_000).start(List.of("/bin/sh", "-c", "id"), dir.resolve("x.log"), false))
                .isInstanceOf(IOException.class).hasMessageContaining("refused to start /bin/sh")
                .hasMessageContaining("not one the keeper starts");
        assertThat(keeper.children()).isZero();
    }

    @Test
    void malformedRequestsCloseTheirConnectionAndTheKeeperServesOn() throws Exception {
        byte[][] bad = {
            {1, 2, 3, 4, 5, 6, 7, 8},                                      // not the magic
            request(0, List.of()),                                         // no arguments
            request(100_000, List.of()),                                   // argument count out of range
            request(1, List.of("sleep")),                                  // cut off before the log path
        };
        for (byte[] b : bad) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(socket));
                Channels.newOutputStream(c).write(b);
                c.shutdownOutput();
                assertThat(closedWithoutReply(c)).as("closed without a reply").isTrue();
            }
        }
        // a relative log path is refused as a protocol error too: the request goes in one write, since the
        // keeper may close as soon as it has read the path (a later write of ours would meet a broken pipe)
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            var bytes = new java.io.ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(request(1, List.of("sleep")));
            out.writeUTF("relative.log");
            out.writeBoolean(false);
            out.flush();
            Channels.newOutputStream(c).write(bytes.toByteArray());
            assertThat(closedWithoutReply(c)).isTrue();
        }
        assertThat(keeper.children()).isZero();
        long pid = new KeeperClient(socket, 5_000).start(List.of("sleep", "30"), dir.resolve("ok.log"), false);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    }

    /** End of stream, or a reset when the keeper closed with our bytes unread: either way no reply came. */
    static boolean closedWithoutReply(SocketChannel c) throws IOException {
        try {
            return new DataInputStream(Channels.newInputStream(c)).read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /** Magic, the argument count as given, then the arguments (no log path: callers add it or not). */
    static byte[] request(int argc, List<String> args) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(KeeperProtocol.MAGIC);
        out.writeInt(argc);
        for (String a : args) {
            out.writeUTF(a);
        }
        out.flush();
        return bytes.toByteArray();
    }
}
