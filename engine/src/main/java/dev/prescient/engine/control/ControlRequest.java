package dev.prescient.engine.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One request line of the engine control channel, parsed and validated before anything acts on
 * it: {@code COMMAND arg... [key=value...]}, ASCII, at most {@link #MAX_LINE} bytes. Positional
 * arguments come first; options are {@code key=value} tokens after them. See {@link ControlServer}
 * for the commands and the replies.
 */
public record ControlRequest(Command command, List<String> args, Map<String, String> options) {
    public static final int MAX_LINE = 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,255}:[0-9]{1,5}");

    public enum Command {
        // positional argument count range and accepted options
        ATTACH(2, 2, Set.of("existing")),
        CATCHUP(1, 1, Set.of("bps")),
        SCRUB(0, 0, Set.of("bps")),
        SWITCH(1, 64, Set.of("max-pause-ms")),
        DETACH(1, 1, Set.of()),
        READ(1, 1, Set.of()),
        STATUS(0, 0, Set.of());

        final int minArgs;
        final int maxArgs;
        final Set<String> optionKeys;

        Command(int minArgs, int maxArgs, Set<String> optionKeys) {
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
            this.optionKeys = optionKeys;
        }
    }

    /** Parses one line (without its newline); throws {@link ControlException} (reason BadRequest) on anything odd. */
    public static ControlRequest parse(String line) throws ControlException {
        if (line.length() > MAX_LINE) {
            throw bad("request longer than " + MAX_LINE + " bytes");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw bad("request has a non-printable or non-ASCII character at " + i);
            }
        }
        String[] tokens = line.strip().split(" +");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            throw bad("empty request");
        }
        Command cmd;
        try {
            cmd = Command.valueOf(tokens[0]);
        } catch (IllegalArgumentException e) {
            throw bad("unknown command " + tokens[0]);
        }
        List<String> args = new ArrayList<>();
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            int eq = t.indexOf('=');
            if (eq >= 0) {
                String k = t.substring(0, eq);
                if (!cmd.optionKeys.contains(k)) {
                    throw bad(cmd + " has no option " + k);
                }
                if (opts.put(k, t.substring(eq + 1)) != null) {
                    throw bad("option " + k + " given twice");
                }
            } else if (!opts.isEmpty()) {
                throw bad("argument " + t + " after options");
            } else {
                args.add(t);
            }
        }
        if (args.size() < cmd.minArgs || args.size() > cmd.maxArgs) {
            throw bad(cmd + " takes " + (cmd.minArgs == cmd.maxArgs ? cmd.minArgs : cmd.minArgs + ".." + cmd.maxArgs)
                    + " argument(s), got " + args.size());
        }
        ControlRequest r = new ControlRequest(cmd, List.copyOf(args), Map.copyOf(opts));
        r.validate();
        return r;
    }

    private void validate() throws ControlException {
        switch (command) {
            case ATTACH -> {
                replicaId(0);
                if (!HOST_PORT.matcher(args.get(1)).matches() || port(args.get(1)) > 65535) {
                    throw bad("not a host:port: " + args.get(1));
                }
                flag("existing");
            }
            case CATCHUP, DETACH, READ -> replicaId(0);
            case SWITCH -> {
                for (int i = 0; i < args.size(); i++) {
                    replicaId(i);
                }
                if (args.subList(1, args.size()).contains(args.get(0))) {
                    throw bad("SWITCH cannot drop its new replica " + args.get(0));
                }
            }
            default -> { }
        }
        if (options.containsKey("bps")) {
            number("bps", 0);
        }
        if (options.containsKey("max-pause-ms") && number("max-pause-ms", 1) < 1) {
            throw bad("max-pause-ms must be at least 1");
        }
    }

    public String replicaId(int i) throws ControlException {
        String id = args.get(i);
        if (!ID.matcher(id).matches()) {
            throw bad("invalid replica id " + id);
        }
        return id;
    }

    /** A numeric option, or {@code dflt} when absent. */
    public long number(String key, long dflt) throws ControlException {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw bad(key + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(key + " is not a number: " + v);
        }
    }

    public boolean flag(String key) throws ControlException {
        String v = options.getOrDefault(key, "false");
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key + " must be true or false, got " + v);
        };
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static ControlException bad(String msg) {
        return new ControlException("BadRequest", msg);
    }
}
