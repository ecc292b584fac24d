package dev.prescient.csi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes everything a node test may have left on the host under its root directory, even after
 * a failure: mounts (deepest first), loop devices backed by files there, nbdfuse and engine
 * export processes whose command line names the root.
 */
final class HostCleanup {
    private HostCleanup() {
    }

    static void under(Path root) throws IOException, InterruptedException {
        String r = root.toAbsolutePath().toString();
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4].replace("\\040", " ");
            if (mp.startsWith(r)) {
                mounts.add(mp);
            }
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : mounts) {
            run("umount", "-l", mp);
        }
        try (Stream<Path> s = Files.list(Path.of("/sys/block"))) {
            for (Path dev : s.filter(p -> p.getFileName().toString().startsWith("loop")).toList()) {
                Path backing = dev.resolve("loop/backing_file");
                if (Files.exists(backing) && Files.readString(backing).strip().startsWith(r)) {
                    run("losetup", "-d", "/dev/" + dev.getFileName());
                }
            }
        }
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    boolean ours = cmd.startsWith("nbdfuse") || cmd.contains("dev.prescient.engine.EngineMain");
                    if (ours && cmd.contains(r)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (IOException ignored) {
                    // the process ended while we looked
                }
            }
        }
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    static boolean anyMountUnder(Path root) throws IOException {
        String r = root.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.split(" ")[4].startsWith(r));
    }
}
