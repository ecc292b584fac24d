package dev.prescient.csi.keeper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts processes as children of this JVM, each in a session of its own ({@code setsid}). */
public final class DirectLauncher implements Launcher {
    private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
            || Files.isExecutable(Path.of("/bin/setsid"));

    @Override
    public long start(List<String> argv, Path log, boolean append) throws IOException {
        return startProcess(argv, log, append).pid();
    }

    /**
     * A session of its own: a signal to the caller's process group (Ctrl-C, a supervisor stopping
     * the plugin's group) must not reach the data path. {@code setsid} execs in place when its
     * caller is not a group leader (a JVM's child never is), so the pid is the program's own.
     */
    static Process startProcess(List<String> argv, Path log, boolean append) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (SETSID) {
            cmd.add("setsid");
        }
        cmd.addAll(argv);
        return new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectErrorStream(true)
                .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log.toFile())
                        : ProcessBuilder.Redirect.to(log.toFile()))
                .start();
    }
}
