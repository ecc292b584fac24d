package dev.prescient.csi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The driver's command line ({@code prescient-csi}), parsed by picocli: every flag is declared in
 * {@link #FLAGS} with its help text, so an unknown or misspelt flag is an error with the usage
 * instead of being ignored, and {@code --help} lists them all. {@code --key value} and
 * {@code --key=value} both work; only {@code --tier} and {@code --tier-latency-us} may repeat.
 * Which flags a mode needs is checked by {@link #requireForMode()}, before anything starts.
 */
public final class DriverArgs {
    /** One flag: name without "--", value label (null: a switch), repeatable, description. */
    record Flag(String name, String label, boolean repeatable, String description) {
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("mode", "MODE", false, "controller, node or keeper (required)"),
            new Flag("endpoint", "unix:///PATH", false, "the CSI socket to serve (required in controller and node mode)"),
            new Flag("tls-cert", "PEM", false, "node-agent mTLS certificate"),
            new Flag("tls-key", "PEM", false, "node-agent mTLS key (PKCS#8)"),
            new Flag("tls-ca", "PEM", false, "CA that signs node-agent certificates"),
            new Flag("agent-insecure", null, false, "node agent without TLS (tests and local mode only)"),
            new Flag("kubeconfig", "FILE", false, "kubeconfig to use (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
            // controller
            new Flag("registry", "kube|memory", false, "controller: where volumes are recorded (default kube)"),
            new Flag("namespace", "NS", false, "controller: namespace of snapshot ConfigMaps (default prescient-system)"),
            new Flag("node-agents", "ID=HOST:PORT@ZONE,...", false,
                    "controller: a static list of node agents (default: discovered from StorageNodes)"),
            new Flag("agent-deadline-ms", "MS", false, "controller: deadline of node-agent calls (default 30000)"),
            new Flag("max-volume-bytes", "BYTES", false, "controller: largest volume (default 1 TiB)"),
            // node
            new Flag("node-id", "ID", false, "node: this node's id (required in node mode)"),
            new Flag("zone", "ZONE", false, "node: topology zone (default: the Node's zone label, else 'default')"),
            new Flag("register-storage-node", null, false, "node: create/correct this node's StorageNode"),
            new Flag("agent-listen", "HOST:PORT", false, "node: node-agent listen address (default 127.0.0.1:7443)"),
            new Flag("agent-advertise", "HOST:PORT", false, "node: the agent address other nodes dial"),
            new Flag("metrics-listen", "HOST:PORT", false,
                    "node: serve the agent's Prometheus metrics on GET /metrics here (default: off)"),
            new Flag("state-dir", "DIR", false, "node: state directory (default /var/lib/prescient)"),
            new Flag("tier", "NAME=DIR[,...]", true, "node: a tier and its directory (repeatable)"),
            new Flag("tier-latency-us", "NAME=MICROS[,...]", true,
                    "node: latency the engines add on that tier (repeatable; shared-disk test setups)"),
            new Flag("nbd-bind", "ADDRESS", false, "node: address NBD exports listen on (default 127.0.0.1)"),
            new Flag("kubelet-dir", "DIR[,...]", false,
                    "node: roots staging/target paths must lie under (default /var/lib/kubelet)"),
            new Flag("max-volumes", "N", false, "node: volumes this node takes (default 64)"),
            new Flag("heat-interval-ms", "MS", false, "node: how often engines write their heat (default 5000)"),
            new Flag("heat-half-life-s", "S", false, "node: engines' heat half-life (default 300)"),
            new Flag("health-window-s", "S", false, "node: engine time each health report covers (default 60)"),
            new Flag("tier-probe-ms", "MS", false, "node: how often the agent probes each tier's media (default 500, 0 = off)"),
            new Flag("engine-check-ms", "MS", false, "node: how often every engine must complete an NBD handshake;"
                    + " three failures in a row restart it (default 10000, 0: off)"),
            new Flag("keeper-socket", "PATH", false, "node: start engines and nbdfuse through the process keeper"
                    + " serving this socket, so they outlive the plugin; keeper: the socket to serve (required)"));

    private final Map<String, List<String>> all = new HashMap<>();

    /** @throws CommandLine.ParameterException for an unknown flag, a missing value or a repeated single flag */
    public DriverArgs(String[] args) {
        this(commandLine().parseArgs(args));
    }

    private DriverArgs(CommandLine.ParseResult parsed) {
        // A repeated option is listed once per occurrence, each with all its values.
        for (OptionSpec o : new java.util.LinkedHashSet<>(parsed.matchedOptions())) {
            if (o.usageHelp()) {
                continue;
            }
            String key = o.longestName().substring(2);
            List<String> values = o.arity().max() == 0 ? List.of("true") : o.originalStringValues();
            all.computeIfAbsent(key, k -> new ArrayList<>()).addAll(values);
        }
    }

    /** The picocli command for {@code prescient-csi}: usage text, parsing, errors. */
    public static CommandLine commandLine() {
        CommandSpec spec = CommandSpec.create().name("prescient-csi");
        spec.usageMessage().description("The Prescient CSI driver: --mode controller (Identity + Controller),"
                + " --mode node (Identity + Node and the node agent) or --mode keeper (the node's data-path processes,"
                + " which outlive node-plugin restarts).");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help and exit").build());
        for (Flag f : FLAGS) {
            OptionSpec.Builder b = OptionSpec.builder("--" + f.name()).description(f.description());
            if (f.label() == null) {
                b.type(boolean.class).arity("0");
            } else if (f.repeatable()) {
                b.type(List.class).auxiliaryTypes(String.class).paramLabel(f.label()).arity("1");
            } else {
                b.type(String.class).paramLabel(f.label()).arity("1");
            }
            spec.addOption(b.build());
        }
        return new CommandLine(spec);
    }

    /** Help asked for: empty; else the parsed arguments. Parse errors throw {@link CommandLine.ParameterException}. */
    public static java.util.Optional<DriverArgs> parse(CommandLine cl, String[] args) {
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        return parsed.isUsageHelpRequested() ? java.util.Optional.empty() : java.util.Optional.of(new DriverArgs(parsed));
    }

    /** The flags every mode needs, and those of the chosen mode; IllegalArgumentException names the first missing. */
    public void requireForMode() {
        String mode = require("mode");
        if (mode.equals("keeper")) {
            // The keeper only starts processes for the plugin: no CSI socket, no agent, no TLS.
            require("keeper-socket");
            return;
        }
        require("endpoint");
        switch (mode) {
            case "controller" -> {
                String registry = get("registry", "kube");
                if (!registry.equals("kube") && !registry.equals("memory")) {
                    throw new IllegalArgumentException("--registry must be kube or memory, got " + registry);
                }
            }
            case "node" -> require("node-id");
            default -> throw new IllegalArgumentException("--mode must be controller, node or keeper, got " + mode);
        }
        if (!flag("agent-insecure")) {
            if (get("tls-cert", "").isEmpty()) {
                throw new IllegalArgumentException("the node agent needs mutual TLS: --tls-cert, --tls-key, --tls-ca"
                        + " (or --agent-insecure for local tests)");
            }
            require("tls-key");
            require("tls-ca");
        }
    }

    /**
     * Every value of a repeatable flag, each also split at commas, so {@code --f a=1 --f b=2} and
     * {@code --f a=1,b=2} mean the same; empty when the flag is absent.
     */
    public List<String> getAll(String key) {
        List<String> out = new ArrayList<>();
        for (String v : all.getOrDefault(key, List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    /** The flag's value (the last one of a repeatable flag), or {@code def}. */
    public String get(String key, String def) {
        List<String> v = all.get(key);
        return v == null || v.isEmpty() ? def : v.get(v.size() - 1);
    }

    public String require(String key) {
        String v = get(key, "");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(get(key, "false"));
    }

    public long getLong(String key, long def) {
        String v = get(key, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " wants a whole number, got '" + v + "'");
        }
    }
}
