package dev.prescient.predict.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

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

    /**
     * The command line of a section run alone: one directory argument is a data directory, other
     * arguments are files of the section's format, none means ../shared/data.
     */
    static void runSectionMain(String[] args, BiConsumer<Path, PrintStream> onDir,
            BiConsumer<List<Path>, PrintStream> onFiles) {
        if (args.length == 1 && Files.isDirectory(Path.of(args[0]))) {
            onDir.accept(Path.of(args[0]), System.out);
        } else if (args.length > 0) {
            onFiles.accept(Arrays.stream(args).map(Path::of).toList(), System.out);
        } else {
            onDir.accept(Path.of("..", "shared", "data"), System.out);
        }
    }

    /**
     * The .csv files of a section's data directory, sorted; empty, with a SKIPPED line printed,
     * when the directory or its files are missing.
     */
    static List<Path> csvFilesOrSkip(Path dir, String expected, PrintStream out) {
        if (!Files.isDirectory(dir)) {
            out.println("SKIPPED: " + dir + " not found (expected " + expected + ")");
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            out.println("SKIPPED: no .csv files in " + dir);
        }
        return files;
    }
}
