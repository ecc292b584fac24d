package dev.prescient.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.control.ControlClient;
import dev.prescient.engine.faults.EngineProcess;
import dev.prescient.engine.nbd.NbdClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes a real engine process's /metrics before and after real NBD I/O and a switchover. */
class EngineMetricsIT {
    @TempDir
    Path dir;

    static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    /** The value of the series whose name and labels are exactly {@code series}, or -1 when absent. */
    static double value(String body, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** A bad --metrics-listen stops the real process before it opens anything: exit 2, a message naming the flag. */
    @Test
    void aMalformedMetricsListenIsRefusedAndTheProcessExitsNonZero() throws Exception {
        for (String bad : new String[] {"0.0.0.0:99999", "9620", "no-such-host.invalid:9620"}) {
            java.util.List<String> cmd = new ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(EngineProcess.AGENT_JVM);
            cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"),
                    dev.prescient.engine.EngineMain.class.getName(), "--tier", "t=" + dir.resolve("t"),
                    "--replica", "r:vol:t:1M", "--metrics-listen", bad));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isEqualTo(2);
            assertThat(output).contains("EngineMain: --metrics-listen").contains(bad).doesNotContain("ready");
            assertThat(dir.resolve("t")).as("nothing was created").doesNotExist();
        }
    }

    @Test
    void ioConnectionsAndSwitchoversShowInTheScrape() throws Exception {
        Path sockA = dir.resolve("a.sock");
        try (EngineProcess b = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "t=" + dir.resolve("tb"),
                "--replica", "rB:vol:t:16M", "--replication-listen", "127.0.0.1:0");
             EngineProcess a = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "t=" + dir.resolve("ta"),
                "--replica", "rA:vol:t:16M", "--unix", sockA.toString(), "--control", dir.resolve("a.ctl").toString(),
                "--metrics-listen", "127.0.0.1:0")) {
            int port = Integer.parseInt(a.line("metrics ").substring(8).strip());
            String before = scrape(port);
            assertThat(value(before, "prescient_engine_requests_total{volume=\"vol\",op=\"write\"}")).isZero();
            assertThat(value(before, "prescient_engine_nbd_connections")).isZero();
            assertThat(before).contains("# TYPE prescient_engine_request_seconds histogram");

            try (NbdClient c = NbdClient.connect(sockA, "rA")) {
                for (int i = 0; i < 10; i++) {
                    assertThat(c.write(i * 4096L, ByteBuffer.allocate(4096), false)).isZero();
                }
                assertThat(c.read(0, 8192).remaining()).isEqualTo(8192);
                String during = scrape(port);
                assertThat(value(during, "prescient_engine_nbd_connections")).isEqualTo(1);
                assertThat(value(during, "prescient_engine_requests_total{volume=\"vol\",op=\"write\"}")).isEqualTo(10);
                assertThat(value(during, "prescient_engine_bytes_total{volume=\"vol\",op=\"write\"}")).isEqualTo(40960);
                assertThat(value(during, "prescient_engine_requests_total{volume=\"vol\",op=\"read\"}")).isEqualTo(1);
                assertThat(value(during, "prescient_engine_bytes_total{volume=\"vol\",op=\"read\"}")).isEqualTo(8192);
                assertThat(value(during, "prescient_engine_request_seconds_count{volume=\"vol\",op=\"write\"}"))
                        .isEqualTo(10);
                assertThat(value(during, "prescient_engine_request_seconds_bucket{volume=\"vol\",op=\"write\",le=\"+Inf\"}"))
                        .isEqualTo(10);
                assertThat(value(during, "prescient_engine_request_seconds_sum{volume=\"vol\",op=\"write\"}"))
                        .isPositive();
            }

            int replPort = Integer.parseInt(b.line("replication ").substring(12).strip());
            Path ctl = dir.resolve("a.ctl");
            ControlClient.Answer att = ControlClient.call(ctl, "ATTACH rB 127.0.0.1:" + replPort, l -> { });
            assertThat(att.ok()).as(att.text()).isTrue();
            assertThat(ControlClient.call(ctl, "CATCHUP rB", l -> { }).ok()).isTrue();
            assertThat(value(scrape(port), "prescient_engine_switchovers_total{volume=\"vol\"}")).isZero();
            ControlClient.Answer sw = ControlClient.call(ctl, "SWITCH rB rA max-pause-ms=2000", l -> { });
            assertThat(sw.ok()).as(sw.text()).isTrue();
            String after = scrape(port);
            assertThat(value(after, "prescient_engine_switchovers_total{volume=\"vol\"}")).isEqualTo(1);
            assertThat(value(after, "prescient_engine_switchover_pause_seconds_count{volume=\"vol\"}")).isEqualTo(1);
            assertThat(value(after, "prescient_engine_nbd_connections")).isZero();
        }
    }
}
