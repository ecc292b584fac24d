package dev.prescient.predict.harness;

import dev.prescient.predict.tiering.BlockTrace;
import dev.prescient.predict.tiering.TieringEvaluation;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation harness: one command that replays the real data in ../shared/data and prints
 * how every model does against its baselines.
 *
 * <pre>
 * bench/predict-harness.sh [--data DIR] [--section tiering|forecast|failure|cost|all]
 *                          [--trace FILE ...] [--smart FILE ...] [--epochs N] [--budget FRACTION]
 * </pre>
 * --trace replaces the ARC traces of the tiering section with any file of the same format;
 * --smart replaces the Backblaze files of the failure section (daily histories give lead times);
 * --frontier-for-all adds a tiering table where every heuristic has the stream frontier too.
 * Sections whose data is absent are skipped with a message.
 */
public final class Harness {
    private Harness() {
    }

    /** Parsed command line. */
    record Options(Path data, String section, List<Path> traces, TieringEvaluation.Settings settings,
            List<Path> smartFiles, boolean frontierForAll) {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Options o;
        try {
            o = parse(args, Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: Harness [--data DIR] [--section tiering|forecast|failure|cost|all] "
                    + "[--trace FILE]... [--smart FILE]... [--epochs N] [--budget FRACTION] [--frontier-for-all]");
            System.exit(2);
            return;
        }
        run(o, System.out);
    }

    static Options parse(String[] args, Path cwd) {
        Path data = null;
        String section = "all";
        List<Path> traces = new ArrayList<>();
        List<Path> smart = new ArrayList<>();
        int epochs = TieringEvaluation.Settings.defaults().epochs();
        double budget = TieringEvaluation.Settings.defaults().budgetFraction();
        boolean frontierForAll = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--frontier-for-all")) {
                frontierForAll = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--data" -> data = Path.of(v);
                case "--section" -> {
                    if (!List.of("tiering", "forecast", "failure", "cost", "all").contains(v)) {
                        throw new IllegalArgumentException("unknown section " + v);
                    }
                    section = v;
                }
                case "--trace" -> traces.add(Path.of(v));
                case "--smart" -> smart.add(Path.of(v));
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--budget" -> budget = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (data == null) {
            data = HarnessPaths.defaultDataDir(cwd);
        }
        return new Options(data, section, traces, new TieringEvaluation.Settings(epochs, budget), smart,
                frontierForAll);
    }

    static void run(Options o, PrintStream out) throws Exception {
        out.println("Prescient evaluation harness; data: " + o.data());
        String s = o.section();
        if (s.equals("all") || s.equals("tiering")) {
            tiering(o, out);
        }
        if (s.equals("all") || s.equals("forecast")) {
            external("dev.prescient.predict.harness.ForecastSection", "forecast", o.data(), out);
        }
        if ((s.equals("all") || s.equals("failure")) && o.smartFiles().isEmpty()) {
            external("dev.prescient.predict.harness.FailureSection", "failure", o.data(), out);
        } else if (s.equals("all") || s.equals("failure")) {
            // SMART files given by hand, e.g. daily histories that ../shared/data does not hold
            out.println("== Failure prediction (SMART files given with --smart) ==");
            FailureSection.runFiles(o.smartFiles(), out);
        }
        if (s.equals("all") || s.equals("cost")) {
            CostSection.run(out);
        }
    }

    static void tiering(Options o, PrintStream out) throws IOException {
        out.println("== tiering ==");
        List<Path> traces = o.traces();
        if (traces.isEmpty()) {
            Path dir = o.data().resolve("arc_traces");
            traces = List.of(dir.resolve("OLTP.lis"), dir.resolve("P3.lis"));
        }
        for (Path t : traces) {
            if (!Files.isRegularFile(t)) {
                out.println("  skipped " + t + ": file absent");
                continue;
            }
            TieringEvaluation.run(BlockTrace.read(t), o.settings(), o.frontierForAll(), out);
        }
    }

    /** Sections owned by other packages, called by name so this class builds without them. */
    static void external(String className, String label, Path data, PrintStream out) throws Exception {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            out.println("== " + label + " ==");
            out.println("  skipped: " + className + " is not in this build");
            return;
        }
        Method m = c.getMethod("run", Path.class, PrintStream.class);
        try {
            m.invoke(null, data, out);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
