package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prescient-csi} as a process: the exit status and streams a person and a DaemonSet see. */
class DriverCommandLineIT {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    Run run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", NodeProcess.classpath(), "dev.prescient.csi.CsiDriverMain"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits instead of serving").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpUnknownAndMissingFlagsExitBeforeAnythingStarts() throws Exception {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: prescient-csi").contains("--node-id=ID", "--kubeconfig=FILE");

        Path sock = dir.resolve("ctl.sock");
        Run bogus = run("--mode", "controller", "--endpoint", "unix://" + sock, "--registry", "memory",
                "--node-agents", "n1=127.0.0.1:1@z", "--agent-insecure", "--bogus-flag");
        assertThat(bogus.exit()).isEqualTo(2);
        assertThat(bogus.err()).contains("prescient-csi: Unknown option: '--bogus-flag'", "Usage: prescient-csi");

        Run noNodeId = run("--mode", "node", "--endpoint", "unix://" + sock, "--agent-insecure",
                "--state-dir", dir.resolve("state").toString());
        assertThat(noNodeId.exit()).isEqualTo(2);
        assertThat(noNodeId.err()).contains("--node-id is required");

        Run badKubeconfig = run("--mode", "controller", "--endpoint", "unix://" + sock, "--agent-insecure",
                "--kubeconfig", dir.resolve("missing.yaml").toString());
        assertThat(badKubeconfig.exit()).isEqualTo(2);
        assertThat(badKubeconfig.err()).contains("--kubeconfig " + dir.resolve("missing.yaml") + " is not a readable file");

        assertThat(sock).as("no socket served").doesNotExist();
        assertThat(dir.resolve("state")).as("no state created").doesNotExist();
    }
}
