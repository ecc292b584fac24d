package dev.prescient.predict.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the shared real data ({@code ../shared/data} from the repository root) for tests that
 * use it: {@code -Dprescient.data=DIR} or {@code PRESCIENT_DATA} first, then the usual relative
 * places from the module and the repository directory.
 */
public final class PredictDataDir {

    private PredictDataDir() {
    }

    public static Optional<Path> find(String child) {
        String[] candidates = {System.getProperty("prescient.data"), System.getenv("PRESCIENT_DATA"),
            "../shared/data", "../../shared/data"};
        for (String c : candidates) {
            if (c != null && Files.isDirectory(Path.of(c).resolve(child))) {
                return Optional.of(Path.of(c));
            }
        }
        return Optional.empty();
    }
}
