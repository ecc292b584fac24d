package dev.prescient.csi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a host command to completion; a non-zero exit is an {@link ExecException} with its stderr. */
public final class Exec {
    private static final Logger LOG = LoggerFactory.getLogger(Exec.class);

    private Exec() {
    }

    public record Result(int exit, String stdout, String stderr) {
    }

    public static final class ExecException extends IOException {
        private final int exit;

        ExecException(List<String> cmd, int exit, String stderr) {
            super(String.join(" ", cmd) + " exited " + exit + ": " + stderr.strip());
            this.exit = exit;
        }

        public int exit() {
            return exit;
        }
    }

    public static Result run(List<String> cmd, long timeoutSeconds) throws IOException {
        LOG.debug("exec {}", cmd);
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            // Read both streams fully; tools here print little, so sequential reads cannot deadlock in practice.
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out after " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + cmd, e);
        }
    }

    /** Runs and requires exit 0; returns stdout. */
    public static String check(List<String> cmd) throws IOException {
        Result r = run(cmd, 120);
        if (r.exit() != 0) {
            throw new ExecException(cmd, r.exit(), r.stderr());
        }
        return r.stdout();
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
