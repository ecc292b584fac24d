package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The driver's command line: help, unknown and missing flags, per mode, before anything starts. */
class CsiDriverMainArgsTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    CsiDriverMain.Parsed parse(String... argv) {
        return CsiDriverMain.parse(argv, new PrintWriter(out), new PrintWriter(err));
    }

    static final String[] NODE = {"--mode", "node", "--endpoint", "unix:///tmp/x.sock", "--node-id", "n1",
        "--agent-insecure"};

    @Test
    void helpPrintsTheUsageWithEveryFlagAndExitsZero() {
        for (String help : new String[] {"--help", "-h"}) {
            var p = parse(help);
            assertThat(p.args()).isNull();
            assertThat(p.exitStatus()).isZero();
        }
        assertThat(out.toString()).startsWith("Usage: prescient-csi").contains("--kubelet-dir=DIR[,...]",
                "--tier=NAME=DIR[,...]", "--agent-insecure", "controller, node or keeper");
        DriverArgs.FLAGS.forEach(f -> assertThat(out.toString()).contains("--" + f.name()));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        for (String[] argv : new String[][] {{"--mode", "controller", "--bogus-flag"},
            {"--mode=node", "--endpoint", "unix:///x", "--node-id", "n", "--agent-insecure", "--kubelet_dir", "/k"},
            {"positional"}}) {
            var p = parse(argv);
            assertThat(p.args()).isNull();
            assertThat(p.exitStatus()).isEqualTo(2);
        }
        assertThat(err.toString()).contains("prescient-csi: Unknown option: '--bogus-flag'")
                .contains("'--kubelet_dir'").contains("Usage: prescient-csi");
    }

    @Test
    void missingOrBadFlagsAreUsageErrorsNamingTheFlag() {
        record Case(String[] argv, String message) {
        }
        for (Case c : new Case[] {
            new Case(new String[0], "--mode is required"),
            new Case(new String[] {"--mode", "node", "--node-id", "n1", "--agent-insecure"}, "--endpoint is required"),
            new Case(new String[] {"--mode", "node", "--endpoint", "unix:///x", "--agent-insecure"}, "--node-id is required"),
            new Case(new String[] {"--mode", "nodes", "--endpoint", "unix:///x"},
                    "--mode must be controller, node or keeper, got nodes"),
            new Case(new String[] {"--mode", "keeper"}, "--keeper-socket is required"),
            new Case(new String[] {"--mode", "controller", "--endpoint", "unix:///x"}, "needs mutual TLS"),
            new Case(new String[] {"--mode", "controller", "--endpoint", "unix:///x", "--tls-cert", "c"}, "--tls-key is required"),
            new Case(new String[] {"--mode", "controller", "--endpoint", "unix:///x", "--agent-insecure", "--registry", "etcd"},
                    "--registry must be kube or memory, got etcd"),
            new Case(new String[] {"--mode", "node", "--mode", "controller"}, "should be specified only once"),
            new Case(new String[] {"--mode"}, "Missing required parameter for option '--mode'")}) {
            err.getBuffer().setLength(0);
            var p = parse(c.argv());
            assertThat(p.exitStatus()).as(String.join(" ", c.argv())).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", c.argv())).contains("prescient-csi: ").contains(c.message())
                    .contains("Usage: prescient-csi");
        }
    }

    @Test
    void aCompleteCommandLineParsesWithRepeatedTiersAndBothSyntaxes() {
        var p = parse(NODE[0], NODE[1], NODE[2], NODE[3], NODE[4], NODE[5], NODE[6], "--tier=nvme=/d/nvme", "--tier",
                "hdd=/d/hdd,ssd=/d/ssd", "--kubeconfig", "/k", "--max-volumes=8", "--register-storage-node");
        assertThat(p.exitStatus()).isZero();
        assertThat(p.args().getAll("tier")).containsExactly("nvme=/d/nvme", "hdd=/d/hdd", "ssd=/d/ssd");
        assertThat(p.args().getLong("max-volumes", 64)).isEqualTo(8);
        assertThat(p.args().flag("register-storage-node")).isTrue();
        assertThat(p.args().flag("agent-insecure")).isTrue();
        assertThat(p.args().get("kubeconfig", "")).isEqualTo("/k");
        assertThat(out.toString() + err).isEmpty();
    }
}
