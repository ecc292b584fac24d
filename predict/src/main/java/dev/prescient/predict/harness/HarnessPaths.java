package dev.prescient.predict.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared evaluation data lives, for the harness and for tests that read it. */
public final class HarnessPaths {
    private HarnessPaths() {
    }

    /** ../shared/data relative to the repository root found from the working directory. */
    public static Path defaultDataDir() {
        return defaultDataDir(Path.of(""));
    }

    /**
     * Walks up from {@code cwd} to the directory holding the root mvnw and predict/ (so it works
     * from the repo root, from predict/ as surefire and exec:java run, and from anywhere below).
     */
    public static Path defaultDataDir(Path cwd) {
        for (Path d = cwd.toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw")) && Files.isDirectory(d.resolve("predict"))) {
                return d.resolve("../shared/data").normalize();
            }
        }
        return cwd.toAbsolutePath().resolve("../shared/data").normalize();
    }
}
