package dev.prescient.csi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.testkit.FakeNodeAgent;
import dev.prescient.csi.identity.IdentityService;
import dev.prescient.csi.server.UnixSocketServers;
import io.grpc.Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** csi-cli: usage errors exit 2 with the usage, calls print the response, failed calls exit 1 with the status. */
class CsiCliTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... argv) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return CsiCli.run(argv, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void helpListsTheCommandsAndEachCommandHasItsOwn() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: csi-cli").contains("--endpoint=unix:///PATH", "create", "stage",
                "publish-node", "add-replica", "telemetry");
        assertThat(run("stage", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: csi-cli stage", "VOLUME_ID", "STAGING_PATH", "--nbd-uri=URI",
                "--access=MODE");
    }

    @Test
    void usageErrorsExitTwoWithTheUsage() {
        record Case(String[] argv, String message) {
        }
        for (Case c : new Case[] {
            new Case(new String[0], "Usage: csi-cli"),
            new Case(new String[] {"bogus"}, "Unmatched argument at index 0: 'bogus'"),
            new Case(new String[] {"--bogus-flag", "info"}, "Unknown option: '--bogus-flag'"),
            new Case(new String[] {"--endpoint", "unix:///x", "create", "data"}, "Missing required parameter: 'SIZE_BYTES'"),
            new Case(new String[] {"--endpoint", "unix:///x", "create", "data", "big"}, "'big' is not a long"),
            new Case(new String[] {"--endpoint", "unix:///x", "stage", "v", "/p", "--bogus"}, "Unknown option: '--bogus'"),
            new Case(new String[] {"--endpoint", "unix:///x", "stage", "v", "/p", "--access", "EVERYONE"},
                    "Invalid value for option '--access'"),
            new Case(new String[] {"--endpoint", "", "info"}, "--endpoint (or CSI_ENDPOINT) is required"),
            new Case(new String[] {"replicas"}, "--agent HOST:PORT is required"),
            new Case(new String[] {"--agent", "127.0.0.1:1", "replicas"}, "--tls-cert, --tls-key and --tls-ca")}) {
            assertThat(run(c.argv())).as(String.join(" ", c.argv())).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", c.argv())).contains(c.message()).contains("Usage: csi-cli");
        }
    }

    @Test
    void callsPrintTheResponseAndAFailedCallExitsOneWithItsStatus(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("csi.sock");
        Server server = UnixSocketServers.start(sock, List.of(new IdentityService(true, List.of())));
        FakeNodeAgent agent = new FakeNodeAgent("node-a", "zone-1");
        String address = agent.start();
        try {
            assertThat(run("--endpoint", "unix://" + sock, "info")).as(err.toString()).isZero();
            assertThat(out.toString()).contains("name: \"csi.prescient.dev\"", "ready {");
            // Global options after the command work too.
            assertThat(run("info", "--endpoint", "unix://" + sock)).as(err.toString()).isZero();
            // A controller call on an identity-only server: the gRPC status, exit 1.
            assertThat(run("--endpoint", "unix://" + sock, "delete", "pv-1")).isEqualTo(1);
            assertThat(err.toString()).startsWith("UNIMPLEMENTED");

            assertThat(run("--agent", address, "--insecure", "create-replica", "r1", "v1", "1048576", "--tier", "default"))
                    .as(err.toString()).isZero();
            assertThat(run("--agent", address, "--insecure", "replicas", "v1")).isZero();
            assertThat(out.toString()).contains("replica_id: \"r1\"", "volume_id: \"v1\"");
            assertThat(agent.calls("CreateReplica")).isEqualTo(1);
        } finally {
            server.shutdownNow();
            agent.stop();
        }
    }
}
