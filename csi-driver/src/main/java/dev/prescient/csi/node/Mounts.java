package dev.prescient.csi.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads /proc/self/mountinfo: which paths are mount points and what is mounted there. */
public final class Mounts {
    private Mounts() {
    }

    /** @param source the mounted device (or fuse name); root the path inside it (bind mounts) */
    public record Mount(String mountPoint, String root, String fsType, String source, String options) {
        public boolean readOnly() {
            return List.of(options.split(",")).contains("ro");
        }
    }

    public static List<Mount> all() throws IOException {
        List<Mount> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int sep = 6;
            while (!f[sep].equals("-")) {
                sep++;
            }
            out.add(new Mount(unescape(f[4]), unescape(f[3]), f[sep + 1], unescape(f[sep + 2]), f[5]));
        }
        return out;
    }

    /** The last (topmost) mount at {@code path}, compared where the path really is (mountinfo shows that). */
    public static Optional<Mount> at(Path path) throws IOException {
        String p = RealPaths.resolveOrNormalize(path).toString();
        Mount found = null;
        for (Mount m : all()) {
            if (m.mountPoint().equals(p)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    public static List<Mount> ofSource(String source) throws IOException {
        return all().stream().filter(m -> m.source().equals(source)).toList();
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
