package dev.prescient.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UninstallCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few helm commands the end-to-end test needs, for machines without a helm binary: real Helm 3 embedded
 * through helm-java. Flags as helm spells them. The kubeconfig is KUBECONFIG's (or --kubeconfig).
 */
public final class HelmCli {

    static final String USAGE = """
            usage: HelmCli install RELEASE CHART [--namespace NS] [--create-namespace] [--set K=V]... [-f VALUES]...
                                  [--wait] [--timeout SECONDS] [--kubeconfig FILE]
                   HelmCli uninstall RELEASE [--namespace NS] [--kubeconfig FILE]
            """;

    private HelmCli() {
    }

    public static void main(String[] argv) {
        try {
            System.out.println(run(List.of(argv)));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("helm: " + e.getMessage());
            System.exit(1);
        }
    }

    static String run(List<String> argv) {
        if (argv.isEmpty() || argv.contains("--help") || argv.contains("-h")) {
            throw new IllegalArgumentException("a command is required");
        }
        List<String> positional = new ArrayList<>();
        String namespace = "default";
        Path kubeconfig = System.getenv("KUBECONFIG") == null ? null : Path.of(System.getenv("KUBECONFIG"));
        boolean createNamespace = false;
        boolean waitReady = false;
        int timeout = 0;
        List<String> sets = new ArrayList<>();
        List<Path> valueFiles = new ArrayList<>();
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            switch (a) {
                case "--namespace", "-n" -> namespace = value(argv, ++i, a);
                case "--kubeconfig" -> kubeconfig = Path.of(value(argv, ++i, a));
                case "--create-namespace" -> createNamespace = true;
                case "--wait" -> waitReady = true;
                case "--timeout" -> timeout = Integer.parseInt(value(argv, ++i, a).replaceAll("s$", ""));
                case "--set" -> sets.add(value(argv, ++i, a));
                case "-f", "--values" -> valueFiles.add(Path.of(value(argv, ++i, a)));
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown flag " + a);
                    }
                    positional.add(a);
                }
            }
        }
        if (kubeconfig == null || !Files.isRegularFile(kubeconfig)) {
            throw new IllegalArgumentException("no kubeconfig: set KUBECONFIG or pass --kubeconfig");
        }
        switch (argv.get(0)) {
            case "install" -> {
                if (positional.size() != 2) {
                    throw new IllegalArgumentException("install takes RELEASE and CHART");
                }
                InstallCommand cmd = new Helm(Path.of(positional.get(1))).install().withName(positional.get(0))
                        .withNamespace(namespace).withKubeConfig(kubeconfig);
                if (createNamespace) {
                    cmd.createNamespace();
                }
                if (waitReady) {
                    cmd.waitReady();
                }
                if (timeout > 0) {
                    cmd.withTimeout(timeout);
                }
                valueFiles.forEach(cmd::withValuesFile);
                for (String s : sets) {
                    int eq = s.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set takes KEY=VALUE, not " + s);
                    }
                    cmd.set(s.substring(0, eq), s.substring(eq + 1));
                }
                Release r = cmd.call();
                return "NAME: " + r.getName() + "\nNAMESPACE: " + r.getNamespace() + "\nSTATUS: " + r.getStatus()
                        + "\nREVISION: " + r.getRevision() + "\nCHART: " + r.getChart();
            }
            case "uninstall" -> {
                if (positional.size() != 1) {
                    throw new IllegalArgumentException("uninstall takes RELEASE");
                }
                UninstallCommand cmd = Helm.uninstall(positional.get(0)).withNamespace(namespace).withKubeConfig(kubeconfig);
                return cmd.call();
            }
            default -> throw new IllegalArgumentException("unknown command " + argv.get(0));
        }
    }

    private static String value(List<String> argv, int i, String flag) {
        if (i >= argv.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return argv.get(i);
    }
}
