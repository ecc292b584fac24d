package dev.prescient.local.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.local.LocalMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Loads the live view of a running local system in headless Chromium, checks that every chart drew data (each
 * canvas reports how many points it drew in data-points), among them the operator's forecast of a volume's access
 * rate next to the measured heat, and saves a screenshot to target/liveview.png.
 */
class LiveViewBrowserIT {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", "..")).toAbsolutePath().normalize();

    @Test
    void chartsShowData() throws Exception {
        Path work = Files.createTempDirectory("prescient-view-it");
        LocalMode mode = new LocalMode(new LocalMode.Options(ROOT, work,
                ROOT.resolve("local/src/test/resources/scenarios/browser.yaml"), null, 0, 0, true,
                new PrintStream(new ByteArrayOutputStream(), true)));
        try {
            mode.start();
            Thread t = new Thread(() -> {
                try {
                    // Longer than the scenario's 20 s: the operator forecasts once it has 8 steps of history.
                    mode.run(90, true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setDaemon(true);
            t.start();
            while (mode.runner().seconds() < 12) {
                Thread.sleep(200);
            }
            String web = mode.runner().volumes().get("web").volumeId;
            while (mode.runner().watch().forecasts(web).forecasts("AccessRate").isEmpty()
                    && mode.runner().seconds() < 80) {
                Thread.sleep(200);
            }
            assertThat(mode.runner().watch().forecasts(web).forecasts("AccessRate"))
                    .as("the operator's AccessRate forecasts in ReplicatedVolume %s status (operator.log in %s)", web,
                            work).isNotEmpty();
            String dom = chromium(work, "--dump-dom", mode.viewUrl());
            assertThat(dom).contains("vol-web", "node-a", "node-b");
            assertThat(points(dom, "heat")).as("heat map points").isGreaterThan(0);
            assertThat(points(dom, "opforecast")).as("operator forecast chart: forecast points").isGreaterThan(0);
            assertThat(count(dom, "opforecast", "data-actual")).as("operator forecast chart: measured points")
                    .isGreaterThan(0);
            assertThat(dom).contains("operator forecast AccessRate (horizon ");
            assertThat(points(dom, "health")).as("health chart points").isGreaterThan(0);
            assertThat(dom).contains("copy (Healthy)");
            // Migrations are the operator's (LocalModeIT checks them); the view has their table.
            assertThat(dom).contains("<table id=\"migrations\">");
            // The screenshot shows an interval band once the operator has calibrated one (it takes a few more
            // steps; not asserted: when it comes is the operator's business).
            while (mode.runner().watch().forecasts(web).forecasts("AccessRate").stream()
                    .noneMatch(p -> p.hasInterval()) && mode.runner().seconds() < 60) {
                Thread.sleep(200);
            }
            Path shot = ROOT.resolve("local/target/liveview.png");
            Files.deleteIfExists(shot);
            chromium(work, "--screenshot=" + shot, "--window-size=1280,900", mode.viewUrl());
            assertThat(shot).exists();
            assertThat(Files.size(shot)).isGreaterThan(10_000);
            mode.stop();
            t.join(30_000);
        } finally {
            assertThat(mode.stop().clean()).isTrue();
        }
    }

    /** Largest data-points value among canvases whose id or class names {@code kind}. */
    static int points(String dom, String kind) {
        return count(dom, kind, "data-points");
    }

    /** Largest value of the numeric attribute {@code attr} among canvases whose id or class names {@code kind}. */
    static int count(String dom, String kind, String attr) {
        Matcher m = Pattern.compile("<canvas[^>]*(?:id|class)=\"" + kind + "\"[^>]*" + attr + "=\"(\\d+)\"")
                .matcher(dom);
        int best = -1;
        while (m.find()) {
            best = Math.max(best, Integer.parseInt(m.group(1)));
        }
        return best;
    }

    static String chromium(Path work, String... args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("chromium %s", cmd).isZero();
        return out;
    }
}
