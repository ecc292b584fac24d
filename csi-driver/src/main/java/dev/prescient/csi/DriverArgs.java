package dev.prescient.csi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} / {@code --key=value} arguments with typed getters and clear errors. */
public final class DriverArgs {
    private final Map<String, String> values = new HashMap<>();
    /** Every value of every key in order, for repeatable flags; {@link #values} keeps the last one. */
    private final Map<String, List<String>> all = new HashMap<>();

    public DriverArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                put(a.substring(2, eq), a.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                put(a.substring(2), args[++i]);
            } else {
                put(a.substring(2), "true");
            }
        }
    }

    private void put(String key, String value) {
        values.put(key, value);
        all.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
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

    public String get(String key, String def) {
        return values.getOrDefault(key, def);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }

    public long getLong(String key, long def) {
        String v = values.get(key);
        return v == null ? def : Long.parseLong(v);
    }
}
