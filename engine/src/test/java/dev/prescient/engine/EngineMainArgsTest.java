package dev.prescient.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** EngineMain's command line: help, unknown, missing and malformed flags, before anything is opened. */
class EngineMainArgsTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    EngineMain.Parsed parse(String... argv) {
        return EngineMain.parse(argv, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void helpListsEveryFlagAndExitsZero() {
        var p = parse("--help");
        assertThat(p.options()).isNull();
        assertThat(p.exitStatus()).isZero();
        assertThat(out.toString()).startsWith("Usage: EngineMain").contains("--tier=NAME=DIR", "--replica=ID:VOLUME:TIER:SIZE",
                "--latency-us=US", "--control=SOCKET", "--replication-listen=HOST:PORT");
    }

    @Test
    void theNodeAgentsCommandLineParses() {
        var p = parse("--tier", "ssd=/t/ssd", "--replica", "r1:vol:ssd:1", "--tcp", "127.0.0.1:0", "--pid-file", "/r/r1.pid",
                "--control", "/r/r1.ctl", "--members", "/r/r1.members", "--replication-listen", "127.0.0.1:0",
                "--heat-dir", "/r", "--heat-interval-ms", "300", "--heat-half-life-s", "300", "--latency-us", "6000",
                "--fault-file", "/r/faults");
        assertThat(p.exitStatus()).as(err.toString()).isZero();
        assertThat(p.options().tiers).containsEntry("ssd", Path.of("/t/ssd"));
        assertThat(p.options().latencyUs).isEqualTo(6000);
        assertThat(p.options().replicas).containsExactly("r1:vol:ssd:1");
    }

    @Test
    void unknownMissingAndMalformedFlagsAreUsageErrors() {
        record Case(String[] argv, String message) {
        }
        for (Case c : new Case[] {
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--bogus"}, "Unknown option: '--bogus'"),
            new Case(new String[] {"--tier", "t=/d"}, "Missing required option: '--replica=ID:VOLUME:TIER:SIZE'"),
            new Case(new String[] {"--replica", "r:v:t:1M"}, "Missing required option: '--tier=NAME=DIR'"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t"}, "--replica wants ID:VOLUME:TIER:SIZE, got r:v:t"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:x:1M"}, "names tier x, not one of [t]"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:lots"}, "size lots is not a positive size"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--tcp", "localhost"},
                    "--tcp wants HOST:PORT, got localhost"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--metrics-listen", "9620"},
                    "--metrics-listen wants HOST:PORT, got 9620"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--metrics-listen", ":9620"},
                    "--metrics-listen wants HOST:PORT, got :9620"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--metrics-listen", "0.0.0.0:http"},
                    "--metrics-listen wants HOST:PORT, got 0.0.0.0:http"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--metrics-listen", "0.0.0.0:65536"},
                    "--metrics-listen wants HOST:PORT, got 0.0.0.0:65536"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--metrics-listen", "no-such-host.invalid:9620"},
                    "--metrics-listen no-such-host.invalid:9620: host no-such-host.invalid does not resolve"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--latency-us", "slow"}, "'slow' is not a long"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--replica", "q:v:t:1M", "--control", "/c"},
                    "--control drives one volume"),
            new Case(new String[] {"--tier", "t=/d", "--replica", "r:v:t:1M", "--nbd-tls-cert", "/c.pem", "--nbd-tls-key",
                "/c.key"}, "--nbd-tls-cert, --nbd-tls-key and --nbd-tls-ca go together")}) {
            err.getBuffer().setLength(0);
            var p = parse(c.argv());
            assertThat(p.exitStatus()).as(String.join(" ", c.argv())).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", c.argv())).contains("EngineMain: ").contains(c.message())
                    .contains("Usage: EngineMain");
        }
    }
}
