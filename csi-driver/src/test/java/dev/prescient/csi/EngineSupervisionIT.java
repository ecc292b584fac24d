package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.Replica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Health that means serving: an engine that is alive but does not serve (stopped with SIGSTOP, as a
 * process stuck in a full memory pool or a dead lock would look from outside) is killed and started
 * again; an engine that died is started again; the replica's bytes are the same throughout.
 */
class EngineSupervisionIT {
    Path root;
    NodeProcess node;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("prescient-supervision-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        HostCleanup.under(root);
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
        return out;
    }

    long enginePid() throws Exception {
        Path f = root.resolve("a/state/run/engine/vol1-r0.pid");
        return Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
    }

    /**
     * Until every thread of {@code pid} is stopped: kill(2) only queues SIGSTOP, and on a busy machine
     * the engine's acceptor can still greet one more client before the stop takes hold.
     */
    static void awaitStopped(long pid) throws Exception {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        for (long end = System.currentTimeMillis() + 10_000; System.currentTimeMillis() < end; Thread.sleep(20)) {
            boolean all = true;
            try (var ids = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) ids::iterator) {
                    String stat = Files.readString(t.resolve("stat"));
                    // The state is the first field after the parenthesised command name.
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    all &= state == 'T' || state == 't';
                }
            } catch (java.io.IOException e) {
                all = false; // a thread ended between listing and reading; look again
            }
            if (all) {
                return;
            }
        }
        throw new AssertionError("engine pid " + pid + " did not stop within 10 s of SIGSTOP");
    }

    /** Until an engine other than {@code old} serves the export (NBD handshake), or 30 s. */
    long awaitNewEngine(long old, String uri) throws Exception {
        for (long end = System.currentTimeMillis() + 30_000; System.currentTimeMillis() < end; Thread.sleep(100)) {
            long pid = enginePid();
            if (pid > 0 && pid != old && NbdProbe.probe(uri, 1000).isEmpty()) {
                return pid;
            }
        }
        throw new AssertionError("no new engine serving " + uri + " within 30 s; log: "
                + Files.readString(root.resolve("a/node.log")));
    }

    @Test
    void aWedgedOrDeadEngineIsBroughtBackWithItsData() throws Exception {
        node = new NodeProcess("node-a", root.resolve("a"), root.resolve("kubelet"));
        node.extraArgs.addAll(List.of("--engine-check-ms", "500"));
        node.start();
        Replica r = NodeLifecycleIT.createReplica(node, "vol1");
        String uri = r.getNbdEndpoint();
        Path data = root.resolve("data.bin");
        run("sh", "-c", "head -c 4194304 /dev/urandom > " + data);
        run("nbdcopy", "--flush", data.toString(), uri);

        long first = enginePid();
        assertThat(NbdProbe.probe(uri, 2000)).isEmpty();
        run("kill", "-STOP", Long.toString(first));
        awaitStopped(first);
        assertThat(NbdProbe.probe(uri, 1000)).as("a stopped engine does not greet").isPresent();
        long second = awaitNewEngine(first, uri);
        assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive)).as("the wedged engine was killed")
                .satisfiesAnyOf(h -> assertThat(h).isEmpty(), h -> assertThat(h).contains(false));
        assertThat(Files.readString(root.resolve("a/node.log"))).contains("is alive but has not served an NBD handshake");

        run("kill", "-9", Long.toString(second));
        long third = awaitNewEngine(second, uri);
        assertThat(third).isNotEqualTo(first);
        assertThat(Files.readString(root.resolve("a/node.log"))).contains("its engine is not running; starting it again");

        Path back = root.resolve("back.bin");
        run("nbdcopy", uri, back.toString());
        assertThat(Optional.of(Files.size(back))).contains(NodeLifecycleIT.SIZE);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(back), 4194304);
        assertThat(head).isEqualTo(Files.readAllBytes(data));
    }
}
