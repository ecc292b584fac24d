package dev.prescient.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./prescient local}: the whole system on this machine.
 *
 * <pre>
 * --root DIR        the repository (default .)
 * --work DIR        where nodes keep their tiers, logs, sockets (default local/work)
 * --scenario FILE   default local/scenarios/default.yaml
 * --kubeconfig FILE use that cluster instead of the embedded API endpoint
 * --view-port N     live view port (default 8089; 0 = any)
 * --api-port N      embedded API port (default 0 = any)
 * --duration S      seconds to run (default: the scenario's; -1 = until Ctrl-C)
 * --headless        print a summary every 10 s instead of every 2 s
 * --no-operator     do not start the operator process (static placement: nothing moves)
 * --planner-mode M  predictive (default) or reactive (observed state only; see the operator's ReactivePolicy)
 * --result FILE     write the run's scorecard figures there (bench/scenario-scorecard.sh)
 * --repeat N        the repeat number written into the result (default 1)
 * </pre>
 */
public final class LocalMain {
    private LocalMain() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = parse(argv);
        Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
        String kc = a.getOrDefault("kubeconfig", "");
        LocalMode.Options o = new LocalMode.Options(root, root.resolve(a.getOrDefault("work", "local/work")),
                root.resolve(a.getOrDefault("scenario", "local/scenarios/default.yaml")),
                kc.isEmpty() ? null : Path.of(kc), Integer.parseInt(a.getOrDefault("view-port", "8089")),
                Integer.parseInt(a.getOrDefault("api-port", "0")), !a.containsKey("no-operator"), System.out,
                a.getOrDefault("planner-mode", "predictive"));
        if (!List.of("predictive", "reactive").contains(o.plannerMode())) {
            throw new IllegalArgumentException("--planner-mode predictive|reactive, not " + o.plannerMode());
        }
        String loadBefore = dev.prescient.local.score.RunResult.loadAverage();
        if (!Files.isDirectory(root.resolve("crds"))) {
            throw new IllegalArgumentException("--root " + root + " is not the Prescient repository (no crds/)");
        }
        LocalMode mode = new LocalMode(o);
        // Ctrl-C: stop the scenario, the processes and the daemons, unmount, and only then let the JVM go.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mode.stop();
            } catch (Exception e) {
                System.err.println("[prescient] teardown failed: " + e);
            }
        }, "teardown"));
        int exit = 0;
        try {
            mode.start();
            mode.run(Integer.parseInt(a.getOrDefault("duration", "0")), a.containsKey("headless"));
            var reversals = dev.prescient.local.view.StateSnapshot.reversals(mode.runner());
            long primaryMoves = mode.runner().watch().migrations().stream().filter(m -> !m.keepSource()).count();
            System.out.printf("[prescient] reversals: %d of %d primary moves undid the volume's previous move within a "
                    + "simulated day%n", reversals.size(), primaryMoves);
            reversals.forEach(r -> System.out.println("[prescient]   reversal " + r.describe()));
            List<LocalMode.Verification> checks = mode.verify(java.time.Duration.ofSeconds(60));
            for (LocalMode.Verification v : checks) {
                System.out.printf("[prescient] verify %-10s %-7s %-5s %s: %s%n", v.volume(), v.node(), v.tier(),
                        v.replicaId(), v.badBlocks() == 0 ? "all acknowledged writes present"
                                : v.badBlocks() < 0 ? "UNREADABLE " + v.error() : v.badBlocks() + " BLOCKS DIFFER");
                if (v.badBlocks() != 0) {
                    exit = 1;
                }
            }
            if (a.containsKey("result")) {
                Path out = Path.of(a.get("result")).toAbsolutePath();
                var r = RunScore.of(mode.runner(), checks, a.containsKey("no-operator") ? "static" : o.plannerMode(),
                        Integer.parseInt(a.getOrDefault("repeat", "1")), loadBefore,
                        dev.prescient.local.score.RunResult.loadAverage());
                r.write(out);
                System.out.println("[prescient] slowest reads: " + mode.runner().reads().describeTail(0.99));
                System.out.printf("[prescient] scorecard figures written to %s: local reads %.1f%%, p99 %.2f ms, %d moves%n",
                        out, 100 * r.localShare(), r.p99Micros() / 1000, r.moves());
            }
        } catch (Exception e) {
            if (mode.stopping()) {
                // Ctrl-C: the teardown hook is closing exports under the running workload; that is not an error.
                return;
            }
            System.err.println("[prescient] " + e);
            exit = 2;
        }
        if (mode.stopping()) {
            return;
        }
        mode.stop();
        System.exit(exit);
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
            String k = argv[i].substring(2);
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                m.put(k, argv[++i]);
            } else {
                m.put(k, "true");
            }
        }
        return m;
    }
}
