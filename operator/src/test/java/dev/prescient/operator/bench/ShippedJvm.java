package dev.prescient.operator.bench;

import dev.prescient.operator.util.Units;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM options the operator ships with, read from where they are defined so that the benchmark cannot drift from
 * them: the image's {@code ENV JAVA_OPTS_APPEND} (images/operator/Containerfile) and the chart's memory limit
 * (helm/prescient/values.yaml, operator.resources.limits.memory). A container's limit cannot be reproduced by a
 * plain process here; {@code -XX:MaxRAM} makes the JVM size itself as it would under that limit (heap, and with an
 * explicit GC in the options nothing else the JVM picks from the machine's size differs).
 */
record ShippedJvm(List<String> options, long memoryLimitBytes) {

    private static final Pattern ENV = Pattern.compile("^ENV\\s+JAVA_OPTS_APPEND=\"([^\"]*)\"\\s*$",
            Pattern.MULTILINE);
    private static final Pattern LIMIT = Pattern.compile("limits:\\s*\\{\\s*memory:\\s*([0-9A-Za-z]+)\\s*}");

    static ShippedJvm read(Path root) throws IOException {
        return parse(Files.readString(root.resolve("images/operator/Containerfile")),
                Files.readString(root.resolve("helm/prescient/values.yaml")));
    }

    static ShippedJvm parse(String containerfile, String values) {
        Matcher env = ENV.matcher(containerfile);
        if (!env.find()) {
            throw new IllegalArgumentException("images/operator/Containerfile has no ENV JAVA_OPTS_APPEND=\"...\" line");
        }
        // The operator's block of values.yaml: from "operator:" to the next top-level key.
        Matcher block = Pattern.compile("(?m)^operator:\\s*$([\\s\\S]*?)(?=^\\S|\\z)").matcher(values);
        if (!block.find()) {
            throw new IllegalArgumentException("helm/prescient/values.yaml has no top-level operator: block");
        }
        Matcher limit = LIMIT.matcher(block.group(1));
        if (!limit.find()) {
            throw new IllegalArgumentException("values.yaml operator.resources has no limits: { memory: ... }");
        }
        long bytes = Units.bytes(limit.group(1), -1);
        if (bytes <= 0) {
            throw new IllegalArgumentException("values.yaml operator memory limit unreadable: " + limit.group(1));
        }
        List<String> opts = new ArrayList<>();
        for (String o : env.group(1).trim().split("\\s+")) {
            if (!o.isEmpty()) {
                opts.add(o);
            }
        }
        return new ShippedJvm(List.copyOf(opts), bytes);
    }

    /** The options as the benchmark runs them: the shipped ones, then the container's limit as MaxRAM. */
    List<String> asRunHere() {
        List<String> out = new ArrayList<>(options);
        out.add("-XX:MaxRAM=" + memoryLimitBytes);
        return out;
    }
}
